#include "vfio/numvfs_errors.hpp"

#include <cerrno>
#include <cstring>

namespace sriov::pci {

std::string no_sriov_support_cause(const NumVfsContext& c)
{
    if (!c.driver)
        return "no driver is bound to the PF, and VFs are enabled through the PF's driver "
               "(bind vfio-pci loaded with enable_sriov=1, or igb)";
    if (*c.driver == "vfio-pci") {
        if (c.enable_sriov == "N" || c.enable_sriov == "0")
            return "vfio-pci was loaded without enable_sriov=1 (reload it: modprobe -r vfio-pci; "
                   "modprobe vfio-pci enable_sriov=1)";
        return "vfio-pci refused to enable VFs; it was probably loaded without enable_sriov=1 "
               "(modprobe vfio-pci enable_sriov=1)";
    }
    return fmt::format("driver {} does not support enabling VFs through sysfs", *c.driver);
}

bool driver_cannot_enable_vfs(const NumVfsContext& c) noexcept
{
    return !c.driver || (*c.driver == "vfio-pci" && (c.enable_sriov == "N" || c.enable_sriov == "0"));
}

Error numvfs_write_error(const NumVfsContext& c, std::string_view value, int err, bool at_open)
{
    const std::string subject = c.pf.to_string();
    if (at_open && err == ENOENT)
        return Error(Errc::not_found, subject, "the PF has no sriov_numvfs attribute");
    switch (err) {
    case ERANGE:
        return Error(Errc::invalid_argument, subject,
                     fmt::format("the kernel refused {} VFs: the PF supports at most {} (sriov_totalvfs)",
                                 value, c.total_vfs));
    case ENOENT:
    case ENOSYS:
    case EOPNOTSUPP: return Error(Errc::unsupported, subject, no_sriov_support_cause(c));
    case EBUSY:
        return Error(Errc::busy, subject,
                     fmt::format("the kernel refused {} VFs while VFs are enabled (it needs 0 first), or the "
                                 "driver {} is busy",
                                 value, c.driver.value_or("(none)")));
    case EACCES:
    case EPERM:
        return Error(Errc::permission, subject,
                     fmt::format("writing sriov_numvfs needs root: {}", std::strerror(err)));
    default: break;
    }
    return system_error(subject, fmt::format("writing \"{}\" to sriov_numvfs", value), err);
}

}  // namespace sriov::pci
