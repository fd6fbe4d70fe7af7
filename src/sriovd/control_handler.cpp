#include "control_handler.hpp"

#include "vf_settings.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace sriov::sriovd {

using nlohmann::json;

namespace {

// "config", "runtime" or "default" for the state file's key of VF vf.
std::string origin_of(const PfState& state, unsigned vf, const std::string& key)
{
    if (vf >= state.vfs.size())
        return "default";
    const auto it = state.vfs[vf].find(key);
    if (it == state.vfs[vf].end())
        return "default";
    return it->second.origin == Origin::runtime ? "runtime" : "config";
}

// What the VF now has, as vfctl shows it (the keys of a set_vf answer).
std::string describe(const pf::VfAdmin& a)
{
    return fmt::format("mac {}, vlan {}, qos {}, max_tx_rate {}, spoofchk {}, trust {}, state {}",
                       a.mac ? a.mac->to_string() : "-", a.port_vlan.value_or(0), a.port_vlan_qos,
                       a.max_tx_rate_mbps, a.spoof_check ? "on" : "off", a.trusted ? "on" : "off",
                       pf::to_string(a.link_state));
}

// The state file's keys of a VF setting, for "origin".
constexpr const char* setting_keys[] = {"mac",         "vlan",          "qos",       "vlan_protocol", "max_tx_rate",
                                        "min_tx_rate", "max_frame",     "max_multicast", "max_vlans",  "spoof_check",
                                        "trust",       "link_state",    "query_rss"};

}  // namespace

ControlHandler::ControlHandler(PfBackend& backend, const std::vector<std::string>& drivers, PfState& state,
                               std::filesystem::path state_path, std::function<void(unsigned)> set_num_vfs,
                               pci::Sysfs sysfs)
    : backend_(backend), drivers_(drivers), state_(state), state_path_(std::move(state_path)),
      set_num_vfs_(std::move(set_num_vfs)), sysfs_(std::move(sysfs))
{
}

bool ControlHandler::names(const std::string& pf) const
{
    if (!backend_.interface().empty() && pf == backend_.interface())
        return true;
    const auto parsed = pci::Address::try_parse(pf);
    return parsed && *parsed == backend_.address();
}

void ControlHandler::check_scope(const std::optional<std::string>& pf, const std::optional<unsigned>& vf) const
{
    const std::string ours = backend_.address().to_string();
    if (pf && !names(*pf))
        throw Error(Errc::not_found, *pf, fmt::format("not a PF this sriovd manages (it manages {})", ours));
    const unsigned n = backend_.num_vfs();
    if (vf && *vf >= n)
        throw Error(Errc::not_found, fmt::format("VF {}", *vf),
                    n == 0 ? fmt::format("does not exist: {} has no VFs", ours)
                           : fmt::format("does not exist: {} has {} VFs (0..{})", ours, n, n - 1));
}

std::string ControlHandler::show(const std::optional<std::string>& pf, const std::optional<unsigned>& vf) const
{
    check_scope(pf, vf);
    json vfs = json::array();
    const unsigned n = backend_.num_vfs();
    for (unsigned i = 0; i < n; ++i) {
        if (vf && *vf != i)
            continue;
        json v{{"vf", i}};
        const auto vf_dir = sysfs_.device_dir(backend_.address()) / pci::attr::virtfn(i);
        const auto pci_name = sysfs_.link_name(vf_dir);
        v["pci"] = pci_name.value_or("-");
        v["driver"] = pci_name ? sysfs_.link_name(vf_dir / pci::attr::driver).value_or("none") : "none";
        v.update(backend_.show_vf(i));
        json origin = json::object();
        for (const auto& key : setting_keys)
            origin[key] = origin_of(state_, i, key);
        origin["spoofchk"] = origin["spoof_check"];
        origin["state"] = origin["link_state"];
        v["origin"] = origin;
        vfs.push_back(v);
    }
    json p{{"pf", backend_.address().to_string()}, {"num_vfs", n}};
    p.update(backend_.show_pf());
    p["vfs"] = vfs;
    return json{{"pfs", json::array({p})}}.dump();
}

std::string ControlHandler::status() const
{
    const auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
    return json{{"version", "0.1.0"}, {"pfs", 1}, {"uptime_s", uptime}, {"mailbox", backend_.mailbox_status()}}
        .dump();
}

std::string ControlHandler::stats(const std::optional<std::string>& pf, const std::optional<unsigned>& vf)
{
    check_scope(pf, vf);
    json vfs = json::array();
    for (unsigned i = 0; i < backend_.num_vfs(); ++i)
        if (!vf || *vf == i)
            vfs.push_back(backend_.stats_vf(i));
    return json{{"vfs", vfs}}.dump();
}

// All or none: the policy validates the whole change before anything is kept or programmed, and
// the state file is written before the PF is, so that a change sriovd could not keep is not made.
std::string ControlHandler::set_vf(const control::SetVf& request)
{
    check_scope(request.pf, request.vf);
    const unsigned vf = request.vf;
    if (request.settings.empty())
        throw Error(Errc::invalid_argument, fmt::format("VF {}", vf), "no setting given: nothing to change");
    backend_.check(vf, request.settings);
    const VfChange change = apply_settings(backend_.admin(vf), request.settings);
    pf::VfPolicy probe(backend_.num_vfs());
    probe.set_admin(vf, change.admin);

    PfState next = state_;
    const auto values = state_values(change.admin, vf < drivers_.size() ? drivers_[vf] : std::string());
    for (const auto& key : change.keys)
        record_runtime(next, vf, key, values.at(key));
    save_state(state_path_, next);
    // A device that refuses (a kernel driver) leaves the VF as it was: so must the state file.
    try {
        backend_.apply(vf, change.admin, change.keys);
    } catch (...) {
        try {
            save_state(state_path_, state_);
        } catch (const std::exception& e) {
            spdlog::error("VF {}: the state file could not be put back after the refusal: {}", vf, e.what());
        }
        throw;
    }
    state_ = std::move(next);
    spdlog::info("VF {}: changed by an operator: {}", vf, describe(change.admin));
    return json::object().dump();
}

std::string ControlHandler::release(const control::Release& request)
{
    check_scope(request.pf, request.vf);
    if (!backend_.release_vf(request.vf))
        throw Error(Errc::invalid_argument, fmt::format("VF {}", request.vf), "is not quarantined: nothing to release");
    return json::object().dump();
}

std::string ControlHandler::operator()(const control::Request& request)
{
    struct Visit {
        ControlHandler& h;
        std::string operator()(const control::Show& o) const { return h.show(o.pf, o.vf); }
        std::string operator()(const control::Stats& o) const { return h.stats(o.pf, o.vf); }
        std::string operator()(const control::SetVf& o) const { return h.set_vf(o); }
        std::string operator()(const control::SetNumVfs& o) const
        {
            h.check_scope(o.pf, std::nullopt);
            h.set_num_vfs_(o.count);
            return json{{"num_vfs", o.count}, {"changing", true}}.dump();
        }
        std::string operator()(const control::Reset& o) const
        {
            h.check_scope(o.pf, o.vf);
            if (o.vf)
                h.backend_.reset_vf(*o.vf);
            else
                h.backend_.reset_pf();
            return json::object().dump();
        }
        std::string operator()(const control::Release& o) const { return h.release(o); }
        std::string operator()(const control::Subscribe&) const { return "{}"; }
        std::string operator()(const control::Status&) const { return h.status(); }
    };
    return std::visit(Visit{*this}, request.op);
}

}  // namespace sriov::sriovd
