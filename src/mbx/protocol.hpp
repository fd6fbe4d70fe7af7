// The 82576 PF/VF mailbox protocol: the layout of word 0 and the message IDs.
//
// Every mailbox message is at most 16 dwords (the VMBMEM buffer). Word 0 says what the message is:
//
//   b31 ACK | b30 NACK | b29 CTS | b28:24 reserved (0) | b23:16 MSGINFO | b15:0 message ID
//
// A request (VF to PF) has ACK, NACK and CTS clear. The PF answers a request with the same word 0
// and ACK or NACK set, plus CTS once the VF has completed its reset handshake. Names are those of
// Linux's e1000_mbx.h (igb) and igbvf mbx.h; the FreeBSD/DPDK copy of the Intel shared code adds
// the multicast-overflow, VLAN-add and promiscuous-unicast names used here. Upper-case names are
// theirs; lower-case names are ours. Facts: ../shared/reference/igb-82576.md section 5.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sriov::mbx {

// The dialect of the mailbox protocol. The 82576 (igb/igbvf) has a single fixed message set and no
// version negotiation; later chips (ixgbe and its API 1.0 to 1.5, negotiated by a message of its
// own) add enumerators here, so that encode and decode can take one without changing callers.
enum class Protocol : std::uint8_t {
    igb,  // Intel 82576: Linux igb PF, igbvf VF
};

// --- Buffer ---
inline constexpr std::size_t E1000_VFMAILBOX_SIZE = 16;  // dwords in one mailbox message

// --- Word 0: message type bits ---
inline constexpr std::uint32_t E1000_VT_MSGTYPE_ACK = 0x80000000;   // PF's reply: request done
inline constexpr std::uint32_t E1000_VT_MSGTYPE_NACK = 0x40000000;  // PF's reply: request refused
inline constexpr std::uint32_t E1000_VT_MSGTYPE_CTS = 0x20000000;   // VF is clear to send requests
inline constexpr std::uint32_t msgtype_mask =
    E1000_VT_MSGTYPE_ACK | E1000_VT_MSGTYPE_NACK | E1000_VT_MSGTYPE_CTS;
inline constexpr std::uint32_t reserved_mask = 0x1F000000;  // b28:24, always zero

// --- Word 0: MSGINFO, b23:16, meaning set per message ---
inline constexpr unsigned E1000_VT_MSGINFO_SHIFT = 16;
inline constexpr std::uint32_t E1000_VT_MSGINFO_MASK = 0xFFu << E1000_VT_MSGINFO_SHIFT;

// --- Word 0: message ID, b15:0 ---
inline constexpr std::uint32_t msgid_mask = 0x0000FFFF;

// Requests, VF to PF.
inline constexpr std::uint16_t E1000_VF_RESET = 0x01;         // 1 word; reply carries the VF's MAC
inline constexpr std::uint16_t E1000_VF_SET_MAC_ADDR = 0x02;  // 3 words: MAC in words 1-2
inline constexpr std::uint16_t E1000_VF_SET_MULTICAST = 0x03; // 1 + ceil(n/2) words of 16-bit hashes
inline constexpr std::uint16_t E1000_VF_SET_VLAN = 0x04;      // 2 words: VID in word 1
inline constexpr std::uint16_t E1000_VF_SET_LPE = 0x05;       // 2 words: max frame size in word 1
inline constexpr std::uint16_t E1000_VF_SET_PROMISC = 0x06;   // 1 word: flags in MSGINFO

// Message, PF to VF.
inline constexpr std::uint16_t E1000_PF_CONTROL_MSG = 0x0100;  // "ping"; CTS set if the VF is reset

// SET_MAC_ADDR sub-commands in MSGINFO (0 = set the primary MAC).
inline constexpr std::uint32_t E1000_VF_MAC_FILTER_CLR = 0x01u << E1000_VT_MSGINFO_SHIFT;  // clear all
inline constexpr std::uint32_t E1000_VF_MAC_FILTER_ADD = 0x02u << E1000_VT_MSGINFO_SHIFT;  // add one

// SET_MULTICAST: MSGINFO b20:16 is the number of hashes (at most 30), b23 says the VF has more
// addresses than fit (Intel shared code; Linux igbvf never sets it), b22:21 are zero.
inline constexpr std::uint32_t E1000_VF_SET_MULTICAST_COUNT_MASK = 0x1Fu << E1000_VT_MSGINFO_SHIFT;
inline constexpr std::uint32_t E1000_VF_SET_MULTICAST_OVERFLOW = 0x80u << E1000_VT_MSGINFO_SHIFT;
inline constexpr std::size_t max_mc_hashes = 30;  // 15 words of two 16-bit hashes
inline constexpr std::uint16_t mc_hash_max = 0x0FFF;  // 4096-bit MTA (RCTL.MO = 0)

// SET_VLAN: MSGINFO 1 = add the VID, 0 = remove it.
inline constexpr std::uint32_t E1000_VF_SET_VLAN_ADD = 0x01u << E1000_VT_MSGINFO_SHIFT;
inline constexpr std::uint16_t vlan_id_max = 4095;  // word 1 b11:0

// SET_LPE: word 1 is the largest frame the VF wants to receive; VMOLR.RLPML is 14 bits wide.
inline constexpr std::uint32_t lpe_max = 0x3FFF;

// SET_PROMISC flags in MSGINFO. Linux's PF honours only MULTICAST and NACKs any other flag.
inline constexpr std::uint32_t E1000_VF_SET_PROMISC_UNICAST = 0x01u << E1000_VT_MSGINFO_SHIFT;
inline constexpr std::uint32_t E1000_VF_SET_PROMISC_MULTICAST = 0x02u << E1000_VT_MSGINFO_SHIFT;

// --- Field accessors for word 0 ---
constexpr std::uint16_t message_id(std::uint32_t word0) noexcept
{
    return static_cast<std::uint16_t>(word0 & msgid_mask);
}
constexpr std::uint8_t msginfo(std::uint32_t word0) noexcept
{
    return static_cast<std::uint8_t>((word0 & E1000_VT_MSGINFO_MASK) >> E1000_VT_MSGINFO_SHIFT);
}

// The Linux name of a message ID without its prefix, e.g. "SET_VLAN", or "unknown" for an ID the
// protocol does not define. Never throws.
std::string_view message_name(std::uint16_t id) noexcept;

}  // namespace sriov::mbx
