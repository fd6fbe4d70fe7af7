// Intel 82576 registers and bits, named as the datasheet and Linux's igb/igbvf name them.
//
// One header for PF and VF code alike, and for the register model. Offsets are byte offsets into
// the function's BAR0; every access is an aligned 32-bit read or write. Facts:
// ../shared/reference/igb-82576.md (section given per group). Registers are data: offset, access
// mode, and stride and count for arrays, so that drivers and the model treat read-to-clear and
// write-1-to-clear registers the same way.
#pragma once

#include <cstdint>

namespace sriov::e82576 {

inline constexpr std::uint16_t vendor_intel = 0x8086;
inline constexpr std::uint16_t device_pf = 0x10c9;
inline constexpr std::uint16_t device_vf = 0x10ca;
inline constexpr unsigned total_vfs = 8;  // what the device advertises
inline constexpr unsigned max_vfs = 7;    // what Linux enables: pool 7 stays the PF's (section 2.3)
inline constexpr unsigned num_pools = 8;
inline constexpr unsigned num_rar = 24;   // receive address (RAR) entries
inline constexpr unsigned num_vlvf = 32;  // VLAN pool filter entries
inline constexpr unsigned mailbox_words = 16;

enum class Access {
    rw,   // read/write
    ro,   // read-only
    rc,   // read-to-clear
    w1c,  // write 1 to clear
    wo,   // write-only (reads return nothing useful)
};

struct Reg {
    std::uint32_t offset;
    Access access;
    std::uint32_t stride = 0;  // arrays: distance between entries
    std::uint32_t count = 1;   // arrays: number of entries
    constexpr std::uint32_t at(unsigned n) const { return offset + stride * n; }
};

// ---------------------------------------------------------------------------------------------
// PF registers (section 2.1)
// ---------------------------------------------------------------------------------------------
inline constexpr Reg CTRL{0x0000, Access::rw};
inline constexpr Reg STATUS{0x0008, Access::ro};
inline constexpr Reg EECD{0x0010, Access::rw};
inline constexpr Reg EERD{0x0014, Access::rw};
inline constexpr Reg CTRL_EXT{0x0018, Access::rw};
inline constexpr Reg MDIC{0x0020, Access::rw};
inline constexpr Reg VET{0x0038, Access::rw};
inline constexpr Reg ICR{0x00C0, Access::w1c};  // in MSI-X mode without GPIE.NSICR a read does not clear
inline constexpr Reg ICS{0x00C8, Access::wo};   // write: set causes in ICR
inline constexpr Reg IMS{0x00D0, Access::rw};   // write: enable causes
inline constexpr Reg IMC{0x00D8, Access::wo};   // write: disable causes
inline constexpr Reg IAM{0x00E0, Access::rw};
inline constexpr Reg RCTL{0x0100, Access::rw};
inline constexpr Reg TCTL{0x0400, Access::rw};
inline constexpr Reg VMBMEM{0x0800, Access::rw, 0x40, 8};   // VF n's 16 mailbox words
inline constexpr Reg P2VMAILBOX{0x0C00, Access::rw, 4, 8};  // PF side of VF n's mailbox
inline constexpr Reg MBVFICR{0x0C80, Access::w1c};
inline constexpr Reg MBVFIMR{0x0C84, Access::rw};
inline constexpr Reg VFLRE{0x0C88, Access::w1c};
inline constexpr Reg VFRE{0x0C8C, Access::rw};
inline constexpr Reg VFTE{0x0C90, Access::rw};
inline constexpr Reg GPIE{0x1514, Access::rw};
inline constexpr Reg EICS{0x1520, Access::wo};  // write: set MSI-X causes
inline constexpr Reg EIMS{0x1524, Access::rw};  // write: enable MSI-X causes
inline constexpr Reg EIMC{0x1528, Access::wo};  // write: disable MSI-X causes
inline constexpr Reg EIAC{0x152C, Access::rw};
inline constexpr Reg EIAM{0x1530, Access::rw};
inline constexpr Reg EICR{0x1580, Access::rc};  // a read clears all bits, a write clears the written ones
inline constexpr Reg EITR{0x1680, Access::rw, 4, 25};  // kept by a software reset (section 2.2)
inline constexpr Reg IVAR0{0x1700, Access::rw, 4, 8};
inline constexpr Reg IVAR_MISC{0x1740, Access::rw};
inline constexpr Reg RXPBS{0x2404, Access::rw};  // RX packet buffer size; kept by a software reset (2.2)
inline constexpr Reg QDE{0x2408, Access::rw};
inline constexpr Reg TXPBS{0x3404, Access::rw};  // TX packet buffer size; kept by a software reset (2.2)
inline constexpr Reg DTXSWC{0x3500, Access::rw};
inline constexpr Reg WVBR{0x3554, Access::rc};
inline constexpr Reg DTXCTL{0x3590, Access::rw};
inline constexpr Reg RTTDQSEL{0x3604, Access::rw};  // TX queue whose RTTBCNRC is accessed (2.9)
inline constexpr Reg RTTBCNRM{0x3690, Access::rw};
inline constexpr Reg RTTBCNRC{0x36B0, Access::rw};  // rate control of the queue RTTDQSEL selects
inline constexpr Reg VMVIR{0x3700, Access::rw, 4, 8};
inline constexpr Reg RXCSUM{0x5000, Access::rw};
inline constexpr Reg RLPML{0x5004, Access::rw};
inline constexpr Reg MTA{0x5200, Access::rw, 4, 128};
inline constexpr Reg VFTA{0x5600, Access::rw, 4, 128};
inline constexpr Reg MRQC{0x5818, Access::rw};
inline constexpr Reg VT_CTL{0x581C, Access::rw};
inline constexpr Reg VMOLR{0x5AD0, Access::rw, 4, 8};
inline constexpr Reg RPLOLR{0x5AF0, Access::rw};
inline constexpr Reg VLVF{0x5D00, Access::rw, 4, 32};
inline constexpr Reg UTA{0xA000, Access::rw, 4, 128};

// Receive address entries: 0..15 at 0x5400, 16..23 at 0x54E0, 8 bytes apart (RAL then RAH).
constexpr std::uint32_t RAL(unsigned n) { return n < 16 ? 0x5400 + 8 * n : 0x54E0 + 8 * (n - 16); }
constexpr std::uint32_t RAH(unsigned n) { return RAL(n) + 4; }
// The RAR entry of VF n's MAC, counted down from the last: 23 for VF 0 (Linux, DPDK; section 2.3).
constexpr unsigned vf_rar_entry(unsigned vf) { return num_rar - 1 - vf; }

// PF queue registers, queue n = 0..15 (section 2.1).
constexpr std::uint32_t RDBAL(unsigned n) { return 0xC000 + 0x40 * n; }
constexpr std::uint32_t RDBAH(unsigned n) { return RDBAL(n) + 0x04; }
constexpr std::uint32_t RDLEN(unsigned n) { return RDBAL(n) + 0x08; }
constexpr std::uint32_t SRRCTL(unsigned n) { return RDBAL(n) + 0x0C; }
constexpr std::uint32_t RDH(unsigned n) { return RDBAL(n) + 0x10; }
constexpr std::uint32_t RXCTL(unsigned n) { return RDBAL(n) + 0x14; }  // DCA control
constexpr std::uint32_t RDT(unsigned n) { return RDBAL(n) + 0x18; }
constexpr std::uint32_t RXDCTL(unsigned n) { return RDBAL(n) + 0x28; }
constexpr std::uint32_t RQDPC(unsigned n) { return RDBAL(n) + 0x30; }  // drop count, read-to-clear
constexpr std::uint32_t TDBAL(unsigned n) { return 0xE000 + 0x40 * n; }
constexpr std::uint32_t TDBAH(unsigned n) { return TDBAL(n) + 0x04; }
constexpr std::uint32_t TDLEN(unsigned n) { return TDBAL(n) + 0x08; }
constexpr std::uint32_t TDH(unsigned n) { return TDBAL(n) + 0x10; }
constexpr std::uint32_t TXCTL(unsigned n) { return TDBAL(n) + 0x14; }  // DCA control
constexpr std::uint32_t TDT(unsigned n) { return TDBAL(n) + 0x18; }
constexpr std::uint32_t TXDCTL(unsigned n) { return TDBAL(n) + 0x28; }
constexpr std::uint32_t TDWBAL(unsigned n) { return TDBAL(n) + 0x38; }  // head write-back address
constexpr std::uint32_t TDWBAH(unsigned n) { return TDBAL(n) + 0x3C; }

// Queues 0..3 also appear at 0x2800 / 0x3800 + 0x100 * n with the same field offsets (section 2.1).
inline constexpr std::uint32_t RX_QUEUE_ALIAS_BASE = 0x2800;
inline constexpr std::uint32_t TX_QUEUE_ALIAS_BASE = 0x3800;
inline constexpr std::uint32_t QUEUE_ALIAS_STRIDE = 0x100;
inline constexpr unsigned num_alias_queues = 4;
inline constexpr std::uint32_t QUEUE_STRIDE = 0x40;  // between queues at 0xC000 / 0xE000
inline constexpr unsigned num_queues = 16;

// The PF's window on VF n's registers (section 2.1, "PF mirror of VF n").
inline constexpr std::uint32_t PVT_BASE = 0x10000;
inline constexpr std::uint32_t PVT_STRIDE = 0x100;
constexpr std::uint32_t PVTCTRL(unsigned n) { return PVT_BASE + PVT_STRIDE * n; }
constexpr std::uint32_t PVFGPRC(unsigned n) { return PVTCTRL(n) + 0x10; }
constexpr std::uint32_t PVFGPTC(unsigned n) { return PVTCTRL(n) + 0x14; }
constexpr std::uint32_t PVFGORC(unsigned n) { return PVTCTRL(n) + 0x18; }
constexpr std::uint32_t PVTEICS(unsigned n) { return PVTCTRL(n) + 0x20; }
constexpr std::uint32_t PVTEIMS(unsigned n) { return PVTCTRL(n) + 0x24; }
constexpr std::uint32_t PVTEIMC(unsigned n) { return PVTCTRL(n) + 0x28; }
constexpr std::uint32_t PVTEIAC(unsigned n) { return PVTCTRL(n) + 0x2C; }
constexpr std::uint32_t PVTEIAM(unsigned n) { return PVTCTRL(n) + 0x30; }
constexpr std::uint32_t PVFGOTC(unsigned n) { return PVTCTRL(n) + 0x34; }
constexpr std::uint32_t PVFMPRC(unsigned n) { return PVTCTRL(n) + 0x3C; }
constexpr std::uint32_t PVFGPRLBC(unsigned n) { return PVTCTRL(n) + 0x40; }
constexpr std::uint32_t PVFGPTLBC(unsigned n) { return PVTCTRL(n) + 0x44; }
constexpr std::uint32_t PVFGORLBC(unsigned n) { return PVTCTRL(n) + 0x48; }
constexpr std::uint32_t PVFGOTLBC(unsigned n) { return PVTCTRL(n) + 0x50; }
constexpr std::uint32_t PVTEICR(unsigned n) { return PVTCTRL(n) + 0x80; }

namespace ctrl {
inline constexpr std::uint32_t FD = 1u << 0;
inline constexpr std::uint32_t GIO_MASTER_DISABLE = 1u << 2;
inline constexpr std::uint32_t LRST = 1u << 3;    // link reset
inline constexpr std::uint32_t SLU = 1u << 6;    // set link up
inline constexpr std::uint32_t FRCSPD = 1u << 11;  // force speed (cleared for auto-negotiation)
inline constexpr std::uint32_t FRCDPX = 1u << 12;  // force duplex (likewise)
inline constexpr std::uint32_t RST = 1u << 26;   // software reset (self-clearing)
inline constexpr std::uint32_t VME = 1u << 30;
inline constexpr std::uint32_t PHY_RST = 1u << 31;
}  // namespace ctrl

namespace status {
inline constexpr std::uint32_t FD = 1u << 0;   // full duplex
inline constexpr std::uint32_t LU = 1u << 1;   // link up
inline constexpr std::uint32_t SPEED_MASK = 3u << 6;
inline constexpr std::uint32_t SPEED_100 = 1u << 6;
inline constexpr std::uint32_t SPEED_1000 = 2u << 6;
inline constexpr unsigned NUM_VFS_SHIFT = 14;            // QEMU: number of enabled VFs
inline constexpr std::uint32_t NUM_VFS_MASK = 0xFu << 14;
inline constexpr std::uint32_t IOV_MODE = 1u << 18;      // QEMU: set while VFs exist
inline constexpr std::uint32_t GIO_MASTER_ENABLE = 1u << 19;
}  // namespace status

namespace ctrl_ext {
inline constexpr std::uint32_t PFRSTD = 1u << 14;    // PF reset done: tells the VFs the PF is ready
inline constexpr std::uint32_t DRV_LOAD = 1u << 28;
}  // namespace ctrl_ext

namespace eecd {
inline constexpr std::uint32_t PRES = 1u << 8;     // NVM present
inline constexpr std::uint32_t AUTO_RD = 1u << 9;  // NVM auto-read done after reset (QEMU never sets it)
}  // namespace eecd

namespace eerd {
inline constexpr std::uint32_t START = 1u << 0;
inline constexpr std::uint32_t DONE = 1u << 1;
inline constexpr unsigned ADDR_SHIFT = 2;
inline constexpr std::uint32_t ADDR_MASK = 0x3FFFu << 2;  // word address b15:2
inline constexpr unsigned DATA_SHIFT = 16;
}  // namespace eerd

// NVM (EEPROM) words as QEMU fills them (section 2.2).
namespace nvm {
inline constexpr unsigned size_words = 1024;
inline constexpr unsigned MAC_WORD0 = 0;           // MAC bytes 0-1 (byte 0 in b7:0), then 2-3, 4-5
inline constexpr unsigned DEVICE_ID_WORD = 11;     // also in word 13
inline constexpr unsigned DEVICE_ID_WORD2 = 13;
inline constexpr unsigned ALT_MAC_PTR_WORD = 0x37; // 0xFFFF: no alternate MAC
inline constexpr unsigned CHECKSUM_WORD = 0x3F;    // words 0x00..0x3F sum to CHECKSUM_SUM
inline constexpr std::uint16_t CHECKSUM_SUM = 0xBABA;
}  // namespace nvm

namespace mdic {
inline constexpr std::uint32_t DATA_MASK = 0xFFFF;
inline constexpr unsigned REG_SHIFT = 16;
inline constexpr std::uint32_t REG_MASK = 0x1Fu << 16;
inline constexpr unsigned PHY_SHIFT = 21;
inline constexpr std::uint32_t PHY_MASK = 0x1Fu << 21;
inline constexpr std::uint32_t OP_WRITE = 1u << 26;
inline constexpr std::uint32_t OP_READ = 1u << 27;
inline constexpr std::uint32_t READY = 1u << 28;
inline constexpr std::uint32_t INT_EN = 1u << 29;  // raise ICR.MDAC when done
inline constexpr std::uint32_t ERROR = 1u << 30;
inline constexpr unsigned PHY_ADDR = 1;  // the 82576's internal PHY (QEMU answers only this one)
}  // namespace mdic

// PHY registers reached through MDIC.
namespace phy {
inline constexpr unsigned BMCR = 0;                    // basic mode control
inline constexpr std::uint16_t BMCR_ANENABLE = 0x1000;  // auto-negotiation enable
inline constexpr std::uint16_t BMCR_ANRESTART = 0x0200; // restart auto-negotiation (self-clearing)
inline constexpr std::uint16_t BMCR_RESET = 0x8000;     // PHY reset (self-clearing)
inline constexpr unsigned num_regs = 32;
}  // namespace phy

// ICR / ICS / IMS / IMC bits (section 2.7).
namespace icr {
inline constexpr std::uint32_t TXDW = 1u << 0;
inline constexpr std::uint32_t LSC = 1u << 2;   // link status change
inline constexpr std::uint32_t RXDMT0 = 1u << 4;
inline constexpr std::uint32_t RXO = 1u << 6;
inline constexpr std::uint32_t RXDW = 1u << 7;
inline constexpr std::uint32_t VMMB = 1u << 8;  // VF mailbox request/ack, or a VF reset
inline constexpr std::uint32_t MDAC = 1u << 9;  // MDIC access done (when MDIC.INT_EN)
inline constexpr std::uint32_t DOUTSYNC = 1u << 28;
inline constexpr std::uint32_t DRSTA = 1u << 30;
inline constexpr std::uint32_t INT_ASSERTED = 1u << 31;  // never set in MSI-X mode
}  // namespace icr

// EICR / EICS / EIMS / EIMC / EIAC bits (sections 2.7, 3.3).
namespace eicr {
inline constexpr std::uint32_t MSIX_MASK = 0x01FFFFFF;  // causes 0..24 in MSI-X mode
inline constexpr std::uint32_t LEGACY_MASK = 0x4000FFFF;  // bits writable outside MSI-X mode (QEMU)
inline constexpr std::uint32_t OTHER = 1u << 31;        // outside MSI-X mode: some ICR cause is pending
inline constexpr unsigned num_causes = 25;
inline constexpr unsigned pf_vectors = 10;  // the PF's MSI-X table
inline constexpr unsigned vf_vectors = 3;   // each VF's MSI-X table
// VF n's vector k is PF cause first_vf_cause(n) + k while VF n exists.
constexpr unsigned first_vf_cause(unsigned vf) { return 22 - 3 * vf; }
// The EICR / EIMS / EIAC bit of MSI-X cause n.
constexpr std::uint32_t CAUSE(unsigned n) { return 1u << n; }
}  // namespace eicr

namespace eitr {
inline constexpr std::uint32_t CNT_IGNR = 1u << 31;
inline constexpr unsigned INTERVAL_SHIFT = 2;         // b14:2: the minimum gap between interrupts
inline constexpr std::uint32_t INTERVAL_MAX = 0x1FFF;  // 13 bits (about 1 us each on silicon)
}  // namespace eitr

namespace rctl {
inline constexpr std::uint32_t EN = 1u << 1;
inline constexpr std::uint32_t SBP = 1u << 2;
inline constexpr std::uint32_t UPE = 1u << 3;
inline constexpr std::uint32_t MPE = 1u << 4;
inline constexpr std::uint32_t LPE = 1u << 5;
inline constexpr std::uint32_t BAM = 1u << 15;
inline constexpr std::uint32_t VFE = 1u << 18;
inline constexpr std::uint32_t SECRC = 1u << 26;
}  // namespace rctl

namespace tctl {
inline constexpr std::uint32_t EN = 1u << 1;
inline constexpr std::uint32_t PSP = 1u << 3;
}  // namespace tctl

// P2VMAILBOX bits (section 2.6).
namespace p2vmailbox {
inline constexpr std::uint32_t STS = 1u << 0;   // PF: a message for the VF is in VMBMEM
inline constexpr std::uint32_t ACK = 1u << 1;   // PF: the VF's message was read
inline constexpr std::uint32_t VFU = 1u << 2;   // read-only: the VF holds the buffer
inline constexpr std::uint32_t PFU = 1u << 3;   // PF holds the buffer (granted only if VFU is clear)
inline constexpr std::uint32_t RVFU = 1u << 4;  // force-release a VF's stuck lock
}  // namespace p2vmailbox

// MBVFICR: VFREQ bit n and VFACK bit 16+n per VF (section 2.1).
namespace mbvficr {
constexpr std::uint32_t VFREQ(unsigned vf) { return 1u << vf; }
constexpr std::uint32_t VFACK(unsigned vf) { return 1u << (16 + vf); }
}  // namespace mbvficr

namespace gpie {
inline constexpr std::uint32_t NSICR = 1u << 0;      // a read of ICR clears it
inline constexpr std::uint32_t MSIX_MODE = 1u << 4;  // causes go to MSI-X vectors (needed for VFs too)
inline constexpr std::uint32_t EIAME = 1u << 30;
inline constexpr std::uint32_t PBA = 1u << 31;
}  // namespace gpie

namespace ivar {
inline constexpr std::uint32_t VALID = 0x80;  // in each byte of IVAR / IVAR_MISC / VTIVAR_MISC
inline constexpr std::uint32_t VECTOR_MASK = 0x1F;
inline constexpr unsigned MISC_OTHER_SHIFT = 8;  // IVAR_MISC b15:8: vector for the "other" causes
// IVAR_MISC value routing the "other" causes to MSI-X vector `vector`.
constexpr std::uint32_t misc_other(unsigned vector) { return (vector | VALID) << 8; }
}  // namespace ivar

namespace dtxswc {
constexpr std::uint32_t MAC_SPOOF(unsigned pool) { return 1u << pool; }
constexpr std::uint32_t VLAN_SPOOF(unsigned pool) { return 1u << (8 + pool); }
inline constexpr std::uint32_t VMDQ_LOOPBACK_EN = 1u << 31;
}  // namespace dtxswc

namespace dtxctl {
inline constexpr std::uint32_t VLAN_ADDED = 1u << 3;
inline constexpr std::uint32_t SPOOF_INT = 1u << 6;
}  // namespace dtxctl

// Per-queue TX rate limiter (section 2.9). The rate factor is link speed / wanted rate as 14.14
// fixed point: integer part in RF_INT (b27:14), fraction in RF_DEC (b13:0).
namespace rttbcnrc {
inline constexpr std::uint32_t RS_ENA = 1u << 31;  // rate limiting on for the queue
inline constexpr unsigned RF_INT_SHIFT = 14;
inline constexpr std::uint32_t RF_DEC_MASK = (1u << 14) - 1;
inline constexpr std::uint32_t RF_INT_MASK = RF_DEC_MASK << RF_INT_SHIFT;
}  // namespace rttbcnrc

namespace rttbcnrm {
// The compensation Linux programs for the limiter, sized for frames up to 9728 bytes (2.9).
inline constexpr std::uint32_t MMW_SIZE_JUMBO = 0x14;
}  // namespace rttbcnrm

namespace vmvir {
inline constexpr std::uint32_t VLANA_DEFAULT = 1u << 30;  // always insert the default tag
inline constexpr std::uint32_t VLANA_NEVER = 2u << 30;    // never insert
}  // namespace vmvir

namespace rah {
inline constexpr std::uint32_t AV = 1u << 31;  // address valid
constexpr std::uint32_t POOLSEL(unsigned pool) { return 1u << (18 + pool); }
inline constexpr std::uint32_t POOLSEL_MASK = 0xFFu << 18;
}  // namespace rah

namespace mrqc {
inline constexpr std::uint32_t VMDQ = 3;  // VMDq pools, no RSS
}  // namespace mrqc

namespace vt_ctl {
inline constexpr unsigned DEF_PL_SHIFT = 7;
inline constexpr std::uint32_t DEF_PL_MASK = 7u << 7;
constexpr std::uint32_t DEF_PL(unsigned pool) { return pool << DEF_PL_SHIFT; }  // default pool
inline constexpr std::uint32_t IGNORE_MAC = 1u << 28;
inline constexpr std::uint32_t DIS_DEF_POOL = 1u << 29;
inline constexpr std::uint32_t VM_REPL_EN = 1u << 30;
}  // namespace vt_ctl

// VMOLR(n) bits (section 2.4).
namespace vmolr {
inline constexpr std::uint32_t RLPML_MASK = 0x3FFF;
inline constexpr std::uint32_t RLPML_LIMIT = 0x3F00;  // the largest frame Linux lets a pool accept
inline constexpr std::uint32_t LPE = 1u << 16;
inline constexpr std::uint32_t RSSE = 1u << 17;
inline constexpr std::uint32_t AUPE = 1u << 24;   // accept untagged packets
inline constexpr std::uint32_t ROMPE = 1u << 25;  // accept multicast hitting the MTA
inline constexpr std::uint32_t ROPE = 1u << 26;   // accept unicast hitting the UTA
inline constexpr std::uint32_t BAM = 1u << 27;    // accept broadcast
inline constexpr std::uint32_t MPME = 1u << 28;   // multicast promiscuous
inline constexpr std::uint32_t STRVLAN = 1u << 30;
inline constexpr std::uint32_t STRCRC = 1u << 31;
}  // namespace vmolr

// MTA and VFTA: 4096-bit tables of 128 dwords; entry h is bit h & 31 of dword h >> 5. The MTA index
// is the 12-bit multicast hash (RCTL.MO = 0), the VFTA index the VLAN ID (sections 2.1, 2.5).
namespace table4096 {
constexpr unsigned dword(unsigned entry) { return (entry >> 5) & 0x7F; }
constexpr std::uint32_t bit(unsigned entry) { return 1u << (entry & 31); }
}  // namespace table4096

// QDE: one drop-enable bit per queue; Linux sets all of them while VFs exist (section 2.3).
namespace qde {
inline constexpr std::uint32_t ALL_QUEUES = 0xFFFF;
}  // namespace qde

namespace rplolr {
inline constexpr std::uint32_t STRVLAN = 1u << 30;
inline constexpr std::uint32_t STRCRC = 1u << 31;
}  // namespace rplolr

// VLVF(n) bits (section 2.5).
namespace vlvf {
inline constexpr std::uint32_t VLANID_MASK = 0xFFF;
constexpr std::uint32_t POOLSEL(unsigned pool) { return 1u << (12 + pool); }
inline constexpr std::uint32_t POOLSEL_MASK = 0xFFu << 12;
inline constexpr std::uint32_t VI_EN = 1u << 31;
}  // namespace vlvf

// RXDCTL / TXDCTL.
namespace xdctl {
inline constexpr unsigned PTHRESH_SHIFT = 0;   // prefetch threshold
inline constexpr unsigned HTHRESH_SHIFT = 8;   // host threshold
inline constexpr unsigned WTHRESH_SHIFT = 16;  // write-back threshold
inline constexpr std::uint32_t ENABLE = 1u << 25;
}  // namespace xdctl

// SRRCTL(n) bits (section 4.1).
namespace srrctl {
inline constexpr std::uint32_t BSIZEPKT_MASK = 0x7F;  // packet buffer size in 1 KiB units
inline constexpr unsigned BSIZEPKT_UNIT = 1024;
inline constexpr unsigned RDMTS_SHIFT = 20;  // descriptor minimum threshold, units of 16
inline constexpr std::uint32_t DESCTYPE_MASK = 7u << 25;
inline constexpr std::uint32_t DESCTYPE_ADV_ONEBUF = 1u << 25;  // advanced, one buffer
inline constexpr std::uint32_t DESCTYPE_HDR_SPLIT = 2u << 25;
inline constexpr std::uint32_t DESCTYPE_HDR_SPLIT_ALWAYS = 5u << 25;
inline constexpr std::uint32_t DROP_EN = 1u << 31;  // drop when no descriptors (QEMU ignores it)
}  // namespace srrctl

// ---------------------------------------------------------------------------------------------
// VF registers (section 3.1), offsets into the VF's BAR0
// ---------------------------------------------------------------------------------------------
inline constexpr Reg VTCTRL{0x0000, Access::rw};
inline constexpr Reg VTCTRL_ALIAS{0x0004, Access::rw};  // acts as VTCTRL
inline constexpr Reg VTSTATUS{0x0008, Access::ro};
inline constexpr Reg VTFRTIMER{0x1048, Access::ro};
inline constexpr Reg VTEICS{0x1520, Access::wo};
inline constexpr Reg VTEIMS{0x1524, Access::rw};
inline constexpr Reg VTEIMC{0x1528, Access::wo};
inline constexpr Reg VTEIAC{0x152C, Access::rw};
inline constexpr Reg VTEIAM{0x1530, Access::rw};
inline constexpr Reg VTEICR{0x1580, Access::w1c};
inline constexpr Reg VTEITR{0x1680, Access::rw, 4, 3};
inline constexpr Reg VTIVAR{0x1700, Access::rw};
inline constexpr Reg VTIVAR_MISC{0x1740, Access::rw};
inline constexpr Reg VF_VMBMEM{0x0800, Access::rw, 4, 16};  // the VF's own 16 mailbox words
inline constexpr Reg VFMAILBOX{0x0C40, Access::rw};
inline constexpr Reg PBACL{0x0F04, Access::rw};
inline constexpr Reg PSRTYPE{0x0F0C, Access::rw};
inline constexpr Reg VFGPRC{0x0F10, Access::ro};
inline constexpr Reg VFGPTC{0x0F14, Access::ro};
inline constexpr Reg VFGORC{0x0F18, Access::ro};
inline constexpr Reg VFGOTC{0x0F34, Access::ro};
inline constexpr Reg VFMPRC{0x0F3C, Access::ro};
inline constexpr Reg VFGPRLBC{0x0F40, Access::ro};  // loopback counters: never move in QEMU
inline constexpr Reg VFGPTLBC{0x0F44, Access::ro};
inline constexpr Reg VFGORLBC{0x0F48, Access::ro};
inline constexpr Reg VFGOTLBC{0x0F50, Access::ro};

// VF queue registers: use the 0x28xx / 0x38xx forms from a VF (section 3.1); queue 0 or 1.
constexpr std::uint32_t VF_RDBAL(unsigned q) { return 0x2800 + 0x100 * q; }
constexpr std::uint32_t VF_RDBAH(unsigned q) { return VF_RDBAL(q) + 0x04; }
constexpr std::uint32_t VF_RDLEN(unsigned q) { return VF_RDBAL(q) + 0x08; }
constexpr std::uint32_t VF_SRRCTL(unsigned q) { return VF_RDBAL(q) + 0x0C; }
constexpr std::uint32_t VF_RDH(unsigned q) { return VF_RDBAL(q) + 0x10; }
constexpr std::uint32_t VF_RXCTL(unsigned q) { return VF_RDBAL(q) + 0x14; }
constexpr std::uint32_t VF_RDT(unsigned q) { return VF_RDBAL(q) + 0x18; }
constexpr std::uint32_t VF_RXDCTL(unsigned q) { return VF_RDBAL(q) + 0x28; }
constexpr std::uint32_t VF_RQDPC(unsigned q) { return VF_RDBAL(q) + 0x30; }
constexpr std::uint32_t VF_TDBAL(unsigned q) { return 0x3800 + 0x100 * q; }
constexpr std::uint32_t VF_TDBAH(unsigned q) { return VF_TDBAL(q) + 0x04; }
constexpr std::uint32_t VF_TDLEN(unsigned q) { return VF_TDBAL(q) + 0x08; }
constexpr std::uint32_t VF_TDH(unsigned q) { return VF_TDBAL(q) + 0x10; }
constexpr std::uint32_t VF_TXCTL(unsigned q) { return VF_TDBAL(q) + 0x14; }
constexpr std::uint32_t VF_TDT(unsigned q) { return VF_TDBAL(q) + 0x18; }
constexpr std::uint32_t VF_TXDCTL(unsigned q) { return VF_TDBAL(q) + 0x28; }
constexpr std::uint32_t VF_TDWBAL(unsigned q) { return VF_TDBAL(q) + 0x38; }
constexpr std::uint32_t VF_TDWBAH(unsigned q) { return VF_TDBAL(q) + 0x3C; }

namespace vtctrl {
inline constexpr std::uint32_t RST = 1u << 26;  // VF reset (the same path as a VF FLR)
}  // namespace vtctrl

// A VF's three MSI-X vectors as igbvf assigns them (section 3.3). Bit k of VTEICS / VTEIMS /
// VTEIMC / VTEIAC / VTEIAM / VTEICR stands for vector k; VTEITR(k) throttles vector k.
namespace vf_vector {
inline constexpr unsigned TX = 0;     // TX queue 0
inline constexpr unsigned RX = 1;     // RX queue 0
inline constexpr unsigned OTHER = 2;  // mailbox (QEMU delivers it elsewhere, section 3.3)
inline constexpr unsigned count = 3;
constexpr std::uint32_t BIT(unsigned vector) { return 1u << vector; }
}  // namespace vf_vector

// VTIVAR: b7:0 RX queue 0's vector, b15:8 TX queue 0's vector, each with ivar::VALID (3.1).
// VTIVAR_MISC: b1:0 the mailbox vector, with ivar::VALID.
namespace vtivar {
constexpr std::uint32_t RX0(unsigned vector) { return vector | ivar::VALID; }
constexpr std::uint32_t TX0(unsigned vector) { return (vector | ivar::VALID) << 8; }
constexpr std::uint32_t MISC(unsigned vector) { return vector | ivar::VALID; }
}  // namespace vtivar

// VFMAILBOX bits (section 5.2); PFSTS, PFACK and RSTD clear when read.
namespace vfmailbox {
inline constexpr std::uint32_t REQ = 1u << 0;    // VF: a message for the PF is in VMBMEM
inline constexpr std::uint32_t ACK = 1u << 1;    // VF: the PF's message was read
inline constexpr std::uint32_t VFU = 1u << 2;    // VF holds the buffer
inline constexpr std::uint32_t PFU = 1u << 3;    // PF holds the buffer
inline constexpr std::uint32_t PFSTS = 1u << 4;  // PF wrote a message
inline constexpr std::uint32_t PFACK = 1u << 5;  // PF acknowledged the VF's message
inline constexpr std::uint32_t RSTI = 1u << 6;   // PF reset in progress
inline constexpr std::uint32_t RSTD = 1u << 7;   // PF reset done
inline constexpr std::uint32_t READ_TO_CLEAR = PFSTS | PFACK | RSTD;
}  // namespace vfmailbox

}  // namespace sriov::e82576
