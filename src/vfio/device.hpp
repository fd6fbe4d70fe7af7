// A PCI device opened through VFIO: its regions (BARs, config space), interrupts and reset.
#pragma once

#include "vfio/pci_address.hpp"
#include "vfio/region.hpp"
#include "vfio/sysfs.hpp"
#include "vfio/unique_fd.hpp"
#include "vfio/vf_token.hpp"

#include <cstdint>
#include <memory>
#include <chrono>
#include <optional>
#include <string>

namespace sriov::vfio {

class Container;
class Group;

struct RegionInfo {
    unsigned index = 0;
    std::uint64_t size = 0;
    std::uint64_t offset = 0;  // where the region starts in the device fd
    bool readable = false;
    bool writable = false;
    bool mappable = false;
};

struct IrqInfo {
    unsigned index = 0;
    std::uint32_t count = 0;
    bool eventfd = false;
    bool maskable = false;
};

// Region and IRQ indexes of a PCI device, as <linux/vfio.h> numbers them.
enum class PciRegion : unsigned { bar0 = 0, bar1, bar2, bar3, bar4, bar5, rom, config };
enum class PciIrq : unsigned { intx = 0, msi, msix, error, request };

// Offsets in PCI configuration space used here.
inline constexpr std::uint32_t pci_command = 0x04;
inline constexpr std::uint16_t pci_command_memory = 1u << 1;
inline constexpr std::uint16_t pci_command_master = 1u << 2;

class Device {
public:
    struct Options {
        std::optional<VfToken> vf_token;  // needed for a VF whose PF is owned through VFIO
        pci::Sysfs sysfs = pci::Sysfs();
        // How long to wait for a group that another process still holds (Container::attach_group).
        std::chrono::milliseconds busy_wait{0};
    };

    // Opens the device at `address` (canonical "0000:00:02.0") through its IOMMU group, attaching
    // the group to `container` if needed. Throws sriov::Error naming the address: not_found (no
    // such device), no_iommu (no IOMMU group: boot with intel_iommu=on), busy (bound to another
    // driver: names it), vf_token (missing or wrong token for a VF), plus the group's errors
    // (see Container::attach_group).
    static Device open(const std::shared_ptr<Container>& container, const pci::Address& address,
                       const Options& options);
    // What open() checks in sysfs before it touches VFIO: throws its not_found, no_iommu and busy
    // errors for a device that is missing, has no IOMMU group or is not bound to vfio-pci. Lets a
    // caller report those before it opens the container (whose own error, VFIO missing, would
    // otherwise hide a mistyped address). Returns the device's IOMMU group number.
    static int check_openable(const pci::Address& address, const pci::Sysfs& sysfs = pci::Sysfs());
    static Device open(const std::shared_ptr<Container>& container, const pci::Address& address)
    {
        return open(container, address, Options{});
    }

    Device(Device&&) noexcept = default;
    Device& operator=(Device&&) noexcept = default;
    ~Device();

    const pci::Address& address() const { return address_; }
    // The canonical address as text, the subject of every error about this device.
    const std::string& name() const { return name_; }
    int fd() const { return fd_.get(); }
    const std::shared_ptr<Group>& group() const { return group_; }
    unsigned num_regions() const { return num_regions_; }
    unsigned num_irqs() const { return num_irqs_; }
    bool can_reset() const { return can_reset_; }

    // Throws sriov::Error (invalid_argument for an index the device lacks, io otherwise).
    RegionInfo region_info(PciRegion region) const;
    IrqInfo irq_info(PciIrq irq) const;

    // Maps a whole BAR. Throws sriov::Error: unsupported if the region cannot be mmap'ed.
    MappedRegion map(PciRegion bar) const;

    // Configuration-space access through VFIO (vfio-pci virtualises some fields).
    // Throws sriov::Error (io) on a short read or write.
    void read_config(std::uint32_t offset, void* data, std::size_t size) const;
    void write_config(std::uint32_t offset, const void* data, std::size_t size);
    std::uint16_t config16(std::uint32_t offset) const;
    std::uint32_t config32(std::uint32_t offset) const;
    void set_config16(std::uint32_t offset, std::uint16_t value);

    // Sets Memory Space Enable and Bus Master Enable in the command register.
    void enable_bus_master();

    // Sets the VF token of this PF (VFIO_DEVICE_FEATURE_PCI_VF_TOKEN), after which its VFs can be
    // opened only with that token. Throws sriov::Error (unsupported if the kernel or device does
    // not take one, e.g. not a PF or vfio-pci without enable_sriov).
    void set_vf_token(const VfToken& token);

    // Function-level (or the best available) reset via VFIO_DEVICE_RESET. Throws sriov::Error.
    void reset();

private:
    Device() = default;

    std::shared_ptr<Group> group_;
    UniqueFd fd_;
    pci::Address address_;
    std::string name_;
    unsigned num_regions_ = 0;
    unsigned num_irqs_ = 0;
    bool can_reset_ = false;
};

}  // namespace sriov::vfio
