// Device identity, names and the SR-IOV capability read through libpci (pciutils).
//
// libpci reads config space through <sysfs root>/bus/pci (its "sysfs.path" parameter), so it sees
// the same tree as Sysfs, including a fake one in tests. Internal to sriov_vfio; pci_discovery.hpp
// is the public face.
#pragma once

#include "vfio/pci_address.hpp"
#include "vfio/sriov_capability.hpp"
#include "vfio/sysfs.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

struct pci_access;

namespace sriov::pci {

struct LibPciDevice {
    std::uint16_t vendor_id = 0;
    std::uint16_t device_id = 0;
    std::uint32_t class_code = 0;            // 24 bits: base class, subclass, programming interface
    std::optional<std::string> vendor_name;  // from the PCI ID database, if it knows the id
    std::optional<std::string> device_name;
    std::optional<SriovRegisters> sriov;  // nullopt if config space shows no SR-IOV capability
};

class LibPci {
public:
    // ids_file: the PCI ID database to use instead of the system's (and then udev's hwdb is not
    // consulted either, so names come only from that file); nullopt for libpci's defaults.
    // Throws sriov::Error(Errc::io, "libpci", ...) if libpci cannot be set up.
    LibPci(const Sysfs& sysfs, std::optional<std::filesystem::path> ids_file);
    ~LibPci();
    LibPci(const LibPci&) = delete;
    LibPci& operator=(const LibPci&) = delete;

    // Identity, class, names and SR-IOV registers of one device. Config space that cannot be read
    // (for example beyond the first 64 bytes when not root) simply shows no SR-IOV capability.
    // Throws sriov::Error(Errc::io, address, "libpci: ...") if libpci reports a fatal error, such as
    // a missing vendor, device or class attribute.
    LibPciDevice describe(const Address& address);

private:
    struct Deleter {
        void operator()(pci_access* access) const noexcept;
    };
    std::unique_ptr<pci_access, Deleter> access_;
};

}  // namespace sriov::pci
