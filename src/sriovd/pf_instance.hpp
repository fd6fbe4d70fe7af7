// One PF as sriovd runs it: its effective configuration (the file with the state file's run-time
// values laid over it) and its state file, the backend that reaches the device (pf_backend.hpp),
// the VFs' life (created or adopted at start, removed at exit if configured, their count changed
// at run time), and its answers on the control socket. sriovd runs one per [[pf]] of its configuration,
// all on one event loop.
#pragma once

#include "config_file.hpp"
#include "config_reload.hpp"
#include "control_handler.hpp"
#include "pf_backend.hpp"
#include "pf_shared.hpp"
#include "state_file.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sriov::sriovd {

class PfInstance {
public:
    // The PF's state file in state_dir, e.g. "state-0000:00:02.0.json".
    static std::string state_file_for(const pci::Address& pf);

    // Lays the state file over configured and opens the PF through its backend (for owner
    // "sriovd": claims the PF for vfio-pci and brings it up); the VFs are provisioned later
    // (provision()). Throws sriov::Error as run_daemon() documents.
    PfInstance(const DaemonConfig& configured, const std::filesystem::path& state_dir, PfShared shared);
    ~PfInstance();
    PfInstance(const PfInstance&) = delete;
    PfInstance& operator=(const PfInstance&) = delete;

    // Creates the VFs, or adopts those a previous sriovd left, and binds their drivers. Blocks:
    // call off the event loop. Returns false if that failed (logged).
    bool provision();
    // Removes the VFs if the configuration says so. Blocks: off the loop. False if that failed.
    bool finish();

    const pci::Address& address() const { return backend_->address(); }
    // "sriovd" or "kernel" (pf_backend.hpp).
    std::string_view owner() const { return backend_->owner(); }
    ControlHandler& control() { return *control_; }
    // Logs what stays (the VFs, unless removed). Call after the loop stopped.
    void log_exit() const;

    // What a reload of the configuration starts from (config_reload.hpp).
    RunningPf running() const { return {configured_, state_}; }
    // Makes what plan says of this PF, on the loop: each VF's update programmed (a VF the device
    // refuses keeps what it had and its state), the state file kept, a change of the VF count
    // started. Returns a line for each of these that failed (nothing else is undone for it).
    std::vector<std::string> reload(const PfReload& plan);

private:
    // A change of the VF count; origin is what the state file then says of the count.
    void set_num_vfs(unsigned n, Origin origin);
    std::vector<pf::VfAdmin> record_num_vfs(unsigned m, Origin origin);
    void keep_mac(unsigned vf, const MacAddress& mac);

    DaemonConfig configured_;  // as the configuration file has it (new VFs start from it)
    DaemonConfig daemon_;      // effective
    PfState state_;
    std::filesystem::path state_path_;
    PfShared shared_;
    std::unique_ptr<PfBackend> backend_;
    std::unique_ptr<ControlHandler> control_;
};

}  // namespace sriov::sriovd
