// sriovd's run: take the PF, bring it up, create the VFs (or take back those a previous sriovd
// left), serve their mailbox until SIGINT or SIGTERM. The VFs are kept at exit, so that their
// drivers keep running across a restart, unless asked to remove them.
#pragma once

#include "options.hpp"

namespace sriov::sriovd {

// Runs sriovd with these options until SIGINT or SIGTERM. Returns 0 when it stopped as asked (and,
// with remove_vfs_on_exit, the VFs were removed), 1 when creating, adopting or removing the VFs
// failed (logged).
// Throws sriov::Error for what stops it from starting at all: bad options (invalid_argument), the
// state directory or the VF token in it cannot be made or read, the state file is corrupt
// (protocol) or cannot be written, the PF cannot be taken for
// vfio-pci or opened, its bring-up failed, the token file cannot be written.
int run_daemon(const Options& options);

}  // namespace sriov::sriovd
