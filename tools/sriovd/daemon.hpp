// sriovd's run: take the PF, bring it up, create the VFs, serve their mailbox until SIGINT or
// SIGTERM, remove the VFs.
#pragma once

#include "options.hpp"

namespace sriov::sriovd {

// Runs sriovd with these options until SIGINT or SIGTERM. Returns 0 when it stopped as asked and
// the VFs were removed, 1 when creating or removing the VFs failed (logged).
// Throws sriov::Error for what stops it from starting at all: bad options (invalid_argument), the
// PF cannot be taken for vfio-pci or opened, its bring-up failed, the token file cannot be written.
int run_daemon(const Options& options);

}  // namespace sriov::sriovd
