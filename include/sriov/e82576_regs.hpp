// Intel 82576 registers and bits, named as the datasheet and Linux's igb/igbvf name them.
//
// One header for PF and VF code alike. Offsets are byte offsets into the function's BAR0; every
// access is an aligned 32-bit read or write. Facts: ../shared/reference/igb-82576.md (sections
// given per group). Registers are data: offset, stride and count for arrays, and access mode, so
// that code and the register model treat read-to-clear and write-1-to-clear bits the same way.
#pragma once

#include <cstdint>

namespace sriov::e82576 {

inline constexpr std::uint16_t vendor_intel = 0x8086;
inline constexpr std::uint16_t device_pf = 0x10c9;
inline constexpr std::uint16_t device_vf = 0x10ca;
inline constexpr unsigned max_vfs = 7;  // Linux keeps pool 7 for the PF; the device advertises 8

enum class Access {
    rw,   // read/write
    ro,   // read-only
    rc,   // read-to-clear
    w1c,  // write 1 to clear
};

struct Reg {
    std::uint32_t offset;
    Access access;
    std::uint32_t stride = 0;  // for arrays: distance between entries
    std::uint32_t count = 1;   // for arrays: number of entries
    constexpr std::uint32_t at(unsigned n) const { return offset + stride * n; }
};

// --- PF registers (fact sheet section 2.1) ---
inline constexpr Reg CTRL{0x0000, Access::rw};
inline constexpr Reg STATUS{0x0008, Access::ro};
inline constexpr Reg CTRL_EXT{0x0018, Access::rw};
inline constexpr Reg ICR{0x00C0, Access::w1c};  // in MSI-X mode without GPIE.NSICR a read does not clear
inline constexpr Reg ICS{0x00C8, Access::rw};   // write: set causes in ICR
inline constexpr Reg IMS{0x00D0, Access::rw};   // write: enable causes
inline constexpr Reg IMC{0x00D8, Access::rw};   // write: disable causes
inline constexpr Reg VMBMEM{0x0800, Access::rw, 0x40, 8};     // 16 dwords per VF
inline constexpr Reg P2VMAILBOX{0x0C00, Access::rw, 4, 8};    // PF side of VF n's mailbox
inline constexpr Reg MBVFICR{0x0C80, Access::w1c};
inline constexpr Reg VFLRE{0x0C88, Access::w1c};
inline constexpr Reg GPIE{0x1514, Access::rw};
inline constexpr Reg EICS{0x1520, Access::rw};  // write: set MSI-X causes
inline constexpr Reg EIMS{0x1524, Access::rw};  // write: enable MSI-X causes
inline constexpr Reg EIMC{0x1528, Access::rw};  // write: disable MSI-X causes
inline constexpr Reg EICR{0x1580, Access::rc};  // MSI-X causes; a read clears all, a write clears bits
inline constexpr Reg IVAR_MISC{0x1740, Access::rw};  // b15:8 vector of "other" causes, b15 VALID

namespace status {
inline constexpr std::uint32_t FD = 1u << 0;   // full duplex
inline constexpr std::uint32_t LU = 1u << 1;   // link up
}  // namespace status

// ICR / ICS / IMS / IMC bits (fact sheet section 2.7).
namespace icr {
inline constexpr std::uint32_t LSC = 1u << 2;   // link status change
inline constexpr std::uint32_t VMMB = 1u << 8;  // VF mailbox request/ack or VF reset
}  // namespace icr

namespace gpie {
inline constexpr std::uint32_t NSICR = 1u << 0;      // a read of ICR clears it
inline constexpr std::uint32_t MSIX_MODE = 1u << 4;  // causes go to MSI-X vectors (needed for VFs too)
inline constexpr std::uint32_t EIAME = 1u << 30;
inline constexpr std::uint32_t PBA = 1u << 31;
}  // namespace gpie

namespace ivar {
inline constexpr std::uint32_t VALID = 0x80;  // in each byte of IVAR / IVAR_MISC
// IVAR_MISC value routing the "other" causes to MSI-X vector `vector`.
constexpr std::uint32_t misc_other(unsigned vector) { return (vector | VALID) << 8; }
}  // namespace ivar

// --- VF registers (fact sheet section 3.1), offsets into the VF's BAR0 ---
inline constexpr Reg VTCTRL{0x0000, Access::rw};
inline constexpr Reg VTSTATUS{0x0008, Access::ro};
inline constexpr Reg VFMAILBOX{0x0C40, Access::rw};
inline constexpr Reg VF_VMBMEM{0x0800, Access::rw, 4, 16};

// VFMAILBOX bits (fact sheet section 5.2); PFSTS, PFACK and RSTD clear when read.
namespace vfmailbox {
inline constexpr std::uint32_t REQ = 1u << 0;    // VF: message for the PF is in VMBMEM
inline constexpr std::uint32_t ACK = 1u << 1;    // VF: PF's message was read
inline constexpr std::uint32_t VFU = 1u << 2;    // VF owns the buffer
inline constexpr std::uint32_t PFU = 1u << 3;    // PF owns the buffer
inline constexpr std::uint32_t PFSTS = 1u << 4;  // PF wrote a message
inline constexpr std::uint32_t PFACK = 1u << 5;  // PF acknowledged the VF's message
inline constexpr std::uint32_t RSTI = 1u << 6;   // PF reset in progress
inline constexpr std::uint32_t RSTD = 1u << 7;   // PF reset done
}  // namespace vfmailbox

}  // namespace sriov::e82576
