// What a reload of the configuration file (SIGHUP, `systemctl reload sriovd`) changes, decided
// apart from the running daemon so that it can be tested as data: the configuration sriovd runs
// with, the one just read, and each PF's state file in, the changes to make and the lines to log
// out. Nothing here touches a device or a file.
//
// The precedence is the state file's (state_file.hpp), value by value: a value changed at run
// time (vfctl; origin "runtime") keeps winning over the file, whatever the file now says; every
// other value becomes the file's. A key removed from a VF's [[pf.vf]] table goes back to its
// default where the file was its origin. On a kernel-owned PF, a key that stops being declared is
// written once with its default (vlan 0, trust off...); a VF whose table is removed or that
// becomes managed = false is left as it is, unmanaged from then on; one managed again has all it
// declares written.
//
// What sriovd cannot change while it runs stays as it is and is reported, one line per key, for a
// restart: the [[pf]] list and each PF's owner, [daemon] state_dir, group and timeout_s,
// [policing], [metrics] listen, and a VF's driver. The VF count follows the file where it was not
// changed at run time: it is changed as `vfctl set PF numvfs N` would (the VFs are removed and made
// again), and keeps its origin "config".
//
// A file that does not parse, or a value refused (by the checks sriovd makes at start: the owner's
// keys, [policing], the VF policy with the run-time values laid over the file's), refuses the
// whole reload: plan_reload() throws and nothing changes.
#pragma once

#include "config_file.hpp"
#include "state_file.hpp"

#include <optional>
#include <string>
#include <vector>

namespace sriov::sriovd {

// One PF as it runs: its configuration as the file had it (owner and PCI address resolved, as
// PfInstance keeps it) and its state file's contents.
struct RunningPf {
    const DaemonConfig& configured;
    const PfState& state;
};

// A VF's settings to program: all of admin, of which keys (state file keys) changed.
struct VfUpdate {
    unsigned vf = 0;
    pf::VfAdmin admin;
    std::vector<std::string> keys;
    friend bool operator==(const VfUpdate&, const VfUpdate&) = default;
};

// What one PF of the running daemon becomes.
struct PfReload {
    std::size_t index = 0;     // the PF's place in the running list
    DaemonConfig configured;   // the file's view of it now (owner and PCI address resolved)
    DaemonConfig effective;    // what it runs with: the new file, run-time values over it, and
                               // what needs a restart as it was; its VF count is the current one
    PfState state;             // its state file once the updates are made
    std::vector<VfUpdate> updates;   // VFs below both the current and the new count
    std::optional<unsigned> num_vfs; // a change of the VF count to start, if the file's changed
    std::vector<std::string> changes;  // "VF 0: mac 02:..:01 -> 02:..:02", "num_vfs 2 -> 3"
    std::vector<std::string> kept;     // values changed at run time that the file changed too
};

struct ReloadPlan {
    std::vector<std::string> changes;  // what changed for the whole daemon
    std::vector<std::string> restart;  // one line per key that needs a restart, naming it
    std::vector<PfReload> pfs;         // every running PF that the new file still lists
    bool remove_vfs_on_exit = false;   // [daemon] remove_vfs_on_exit as it is now
};

// The reload from running_config (the configuration sriovd started with, remove_vfs_on_exit as
// the last reload left it) and its PFs (in the order of all_pfs(running_config)) to next (as
// daemon_config() just read it).
// Throws sriov::Error (invalid_argument or protocol) naming what is refused: then nothing may be
// changed. Otherwise never throws (but bad_alloc).
ReloadPlan plan_reload(const DaemonConfig& running_config, const std::vector<RunningPf>& running,
                       const DaemonConfig& next);

}  // namespace sriov::sriovd
