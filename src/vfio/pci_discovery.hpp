// Finding PCI devices: identity and names (libpci), driver and IOMMU group (sysfs), and for SR-IOV
// PFs the capability's values and the addresses of their VFs.
#pragma once

#include "vfio/pci_address.hpp"
#include "vfio/sysfs.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sriov::pci {

// What a PF's SR-IOV capability says, and its VFs.
//
// Where sysfs has an attribute for a value (sriov_totalvfs, sriov_offset, sriov_stride,
// sriov_vf_device) the kernel's value is used; config space is the fallback, and is the only source
// of initial_vfs. Disagreements between the two are listed in notes.
//
// num_vfs is the number of virtfn<n> links, which the kernel keeps equal to its NumVFs, checked
// against config space. The sriov_numvfs attribute is deliberately not read: the kernel takes the
// PF's device lock to show it, so reading it blocks for as long as a change of sriov_numvfs is
// stuck in the kernel (see sriov_control.hpp), and discovery must never block.
struct SriovInfo {
    std::uint16_t total_vfs = 0;
    std::uint16_t num_vfs = 0;
    std::uint16_t vf_offset = 0;
    std::uint16_t vf_stride = 0;
    std::uint16_t vf_device_id = 0;
    std::optional<std::uint16_t> initial_vfs;  // only known from config space
    std::optional<std::uint16_t> cap_offset;   // nullopt if config space could not be read (non-root)
    std::vector<Address> vfs;                  // the VFs the kernel has, in VF order (virtfn<n>)
    std::vector<std::string> notes;            // disagreements between config space and sysfs
};

struct Device {
    Address address;
    std::uint16_t vendor_id = 0;
    std::uint16_t device_id = 0;
    std::uint32_t class_code = 0;         // 24 bits, e.g. 0x020000 for an Ethernet controller
    std::string vendor_name;              // from the PCI ID database, else the id in hex ("8086")
    std::string device_name;              // likewise ("10c9")
    std::optional<std::string> driver;    // bound driver, e.g. "vfio-pci"; nullopt if none
    std::optional<unsigned> iommu_group;  // nullopt if the device has no IOMMU group
    std::optional<Address> physfn;        // for a VF: its PF
    std::optional<SriovInfo> sriov;       // for a PF with SR-IOV

    bool is_vf() const noexcept { return physfn.has_value(); }
    bool is_pf() const noexcept { return sriov.has_value(); }
};

struct DiscoveryOptions {
    // PCI ID database for names; nullopt for libpci's default (the system's pci.ids, udev's hwdb).
    std::optional<std::filesystem::path> pci_ids;
};

class PciDiscovery {
public:
    explicit PciDiscovery(Sysfs sysfs = Sysfs(), DiscoveryOptions options = {});

    // Every PCI function under <root>/bus/pci/devices, sorted by address. Entries whose names are
    // not PCI addresses are skipped.
    // Throws sriov::Error: not_found if <root>/bus/pci/devices does not exist (no PCI, or a wrong
    // sysfs root); otherwise as device().
    std::vector<Device> list() const;

    // One device.
    // Throws sriov::Error with the address as subject: not_found if there is no such device; io if
    // libpci cannot read its identity; protocol if sysfs holds something malformed (a bad number,
    // a virtfn link that does not name a PCI address).
    Device device(const Address& address) const;

private:
    Sysfs sysfs_;
    DiscoveryOptions options_;
};

// The PF's virtfn<n> links, by n: the VFs the kernel has created, one link each. Reading them never
// blocks, unlike reading sriov_numvfs.
// Throws sriov::Error(subject = pf): not_found if there is no such device; protocol if a link does
// not point to a PCI address.
std::map<unsigned, Address> virtfn_links(const Sysfs& sysfs, const Address& pf);

// --- Filters over a list() result. None of these throw (except std::bad_alloc). ---

// The SR-IOV PFs with the given vendor and device id, e.g. (0x8086, 0x10c9) for the 82576.
std::vector<Device> find_pfs(const std::vector<Device>& devices, std::uint16_t vendor_id,
                             std::uint16_t device_id);

// All devices with the given vendor and device id, PF or not.
std::vector<Device> find_by_id(const std::vector<Device>& devices, std::uint16_t vendor_id,
                               std::uint16_t device_id);

// The device at address, or nullptr. The pointer is into devices.
const Device* find_by_address(const std::vector<Device>& devices, const Address& address);

// The VFs of pf found in devices, in VF order.
std::vector<Device> vfs_of(const std::vector<Device>& devices, const Device& pf);

}  // namespace sriov::pci
