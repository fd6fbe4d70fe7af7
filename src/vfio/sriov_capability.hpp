// The SR-IOV extended capability (PCIe Base Specification, "Single Root I/O Virtualization and
// Sharing Extended Capability"): where its registers sit, and how a VF's address follows from them.
#pragma once

#include "vfio/pci_address.hpp"

#include <cstdint>

namespace sriov::pci::sriov_cap {

// Extended capability id of SR-IOV in the PCIe extended capability list (which starts at 0x100).
inline constexpr std::uint16_t id = 0x0010;

// Register offsets from the start of the capability.
inline constexpr int capabilities = 0x04;     // u32 SR-IOV Capabilities
inline constexpr int control = 0x08;          // u16 SR-IOV Control
inline constexpr int status = 0x0a;           // u16 SR-IOV Status
inline constexpr int initial_vfs = 0x0c;      // u16 InitialVFs
inline constexpr int total_vfs = 0x0e;        // u16 TotalVFs
inline constexpr int num_vfs = 0x10;          // u16 NumVFs
inline constexpr int function_link = 0x12;    // u8  Function Dependency Link
inline constexpr int first_vf_offset = 0x14;  // u16 First VF Offset
inline constexpr int vf_stride = 0x16;        // u16 VF Stride
inline constexpr int vf_device_id = 0x1a;     // u16 VF Device ID

// Bits of the SR-IOV Control register.
inline constexpr std::uint16_t control_vf_enable = 1u << 0;
inline constexpr std::uint16_t control_ari_capable = 1u << 4;  // ARI Capable Hierarchy

// The address of VF n (0-based) of the PF at pf, given the First VF Offset and VF Stride the PF
// reports: routing id = PF routing id + offset + n * stride, in the PF's domain. The sum may carry
// into the bus number, which places VFs on a bus above the PF's. With ARI the device and function
// fields together form one 8-bit function number, but Linux still names the function by splitting
// those 8 bits as device (5) and function (3), which is what this returns; offset and stride already
// reflect ARI because the PF reports them for the ARI Capable Hierarchy setting the kernel chose.
// Throws sriov::Error(Errc::protocol, pf) if the result would lie beyond bus 0xff.
Address vf_address(const Address& pf, std::uint16_t offset, std::uint16_t stride, unsigned n);

}  // namespace sriov::pci::sriov_cap

namespace sriov::pci {

// The SR-IOV capability's registers as read from a PF's config space.
struct SriovRegisters {
    std::uint16_t cap_offset = 0;  // where the capability starts in config space
    std::uint16_t control = 0;
    std::uint16_t initial_vfs = 0;
    std::uint16_t total_vfs = 0;
    std::uint16_t num_vfs = 0;
    std::uint16_t vf_offset = 0;
    std::uint16_t vf_stride = 0;
    std::uint16_t vf_device_id = 0;
};

}  // namespace sriov::pci
