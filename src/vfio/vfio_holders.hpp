// Finding the processes that hold PCI devices open through VFIO, by looking through /proc.
//
// What Linux shows of a VFIO user in /proc/<pid>:
//   fd/<n> -> /dev/vfio/<group>            a group fd (legacy group/container API). The group
//                                          names the device: this is the reliable match.
//   fd/<n> -> /dev/vfio/devices/vfio<k>    a device cdev fd (iommufd API); <k> is listed in the
//                                          device's sysfs vfio-dev/ directory.
//   fd/<n> -> anon_inode:[vfio-device]     a device fd got from a group. Every VFIO device shares
//                                          this one anonymous inode, so the link does not say which.
//                                          Since Linux 6.18 fdinfo/<n> has a "vfio-device-syspath:"
//                                          line that does; the testbed's 6.12 has none.
//   maps: ... anon_inode:[vfio-device]     a BAR mapped from a device fd. The mapping keeps the
//                                          device open even after every fd is closed, and it too
//                                          does not say which device.
// A user may close the group fd once it has the device fd, so a device fd or mapping without a
// name is still reported, as a possible holder, when the process is not already known to hold one
// of the devices. The container (/dev/vfio/vfio) holds no device and is ignored.
#pragma once

#include "vfio/pci_address.hpp"
#include "vfio/sysfs.hpp"

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sriov::pci {

// What identifies one device's VFIO files.
struct VfioTarget {
    Address address;
    std::optional<unsigned> iommu_group;  // /dev/vfio/<group>
    std::vector<std::string> cdevs;       // e.g. "vfio0" for /dev/vfio/devices/vfio0
};

struct VfioHolder {
    pid_t pid = 0;
    std::string comm;               // the process's name, from /proc/<pid>/comm
    std::optional<Address> device;  // nullopt: holds a VFIO device that the kernel does not name
    std::string through;            // what shows it: "/dev/vfio/7", "a VFIO device fd", ...
};

struct HolderScan {
    std::vector<VfioHolder> holders;  // those naming a device first, then possible ones; by pid
    std::size_t uninspectable = 0;    // processes whose fds could not be read (not root)
};

// The target for a device, from its iommu_group link and vfio-dev directory in sysfs.
// Throws sriov::Error as Sysfs::link_name() and Sysfs::list() do.
VfioTarget vfio_target(const Sysfs& sysfs, const Address& address);

// Scans <proc_root>/<pid>/{fd,fdinfo,maps} of every process for the targets. Processes that vanish
// during the scan are skipped; those that may not be inspected are counted. Never throws (except
// std::bad_alloc).
HolderScan find_vfio_holders(const std::filesystem::path& proc_root, const std::vector<VfioTarget>& targets);

// "pid 4242 (qemu-system-x86) holds 0000:00:12.0 (/dev/vfio/7)"; for a possible holder
// "pid 77 (sriovd) has a VFIO device fd whose device the kernel does not name". Never throws
// (except std::bad_alloc).
std::string to_string(const VfioHolder& holder);

// The holders joined by "; ", plus a note on uninspectable processes; "no process" if none.
std::string describe(const HolderScan& scan);

}  // namespace sriov::pci
