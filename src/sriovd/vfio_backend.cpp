#include "vfio_backend.hpp"

#include "grants_record.hpp"
#include "options.hpp"
#include "pf_messages.hpp"
#include "vf_grants_file.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace sriov::sriovd {

using nlohmann::json;

VfioBackend::VfioBackend(const DaemonConfig& config, const pci::Address& address,
                         const std::filesystem::path& state_dir, PfShared& shared, MacKeeper keep_mac)
    : shared_(shared),
      provisioner_(pci::Sysfs(), std::chrono::seconds(config.timeout_s), pf::VfAccess{shared.operators_group})
{
    config_ = pf_config(config);
    config_.pf = address;

    // The PF must be ours before it is brought up; VFs that outlived a previous sriovd are kept
    // if they are as many as wanted, otherwise removed first.
    config_.vfs_exist = provisioner_.claim_pf(config_.pf, config_.num_vfs, shared_.take_over);
    grants_path_ = state_dir / grants_file_for(address);
    const std::string boot_id = current_boot_id();
    if (config_.vfs_exist) {
        std::string why;
        config_.granted = load_grants(grants_path_, boot_id, address, &why);
        if (!config_.granted)
            spdlog::info("PF {}: what its VFs were granted is not known ({}: {}); they will be told to reset",
                         address, grants_path_.string(), why);
    }
    manager_ = pf::PfManager::open(shared_.io, config_, shared_.token);
    // What each VF holds, kept before it is answered, for the next sriovd to resume from: the
    // record is made anew here, and replaced in memory at each change.
    std::error_code ignored;
    std::filesystem::remove(state_dir / fmt::format("grants-{}.json", address), ignored);  // JSON, before issue 17
    grants_written_ = encode_grants(boot_id, config_.pf, manager_->vfs().states());
    try {
        grants_ = GrantsRecord::create(grants_path_, grants_written_);
    } catch (const std::exception& e) {
        spdlog::error("PF {}: cannot keep what its VFs are granted: {}; a restarted sriovd will make them reset",
                      config_.pf, e.what());
    }
    manager_->on_vf_state_changed([this, boot_id](const std::vector<pf::VfState>& vfs) {
        if (!grants_)
            return;
        encode_grants(boot_id, config_.pf, vfs, grants_encoded_);
        if (grants_encoded_ == grants_written_)
            return;
        try {
            grants_->store(grants_encoded_);
            std::swap(grants_written_, grants_encoded_);  // both keep their capacity: no allocation
        } catch (const std::exception& e) {
            spdlog::error("PF {}: cannot keep what its VFs were granted: {}; a restarted sriovd will make them "
                          "reset",
                          config_.pf, e.what());
        }
    });

    // A trusted VF that picks its own MAC keeps it across restarts: the core keeps it as a runtime
    // value. (An untrusted VF may only pick one when it was given none; keeping that one would stop
    // it from ever picking another, so it is not kept.)
    manager_->on_vf_mac_changed([this, keep_mac = std::move(keep_mac)](unsigned vf, const MacAddress& mac) {
        if (manager_->policy().admin(vf).trusted)
            keep_mac(vf, mac);
    });
    manager_->on_event([this](const pf::PfEvent& e) { shared_.publish(event_json(config_.pf, e)); });
    // The kernel wants the PF back (vfio-pci being unbound from it): stop, which closes it.
    manager_->on_release_request([this] {
        spdlog::warn("stopping: the kernel asks for PF {} back", config_.pf);
        shared_.stop();
    });
    count_change_ = std::make_unique<VfCountChange>(shared_.io, provisioner_, config_.pf);
}

VfioBackend::~VfioBackend()
{
    count_change_.reset();  // waits for a change under way (its waits are bounded)
    manager_.reset();
}

std::vector<pci::Address> VfioBackend::provision(const std::vector<std::string>& drivers)
{
    return config_.vfs_exist ? provisioner_.adopt_vfs(config_.pf, config_.num_vfs, drivers)
                             : provisioner_.create_vfs(config_.pf, config_.num_vfs, drivers);
}

void VfioBackend::provisioned()
{
    if (!config_.vfs_exist)
        manager_->vfs_created();
}

void VfioBackend::remove_vfs() { provisioner_.remove_vfs(config_.pf); }

