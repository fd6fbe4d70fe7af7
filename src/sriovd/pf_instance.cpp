#include "pf_instance.hpp"

#include "atomic_file.hpp"
#include "vf_grants_file.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <tuple>

namespace sriov::sriovd {

namespace {

std::string describe_vfs(const std::vector<pci::Address>& vfs, const std::vector<std::string>& drivers)
{
    std::string text;
    for (unsigned n = 0; n < vfs.size(); ++n)
        text += fmt::format("{}VF {} {} ({})", n ? ", " : "", n, vfs[n],
                            n >= drivers.size() || drivers[n].empty() ? std::string(pf::default_vf_driver)
                                                                      : drivers[n]);
    return text;
}

// The configuration with the values changed at run time laid over it (state_file.hpp), and the
// state file rewritten to match. A corrupt state file stops sriovd (the error says so and how to
// recover): applying part of it, or starting without it and overwriting it, would lose state.
std::pair<DaemonConfig, PfState> with_saved_state(const DaemonConfig& configured, const std::filesystem::path& path)
{
    DaemonConfig effective = configured;
    PfState state = state_of(configured);
    if (const auto saved = load_state(path)) {
        std::vector<std::string> notes;
        std::tie(effective, state) = apply_state(configured, *saved, notes);
        for (const auto& note : notes)
            spdlog::info("state file {}: {}", path.string(), note);
    }
    save_state(path, state);
    return {effective, state};
}

nlohmann::json event_json(const pci::Address& pf, const pf::PfEvent& e)
{
    nlohmann::json event{{"event", e.kind}, {"pf", pf.to_string()}, {"message", e.message}};
    if (e.vf)
        event["vf"] = *e.vf;
    return event;
}

}  // namespace

std::string PfInstance::state_file_for(const pci::Address& pf) { return fmt::format("state-{}.json", pf); }

PfInstance::PfInstance(const DaemonConfig& configured, const std::filesystem::path& state_dir, PfShared shared)
    : configured_(configured),
      shared_(std::move(shared)),
      provisioner_(pci::Sysfs(), std::chrono::seconds(configured.timeout_s), pf::VfAccess{shared_.operators_group})
{
    const pci::Address address = pf_config(configured).pf;
    state_path_ = state_dir / state_file_for(address);
    std::tie(daemon_, state_) = with_saved_state(configured, state_path_);
    config_ = pf_config(daemon_);
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
    // What each VF holds, kept before it is answered, for the next sriovd to resume from.
    auto keep_grants = [this, boot_id](const std::vector<pf::VfState>& vfs) {
        std::string text = encode_grants(boot_id, config_.pf, vfs);
        if (text == grants_written_)
            return;
        try {
            write_file_atomically(grants_path_, text, 0600, std::nullopt, Durability::process_crash);
            grants_written_ = std::move(text);
        } catch (const std::exception& e) {
            spdlog::error("PF {}: cannot keep what its VFs were granted: {}; a restarted sriovd will make them "
                          "reset",
                          config_.pf, e.what());
        }
    };
    keep_grants(manager_->vfs().states());
    manager_->on_vf_state_changed(keep_grants);

    // A trusted VF that picks its own MAC keeps it across restarts: the change is a runtime value
    // of the state file. (An untrusted VF may only pick one when it was given none; keeping that
    // one would stop it from ever picking another, so it is not kept.)
    manager_->on_vf_mac_changed([this](unsigned vf, const MacAddress& mac) {
        if (!manager_->policy().admin(vf).trusted)
            return;
        try {
            record_runtime(state_, vf, "mac", mac.to_string());
            save_state(state_path_, state_);
            spdlog::info("VF {}: its MAC {} kept in the state file", vf, mac);
        } catch (const std::exception& e) {
            spdlog::error("VF {}: its MAC {} could not be kept: {}", vf, mac, e.what());
        }
    });
    manager_->on_event([this](const pf::PfEvent& e) { shared_.publish(event_json(config_.pf, e)); });
    // The kernel wants the PF back (vfio-pci being unbound from it): stop, which closes it.
    manager_->on_release_request([this] {
        spdlog::warn("stopping: the kernel asks for PF {} back", config_.pf);
        shared_.stop();
    });
    count_change_ = std::make_unique<VfCountChange>(shared_.io, provisioner_, config_.pf);
    control_ = std::make_unique<ControlHandler>(*manager_, daemon_.drivers, state_, state_path_,
                                                [this](unsigned n) { set_num_vfs(n); });
}

PfInstance::~PfInstance()
{
    control_.reset();
    count_change_.reset();  // waits for a change under way (its waits are bounded)
    manager_.reset();
}

bool PfInstance::provision()
{
    try {
        const auto vfs = config_.vfs_exist ? provisioner_.adopt_vfs(config_.pf, config_.num_vfs, daemon_.drivers)
                                           : provisioner_.create_vfs(config_.pf, config_.num_vfs, daemon_.drivers);
        boost::asio::post(shared_.io, [this, vfs] {
            if (!config_.vfs_exist)
                manager_->vfs_created();
            spdlog::info("ready: {}", vfs.empty() ? std::string("no VFs") : describe_vfs(vfs, daemon_.drivers));
        });
        return true;
    } catch (const Error& e) {
        spdlog::error("PF {}: cannot {} the VFs: {}", config_.pf, config_.vfs_exist ? "adopt" : "create", e.what());
        return false;
    }
}

bool PfInstance::finish()
{
    if (!daemon_.remove_vfs_on_exit)
        return true;
    try {
        provisioner_.remove_vfs(config_.pf);
        return true;
    } catch (const Error& e) {
        spdlog::error("PF {}: cannot remove the VFs: {}", config_.pf, e.what());
        return false;
    }
}

void PfInstance::log_exit() const
{
    if (!daemon_.remove_vfs_on_exit)
        spdlog::info("PF {}: its {} VFs stay; a restarted sriovd takes them back", config_.pf, config_.num_vfs);
}

// A change of the VF count at run time: kept in the state file once the PF is brought up for the
// new count; the VFs are removed and created off the loop.
void PfInstance::set_num_vfs(unsigned n)
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
    hooks.bring_up = [this](unsigned m) {
        DaemonConfig next = daemon_;
        PfState next_state = state_;
        record_runtime_num_vfs(next_state, next, m, configured_);
        // VFs that stay keep what they have now, run-time changes included.
        for (unsigned vf = 0; vf < std::min(m, manager_->policy().num_vfs()); ++vf)
            next.vfs[vf] = manager_->policy().admin(vf);
        save_state(state_path_, next_state);
        manager_->resize(m, next.vfs);
        daemon_ = std::move(next);
        state_ = std::move(next_state);
        config_.num_vfs = m;
    };
    hooks.created = [this, publish](const std::vector<pci::Address>& vfs) {
        manager_->vfs_created();
        spdlog::info("ready: {}", vfs.empty() ? std::string("no VFs") : describe_vfs(vfs, daemon_.drivers));
        publish(fmt::format("now {} VFs", vfs.size()));
    };
    hooks.failed = [this, publish](const std::string& why) {
        spdlog::error("PF {}: changing the VF count: {}", config_.pf, why);
        publish(fmt::format("failed: {}", why));
    };
    std::vector<std::string> drivers = daemon_.drivers;
    drivers.resize(n);
    count_change_->start(n, std::move(drivers), std::move(hooks));
}

}  // namespace sriov::sriovd
