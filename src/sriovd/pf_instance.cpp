#include "pf_instance.hpp"

#include "kernel_backend.hpp"
#include "options.hpp"
#include "pf_messages.hpp"
#include "pf_naming.hpp"
#include "vfio_backend.hpp"

#include "sriov/error.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

namespace sriov::sriovd {

namespace {

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

}  // namespace

std::string PfInstance::state_file_for(const pci::Address& pf) { return fmt::format("state-{}.json", pf); }

PfInstance::PfInstance(const DaemonConfig& configured, const std::filesystem::path& state_dir, PfShared shared)
    : configured_(configured), shared_(std::move(shared))
{
    // Who owns the PF decides what its state holds: on a kernel-owned PF only what is declared.
    const NamedPf named = find_named_pf(configured);
    if (configured_.owner.empty())
        check_owner_keys(configured_, named.owner);
    configured_.owner = named.owner;
    if (configured_.pf.empty())
        configured_.pf = named.address.to_string();
    state_path_ = state_dir / state_file_for(named.address);
    std::tie(daemon_, state_) = with_saved_state(configured_, state_path_);
    auto keep = [this](unsigned vf, const MacAddress& mac) { keep_mac(vf, mac); };
    if (named.owner == owner_kernel)
        backend_ = std::make_unique<KernelBackend>(daemon_, named, state_, shared_, keep);
    else
        backend_ = std::make_unique<VfioBackend>(daemon_, named.address, state_dir, shared_, keep);
    control_ = std::make_unique<ControlHandler>(*backend_, daemon_.drivers, state_, state_path_,
                                                [this](unsigned n) { set_num_vfs(n, Origin::runtime); });
}

PfInstance::~PfInstance()
{
    control_.reset();
    backend_.reset();
}

// A VF's own MAC, kept as a runtime value of the state file so that a restart gives it back.
void PfInstance::keep_mac(unsigned vf, const MacAddress& mac)
{
    try {
        record_runtime(state_, vf, "mac", mac.to_string());
        save_state(state_path_, state_);
        spdlog::info("VF {}: its MAC {} kept in the state file", vf, mac);
    } catch (const std::exception& e) {
        spdlog::error("VF {}: its MAC {} could not be kept: {}", vf, mac, e.what());
    }
}

bool PfInstance::provision()
{
    const bool existed = backend_->vfs_existed();
    try {
        const auto vfs = backend_->provision(daemon_.drivers);
        boost::asio::post(shared_.io, [this, vfs] {
            backend_->provisioned();
            spdlog::info("ready: {}", describe_vfs(vfs, bound_drivers(vfs)));
        });
        return true;
    } catch (const Error& e) {
        spdlog::error("PF {}: cannot {} the VFs: {}", address(), existed ? "adopt" : "create", e.what());
        return false;
    }
}

bool PfInstance::finish()
{
    if (!daemon_.remove_vfs_on_exit)
        return true;
    try {
        backend_->remove_vfs();
        return true;
    } catch (const Error& e) {
        spdlog::error("PF {}: cannot remove the VFs: {}", address(), e.what());
        return false;
    }
}

void PfInstance::log_exit() const
{
    if (!daemon_.remove_vfs_on_exit)
        spdlog::info("PF {}: its {} VFs stay; a restarted sriovd takes them back", address(), daemon_.num_vfs);
}

// A change of the VF count at run time (vfctl, or a reload of the configuration file): kept in the
// state file once the old VFs are gone, before the PF is brought up for the new count. A VF added
// is bound to the driver the file gives it, as record_runtime_num_vfs() gives it the file's settings.
void PfInstance::set_num_vfs(unsigned n, Origin origin)
{
    std::vector<std::string> drivers = daemon_.drivers;
    drivers.resize(n);
    for (std::size_t vf = daemon_.drivers.size(); vf < std::min<std::size_t>(n, configured_.drivers.size()); ++vf)
        drivers[vf] = configured_.drivers[vf];
    backend_->set_num_vfs(n, std::move(drivers), [this, origin](unsigned m) { return record_num_vfs(m, origin); });
}

std::vector<pf::VfAdmin> PfInstance::record_num_vfs(unsigned m, Origin origin)
{
    DaemonConfig next = daemon_;
    PfState next_state = state_;
    record_runtime_num_vfs(next_state, next, m, configured_);
    next_state.num_vfs_origin = origin;
    // VFs that stay keep what they have now, run-time changes included.
    for (unsigned vf = 0; vf < std::min(m, backend_->num_vfs()); ++vf)
        next.vfs[vf] = backend_->admin(vf);
    save_state(state_path_, next_state);
    daemon_ = std::move(next);
    state_ = std::move(next_state);
    return daemon_.vfs;
}

std::vector<std::string> PfInstance::reload(const PfReload& plan)
{
    std::vector<std::string> failed;
    PfState next = plan.state;
    for (const VfUpdate& u : plan.updates) {
        try {
            backend_->apply(u.vf, u.admin, u.keys);
        } catch (const std::exception& e) {
            failed.push_back(fmt::format("VF {}: {}", u.vf, e.what()));
            next.vfs.at(u.vf) = state_.vfs.at(u.vf);
        }
    }
    configured_ = plan.configured;
    daemon_ = plan.effective;
    for (const VfUpdate& u : plan.updates)
        daemon_.vfs.at(u.vf) = backend_->admin(u.vf);
    state_ = std::move(next);
    try {
        save_state(state_path_, state_);
    } catch (const std::exception& e) {
        failed.push_back(fmt::format("state file: {}", e.what()));
    }
    if (plan.num_vfs) {
        try {
            set_num_vfs(*plan.num_vfs, Origin::config);
        } catch (const std::exception& e) {
            failed.push_back(fmt::format("num_vfs {}: {}", *plan.num_vfs, e.what()));
        }
    }
    return failed;
}

}  // namespace sriov::sriovd
