// What the kernel means when it refuses a write to a PF's sriov_numvfs, in words a user can act on.
// Internal to sriov_control.cpp; separate so that every errno case can be tested.
//
// The kernel's sriov_numvfs_store() answers: ERANGE for more than sriov_totalvfs; ENOENT when the
// bound driver has no sriov_configure() (or no driver is bound), and vfio-pci also answers ENOENT
// when loaded without enable_sriov=1; EBUSY when VFs are enabled and the new count is not 0; and
// whatever the driver's sriov_configure() returns otherwise.
#pragma once

#include "sriov/error.hpp"
#include "vfio/pci_address.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sriov::pci {

struct NumVfsContext {
    Address pf;
    unsigned total_vfs = 0;
    std::optional<std::string> driver;        // the PF's driver, nullopt if none
    std::optional<std::string> enable_sriov;  // vfio_pci's enable_sriov parameter ("Y"/"N"), if known
};

// Why the PF's driver cannot enable VFs; e.g. "vfio-pci was loaded without enable_sriov=1 (...)".
// Never throws (except std::bad_alloc).
std::string no_sriov_support_cause(const NumVfsContext& context);

// Whether the context shows, before any write, that the driver cannot enable VFs: no driver bound,
// or vfio-pci with enable_sriov off. Never throws.
bool driver_cannot_enable_vfs(const NumVfsContext& context) noexcept;

// The error for a write of value to sriov_numvfs that failed with err (in write(), or in open() if
// at_open). Codes: invalid_argument (ERANGE, EINVAL), unsupported (ENOENT, ENOSYS, EOPNOTSUPP from
// the write), busy (EBUSY), permission (EACCES, EPERM), not_found (ENOENT from open), io otherwise.
Error numvfs_write_error(const NumVfsContext& context, std::string_view value, int err, bool at_open);

}  // namespace sriov::pci