json VfioBackend::show_pf()
{
    const auto link = manager_->link();
    return json{{"owner", owner()},
                {"mac", manager_->mac().to_string()},
                {"link", link.up ? "up" : "down"},
                {"speed_mbps", link.speed_mbps}};
}

json VfioBackend::show_vf(unsigned vf)
{
    const auto& admin = manager_->policy().admin(vf);
    const auto& state = manager_->vfs().state(vf);
    json v;
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
    v["state"] = std::string(pf::to_string(admin.link_state));
    v["quarantined"] = state.quarantined;
    v["clear_to_send"] = state.clear_to_send;
    // What the VF itself asked for through the mailbox and was granted (forgotten at its reset).
    v["granted"] = json{{"vlans", state.vlans},
                        {"multicast_hashes", state.multicast.size()},
                        {"all_multicast", state.multicast_promisc},
                        {"max_frame", state.max_frame}};
    return v;
}

json VfioBackend::stats_vf(unsigned vf)
{
    const auto& c = manager_->policer().counters(vf);
    const auto& t = manager_->traffic(vf);
    return json{{"pf", config_.pf.to_string()},
                {"vf", vf},
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
                {"quarantined", manager_->vfs().state(vf).quarantined}};
}

json VfioBackend::mailbox_status() const
{
    const auto& s = manager_->stats();
    return json{{"interrupts", s.wakeups},
                {"vf_resets", s.vf_resets},
                {"requests", s.requests},
                {"nacks", s.nacks},
                {"acks", s.acks},
                {"control_messages", s.pings},
                {"errors", s.errors},
                {"dropped", s.dropped},
                {"quarantines", s.quarantines},
                {"lock_recoveries", s.lock_recoveries},
                {"log_suppressed", s.log_suppressed}};
}

// The 82576's filters enforce the rest of vfctl's settings; the policy checks their values.
void VfioBackend::check(unsigned vf, const control::VfSettings& settings) const
{
    const auto refuse = [&](const char* key, const char* why) {
        throw Error(Errc::invalid_argument, fmt::format("VF {}", vf), fmt::format("{}: {}", key, why));
    };
    if (settings.min_tx_rate && *settings.min_tx_rate != 0)
        refuse("min_tx_rate", "the 82576 as sriovd runs it has no guaranteed rate (only a PF its kernel driver "
                              "keeps may have one)");
    if (settings.vlan_protocol == control::VlanProtocol::ieee_802_1ad)
        refuse("proto 802.1ad", "the 82576 tags port VLANs with 802.1Q only");
    if (settings.query_rss && *settings.query_rss)
        refuse("query_rss", "VFs of the 82576 as sriovd runs it cannot query RSS");
}

void VfioBackend::apply(unsigned vf, const pf::VfAdmin& admin, const std::vector<std::string>&)
{
    manager_->set_admin(vf, admin);
}

void VfioBackend::set_num_vfs(unsigned n, std::vector<std::string> drivers,
                              std::function<std::vector<pf::VfAdmin>(unsigned m)> record)
{
    if (n > e82576::max_vfs)
        throw Error(Errc::invalid_argument, config_.pf.to_string(),
                    fmt::format("{} VFs asked for; an 82576 PF serves at most {}", n, e82576::max_vfs));
    const auto publish = [this](const std::string& message) {
        shared_.publish(event_json(config_.pf, pf::PfEvent{"num_vfs", std::nullopt, message}));
    };
    VfCountChange::Hooks hooks;
    hooks.removing = [this, n, publish] {
        manager_->vfs_removing();
        spdlog::info("PF {}: changing the VF count from {} to {}: removing the VFs", config_.pf, config_.num_vfs, n);
        publish(fmt::format("changing from {} to {} VFs", config_.num_vfs, n));
    };
    hooks.bring_up = [this, record = std::move(record)](unsigned m) {
        manager_->resize(m, record(m));
        config_.num_vfs = m;
    };
    hooks.created = [this, publish](const std::vector<pci::Address>& vfs) {
        manager_->vfs_created();
        spdlog::info("ready: {}", describe_vfs(vfs, bound_drivers(vfs)));
        publish(fmt::format("now {} VFs", vfs.size()));
    };
    hooks.failed = [this, publish](const std::string& why) {
        spdlog::error("PF {}: changing the VF count: {}", config_.pf, why);
        publish(fmt::format("failed: {}", why));
    };
    count_change_->start(n, std::move(drivers), std::move(hooks));
}

}  // namespace sriov::sriovd
