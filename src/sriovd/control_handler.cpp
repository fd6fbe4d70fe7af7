#include "control_handler.hpp"

#include "vf_settings.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace sriov::sriovd {

using nlohmann::json;

namespace {

std::string_view link_mode_name(pf::LinkMode m)
{
    switch (m) {
    case pf::LinkMode::automatic: return "auto";
    case pf::LinkMode::enable: return "enable";
    case pf::LinkMode::disable: return "disable";
    }
    return "auto";
}

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
                       link_mode_name(a.link_state));
}

}  // namespace

ControlHandler::ControlHandler(pf::PfManager& manager, const std::vector<std::string>& drivers, PfState& state,
                               std::filesystem::path state_path, std::function<void(unsigned)> set_num_vfs,
                               pci::Sysfs sysfs)
    : manager_(manager), drivers_(drivers), state_(state), state_path_(std::move(state_path)),
      set_num_vfs_(std::move(set_num_vfs)), sysfs_(std::move(sysfs))
{
}

void ControlHandler::check_scope(const std::optional<std::string>& pf, const std::optional<unsigned>& vf) const
{
    const std::string ours = manager_.address().to_string();
    if (pf && *pf != ours) {
        const auto parsed = pci::Address::try_parse(*pf);
        if (!parsed || parsed->to_string() != ours)
            throw Error(Errc::not_found, *pf, fmt::format("not a PF this sriovd manages (it manages {})", ours));
    }
    const unsigned n = manager_.policy().num_vfs();
    if (vf && *vf >= n)
        throw Error(Errc::not_found, fmt::format("VF {}", *vf),
                    n == 0 ? fmt::format("does not exist: {} has no VFs", ours)
                           : fmt::format("does not exist: {} has {} VFs (0..{})", ours, n, n - 1));
}

std::string ControlHandler::show(const std::optional<std::string>& pf, const std::optional<unsigned>& vf) const
{
    check_scope(pf, vf);
    const auto link = manager_.link();
    json vfs = json::array();
    const unsigned n = manager_.policy().num_vfs();
    for (unsigned i = 0; i < n; ++i) {
        if (vf && *vf != i)
            continue;
        const auto& admin = manager_.policy().admin(i);
        const auto& state = manager_.vfs().state(i);
        json v{{"vf", i}};
        const auto vf_dir = sysfs_.device_dir(manager_.address()) / pci::attr::virtfn(i);
        const auto pci_name = sysfs_.link_name(vf_dir);
        v["pci"] = pci_name.value_or("-");
        v["driver"] = pci_name ? sysfs_.link_name(vf_dir / pci::attr::driver).value_or("none") : "none";
        const auto mac = state.mac ? state.mac : admin.mac;
        v["mac"] = mac ? mac->to_string() : "-";
        v["vlan"] = admin.port_vlan.value_or(0);
        v["qos"] = admin.port_vlan_qos;
        v["max_tx_rate"] = admin.max_tx_rate_mbps;
        v["max_frame"] = admin.max_frame;
        v["max_multicast"] = admin.max_multicast;
        v["max_vlans"] = admin.max_vlans;
        v["spoofchk"] = admin.spoof_check;
        v["trust"] = admin.trusted;
        v["state"] = std::string(link_mode_name(admin.link_state));
        v["quarantined"] = state.quarantined;
        v["clear_to_send"] = state.clear_to_send;
        // What the VF itself asked for through the mailbox and was granted (forgotten at its reset).
        v["granted"] = json{{"vlans", state.vlans},
                            {"multicast_hashes", state.multicast.size()},
                            {"all_multicast", state.multicast_promisc},
                            {"max_frame", state.max_frame}};
        json origin = json::object();
        for (const char* key :
             {"mac", "vlan", "qos", "max_tx_rate", "max_frame", "max_multicast", "max_vlans", "spoof_check", "trust",
              "link_state"})
            origin[key] = origin_of(state_, i, key);
        origin["spoofchk"] = origin["spoof_check"];
        origin["state"] = origin["link_state"];
        v["origin"] = origin;
        vfs.push_back(v);
    }
    json p{{"pf", manager_.address().to_string()},
           {"mac", manager_.mac().to_string()},
           {"num_vfs", n},
           {"link", link.up ? "up" : "down"},
           {"speed_mbps", link.speed_mbps},
           {"vfs", vfs}};
    return json{{"pfs", json::array({p})}}.dump();
}

std::string ControlHandler::status() const
{
    const auto& s = manager_.stats();
    const auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
    return json{{"version", "0.1.0"},
                {"pfs", 1},
                {"uptime_s", uptime},
                {"mailbox",
                 {{"interrupts", s.wakeups},
                  {"vf_resets", s.vf_resets},
                  {"requests", s.requests},
                  {"nacks", s.nacks},
                  {"acks", s.acks},
                  {"control_messages", s.pings},
                  {"errors", s.errors},
                  {"dropped", s.dropped},
                  {"quarantines", s.quarantines},
                  {"lock_recoveries", s.lock_recoveries},
                  {"log_suppressed", s.log_suppressed}}}}
        .dump();
}

std::string ControlHandler::stats(const std::optional<std::string>& pf, const std::optional<unsigned>& vf)
{
    check_scope(pf, vf);
    json vfs = json::array();
    for (unsigned i = 0; i < manager_.policy().num_vfs(); ++i) {
        if (vf && *vf != i)
            continue;
        const auto& c = manager_.policer().counters(i);
        const auto& t = manager_.traffic(i);
        vfs.push_back(json{{"pf", manager_.address().to_string()},
                           {"vf", i},
                           {"rx_packets", t.rx_packets},
                           {"rx_bytes", t.rx_bytes},
                           {"tx_packets", t.tx_packets},
                           {"tx_bytes", t.tx_bytes},
                           {"rx_multicast", t.rx_multicast},
                           {"mailbox_requests", c.requests},
                           {"refused", c.refused},
                           {"malformed", c.malformed},
                           {"dropped", c.dropped},
                           {"quarantines", c.quarantines},
                           {"quarantined", manager_.vfs().state(i).quarantined}});
    }
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
    const VfChange change = apply_settings(manager_.policy().admin(vf), request.settings);
    pf::VfPolicy probe(manager_.policy().num_vfs());
    probe.set_admin(vf, change.admin);

    PfState next = state_;
    const auto values = state_values(change.admin, vf < drivers_.size() ? drivers_[vf] : std::string());
    for (const auto& key : change.keys)
        record_runtime(next, vf, key, values.at(key));
    save_state(state_path_, next);
    state_ = std::move(next);
    manager_.set_admin(vf, change.admin);
    spdlog::info("VF {}: changed by an operator: {}", vf, describe(change.admin));
    return json::object().dump();
}

std::string ControlHandler::release(const control::Release& request)
{
    check_scope(request.pf, request.vf);
    if (!manager_.release_vf(request.vf))
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
                h.manager_.reset_vf(*o.vf);
            else
                h.manager_.reset_pf();
            return json::object().dump();
        }
        std::string operator()(const control::Release& o) const { return h.release(o); }
        std::string operator()(const control::Subscribe&) const { return "{}"; }
        std::string operator()(const control::Status&) const { return h.status(); }
    };
    return std::visit(Visit{*this}, request.op);
}

}  // namespace sriov::sriovd
