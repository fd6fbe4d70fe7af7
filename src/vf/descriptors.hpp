// The 82576's advanced RX and TX descriptors (fact sheet section 4), as the device reads and writes
// them in DMA memory: 16 bytes each, little-endian, fields named as the datasheet names them.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace sriov::vf {

static_assert(std::endian::native == std::endian::little,
              "descriptors are laid out for a little-endian host");

// Advanced RX descriptor, read format (4.2): written by the driver to post a buffer.
struct RxDescRead {
    std::uint64_t pkt_addr;  // packet buffer IOVA; never 0 (QEMU would consume the slot without data)
    std::uint64_t hdr_addr;  // header buffer IOVA: 0, no header split
};

// Advanced RX descriptor, write-back format (4.2): written by the device, DD last.
struct RxDescWb {
    std::uint32_t info;          // RSS type b3:0, packet type b15:4, HDR_LEN b30:21, SPH b31
    std::uint32_t hash_or_ipid;  // RSS hash, or IP ID and checksum
    std::uint32_t status_error;  // status b19:0, errors b31:20
    std::uint16_t length;        // PKT_LEN: bytes in this descriptor's buffer
    std::uint16_t vlan;          // VLAN tag, when status VP
};

union RxDesc {
    RxDescRead read;
    RxDescWb wb;
};

static_assert(sizeof(RxDescRead) == 16 && sizeof(RxDescWb) == 16 && sizeof(RxDesc) == 16);
static_assert(offsetof(RxDescWb, status_error) == 8 && offsetof(RxDescWb, length) == 12);

namespace rxd {
inline constexpr std::uint32_t STAT_DD = 1u << 0;   // descriptor done
inline constexpr std::uint32_t STAT_EOP = 1u << 1;  // end of packet
inline constexpr std::uint32_t STAT_VP = 1u << 3;   // VLAN tag stripped into `vlan`
inline constexpr std::uint32_t ERR_MASK = 0xFFF00000u;  // errors b31:20
inline constexpr std::uint32_t ERR_RXE = 1u << 31;
}  // namespace rxd

// Advanced TX data descriptor (4.3): written by the driver; the device writes DD into dword 3
// when RS was set.
struct TxDesc {
    std::uint64_t buffer_addr;    // IOVA of the data
    std::uint32_t cmd_type_len;   // DTALEN b15:0, DTYP b23:20, DCMD b31:24
    std::uint32_t olinfo_status;  // STA b3:0 (DD b0 on write-back), PAYLEN b31:14
};

static_assert(sizeof(TxDesc) == 16);
static_assert(offsetof(TxDesc, olinfo_status) == 12);

namespace txd {
inline constexpr std::uint32_t DTALEN_MASK = 0xFFFF;
inline constexpr std::uint32_t DTYP_DATA = 0x3u << 20;  // advanced data descriptor
inline constexpr std::uint32_t DTYP_MASK = 0xFu << 20;
inline constexpr std::uint32_t CMD_EOP = 1u << 24;   // end of packet
inline constexpr std::uint32_t CMD_IFCS = 1u << 25;  // insert FCS
inline constexpr std::uint32_t CMD_RS = 1u << 27;    // report status: write DD back
inline constexpr std::uint32_t CMD_DEXT = 1u << 29;  // advanced (extended) descriptor
inline constexpr std::uint32_t CMD_VLE = 1u << 30;
inline constexpr std::uint32_t CMD_TSE = 1u << 31;
inline constexpr std::uint32_t STA_DD = 1u << 0;     // in olinfo_status after write-back
inline constexpr unsigned PAYLEN_SHIFT = 14;
// What libvf sends: a data descriptor of one whole frame (4.3), advanced data type, FCS inserted
// by the device, end of packet, status reported. Both data paths write it.
inline constexpr std::uint32_t FRAME_COMMAND = DTYP_DATA | CMD_DEXT | CMD_IFCS | CMD_EOP | CMD_RS;
}  // namespace txd

// Ring sizes: a power of two (masked indices), at least 8 and a multiple of 8 descriptors (what
// Linux allocates, 2.1), RDLEN/TDLEN fit b19:4, and the 16-bit head/tail hold any index.
inline constexpr std::uint32_t min_ring_size = 8;
inline constexpr std::uint32_t max_ring_size = 4096;
constexpr bool valid_ring_size(std::uint32_t n)
{
    return n >= min_ring_size && n <= max_ring_size && std::has_single_bit(n);
}

}  // namespace sriov::vf
