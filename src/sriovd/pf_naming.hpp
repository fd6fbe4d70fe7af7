// Which PF a [[pf]] table names and who owns it. A PF is named by PCI address, vendor:device or
// network interface; sriovd tracks it by PCI address from then on, since an interface name may
// change when the driver is bound again.
#pragma once

#include "config_file.hpp"
#include "vfio/pci_address.hpp"
#include "vfio/sysfs.hpp"

#include <optional>
#include <string>

namespace sriov::sriovd {

struct NamedPf {
    pci::Address address;
    std::string owner;      // owner_sriovd or owner_kernel
    std::string driver;     // the PF's driver now; empty: none
    std::string interface;  // its network interface now; empty: none
};

// The network interface of the PCI function at address (its <device>/net/ entry), if it has one.
// Never throws (but bad_alloc).
std::optional<std::string> interface_of(const pci::Address& address, const pci::Sysfs& sysfs = pci::Sysfs());

// The PF config names, and its owner: config.owner, or if that is empty, "kernel" when the PF is
// bound to a driver that gave it a network interface and "sriovd" otherwise (vfio-pci, or none).
// Throws sriov::Error: not_found for an interface or vendor:device that no PF has (the message
// says how to list them), invalid_argument for a malformed PCI address, and for an interface
// named with owner "sriovd".
NamedPf find_named_pf(const DaemonConfig& config, const pci::Sysfs& sysfs = pci::Sysfs());

}  // namespace sriov::sriovd
