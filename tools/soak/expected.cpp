#include "expected.hpp"

#include "process.hpp"
#include "sriov/error.hpp"
#include "sriovd/state_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace sriov::soak {

using nlohmann::json;

namespace {

// Every key sriovd writes for a VF of a PF it owns (state_file.cpp's values_of()).
constexpr const char* state_keys[] = {"mac",       "trust",      "vlan",        "qos",           "allowed_vlans",
                                      "spoof_check", "link_state", "max_tx_rate", "max_frame",   "max_multicast",
                                      "max_vlans", "driver",     "min_tx_rate", "vlan_protocol", "query_rss"};

// vfctl's name of a state-file key, for the keys vfctl -j show prints.
constexpr std::pair<const char*, const char*> vfctl_keys[] = {
    {"mac", "mac"},           {"vlan", "vlan"},           {"qos", "qos"},         {"max_tx_rate", "max_tx_rate"},
    {"max_frame", "max_frame"}, {"max_multicast", "max_multicast"}, {"max_vlans", "max_vlans"},
    {"spoof_check", "spoofchk"}, {"trust", "trust"},        {"link_state", "state"}};

}  // namespace

PfView read_state_file(const std::string& state_dir, const std::string& pf)
{
    const std::string path = fmt::format("{}/state-{}.json", state_dir, pf);
    const auto state = sriovd::load_state(path);
    if (!state)
        throw Error(Errc::not_found, path, "no state file");
    if (state->pf != pf)
        throw Error(Errc::protocol, path, fmt::format("it is for PF {}", state->pf));
    PfView view{pf, state->num_vfs, {}};
    for (unsigned vf = 0; vf < state->vfs.size(); ++vf) {
        Settings s;
        for (const char* key : state_keys) {
            const auto it = state->vfs[vf].find(key);
            if (it == state->vfs[vf].end())
                throw Error(Errc::protocol, path, fmt::format("VF {} has no \"{}\"", vf, key));
            s[key] = it->second.value;
        }
        view.vfs.push_back(std::move(s));
    }
    return view;
}

PfView read_vfctl(const std::string& pf)
{
    const Outcome o = run({"vfctl", "-j", "show", pf});
    if (!o.ok())
        throw Error(Errc::io, "vfctl -j show " + pf, fmt::format("status {}: {}", o.status, o.output));
    try {
        const json j = json::parse(o.output);
        const json& p = j.at("pfs").at(0);
        PfView view{pf, p.at("num_vfs").get<unsigned>(), {}};
        for (const json& vf : p.at("vfs")) {
            Settings s;
            for (const auto& [key, name] : vfctl_keys)
                s[key] = vf.at(name);
            if (s["mac"] == "-")
                s["mac"] = nullptr;
            if (s["vlan"] == 0)
                s["vlan"] = nullptr;
            view.vfs.push_back(std::move(s));
        }
        return view;
    } catch (const json::exception& e) {
        throw Error(Errc::protocol, "vfctl -j show " + pf, fmt::format("unexpected output ({}): {}", e.what(), o.output));
    }
}

std::vector<std::string> differences(const PfView& want, const PfView& found, const std::string& what)
{
    std::vector<std::string> d;
    if (want.num_vfs != found.num_vfs || found.vfs.size() != found.num_vfs) {
        d.push_back(fmt::format("{}: PF {} has {} VFs ({} listed), expected {}", what, want.pf, found.num_vfs,
                                found.vfs.size(), want.num_vfs));
        return d;
    }
    for (unsigned vf = 0; vf < want.num_vfs && vf < want.vfs.size(); ++vf)
        for (const auto& [key, value] : found.vfs[vf]) {
            const auto it = want.vfs[vf].find(key);
            if (it != want.vfs[vf].end() && it->second != value)
                d.push_back(fmt::format("{}: PF {} VF {} {} = {}, expected {}", what, want.pf, vf, key, value.dump(),
                                        it->second.dump()));
        }
    return d;
}

std::string Change::text() const { return fmt::format("vfctl set {} vf {} {}", pf, vf, fmt::join(args, " ")); }

Found found_in(const Change& change, const PfView& before, const PfView& found)
{
    if (change.vf >= found.vfs.size() || change.vf >= before.vfs.size())
        return Found::part;
    unsigned now = 0, then = 0;
    for (const auto& [key, value] : change.values) {
        const auto& f = found.vfs[change.vf].at(key);
        now += f == value;
        then += f == before.vfs[change.vf].at(key);
    }
    const auto n = change.values.size();
    return now == n ? Found::all : then == n ? Found::none : Found::part;
}

}  // namespace sriov::soak
