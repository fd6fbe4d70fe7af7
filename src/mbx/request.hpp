// Requests a VF sends to its PF through the mailbox, as types (fact sheet section 5.1).
//
//   VfReset          0x00000001                          "I have reset; give me my MAC"
//   SetMac           0x00000002, MAC words 1-2           set the VF's primary MAC
//   ClearMacFilters  0x00010002, 0, 0                    drop all extra unicast filters
//   AddMacFilter     0x00020002, MAC words 1-2           add an extra unicast filter
//   SetMulticast     0x0003 | n << 16, n 16-bit hashes   replace the multicast hash list (n <= 30)
//   SetVlan          0x0004 | add << 16, VID             add or remove a VLAN filter
//   SetLpe           0x00000005, max frame size          largest frame the VF accepts
//   SetPromisc       0x0006 | flags                      multicast (and unicast) promiscuous
//
// Encoding writes only the words a message needs. Decoding needs at least those words and ignores
// any after them: the mailbox is 16 words of shared memory and a sender overwrites only the words
// it uses, so a reader that takes the whole buffer (as Linux's PF does) sees stale words there.
#pragma once

#include "mbx/message.hpp"
#include "sriov/mac_address.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <variant>

namespace sriov::mbx {

struct VfReset {
    friend bool operator==(const VfReset&, const VfReset&) = default;
};

struct SetMac {
    MacAddress mac;
    friend bool operator==(const SetMac&, const SetMac&) = default;
};

struct ClearMacFilters {
    friend bool operator==(const ClearMacFilters&, const ClearMacFilters&) = default;
};

struct AddMacFilter {
    MacAddress mac;
    friend bool operator==(const AddMacFilter&, const AddMacFilter&) = default;
};

// A list of up to 30 multicast hashes (12-bit indices into the PF's 4096-bit multicast table).
class SetMulticast {
public:
    // An empty list: the VF wants no multicast groups.
    SetMulticast() noexcept = default;
    // overflow: the VF has more groups than fit, so the PF should accept all multicast. Linux
    // igbvf never sets it (it sends the first 30); Intel's shared VF code (DPDK, FreeBSD) does.
    // Throws sriov::Error(invalid_argument) for more than 30 hashes or a hash above 0xFFF.
    explicit SetMulticast(std::span<const std::uint16_t> hashes, bool overflow = false);

    std::span<const std::uint16_t> hashes() const noexcept { return {hashes_.data(), count_}; }
    bool overflow() const noexcept { return overflow_; }

    friend bool operator==(const SetMulticast& a, const SetMulticast& b) noexcept;

private:
    std::array<std::uint16_t, max_mc_hashes> hashes_{};
    std::size_t count_ = 0;
    bool overflow_ = false;
};

struct SetVlan {
    std::uint16_t vid = 0;  // 0..4095
    bool add = true;        // false: remove
    friend bool operator==(const SetVlan&, const SetVlan&) = default;
};

struct SetLpe {
    std::uint16_t max_frame = 0;  // bytes, 1..0x3FFF; igbvf sends MTU + 14 + 4 (FCS) + 4 (VLAN tag)
    friend bool operator==(const SetLpe&, const SetLpe&) = default;
};

struct SetPromisc {
    bool multicast = false;  // accept all multicast (VMOLR.MPME)
    bool unicast = false;    // accept all unicast; Linux's PF refuses it
    friend bool operator==(const SetPromisc&, const SetPromisc&) = default;
};

using Request =
    std::variant<VfReset, SetMac, ClearMacFilters, AddMacFilter, SetMulticast, SetVlan, SetLpe, SetPromisc>;

// The words of a request. Does not allocate. Throws sriov::Error(invalid_argument) when a field does
// not fit its place in the message: SetVlan vid above 4095, SetLpe max_frame 0 or above 0x3FFF.
// Values that fit are not judged (a multicast SetMac encodes; whether to allow it is the PF's call).
Message encode(const Request& request, Protocol protocol = Protocol::igb);

// The request in these words, or why they are not one. Never throws, never allocates; any span
// length is safe. Malformed when (Defect in brackets):
//   - there are no words [empty] or more than 16 [too_long];
//   - word 0 carries ACK or NACK [already_answered]: Linux's PF ignores such a message rather than
//     answering it; CTS [unexpected_cts]; bits 28:24 [reserved_bits];
//   - the ID is not one of the six requests [unknown_id];
//   - MSGINFO is not defined for the ID [bad_msginfo]: VF_RESET, SET_LPE with non-zero MSGINFO;
//     SET_MAC_ADDR sub-command other than 0, 1, 2; SET_VLAN other than 0, 1; SET_PROMISC flags other
//     than unicast (0x01) and multicast (0x02); SET_MULTICAST bits 22:21 [reserved_bits];
//   - fewer words than the ID needs [too_short]: 3 for SET_MAC_ADDR, 2 for SET_VLAN and SET_LPE,
//     1 + ceil(n / 2) for SET_MULTICAST with n hashes;
//   - a field out of range: more than 30 hashes [too_many_hashes], a hash above 0xFFF
//     [hash_out_of_range], a VID above 4095 [vlan_out_of_range], a frame size of 0 or above 0x3FFF
//     [frame_out_of_range], bits 31:16 of a MAC's word 2 set, or a non-zero address in a
//     clear-filters request [reserved_bits].
// With an odd hash count the upper half of the last hash word is ignored: igbvf leaves it unset.
Decoded<Request> decode_request(std::span<const std::uint32_t> words,
                                Protocol protocol = Protocol::igb) noexcept;
inline Decoded<Request> decode_request(const Message& message, Protocol protocol = Protocol::igb) noexcept
{
    return decode_request(message.words(), protocol);
}

// How many words of the buffer a request starting with `word0` fills, all that decode_request
// reads of it: 1 for VF_RESET and SET_PROMISC, 2 for SET_VLAN and SET_LPE, 3 for SET_MAC_ADDR,
// 1 + ceil(n / 2) for SET_MULTICAST with n hashes (n <= 30); the whole buffer (16) for any other
// word 0, so that a malformed request is judged on everything the VF wrote. The PF reads no more
// than this: each word is a register read, a VM exit under emulation and a PCIe round trip on
// silicon. Never throws.
std::size_t request_length(std::uint32_t word0) noexcept;

// The hash a VF sends for a multicast group, as igbvf computes it for the PF's 4096-bit table with
// RCTL.MO = 0: bits 47:36 of the address, i.e. (byte 4 >> 4) | (byte 5 << 4), masked to 12 bits.
// Never throws.
std::uint16_t multicast_hash(const MacAddress& group) noexcept;

}  // namespace sriov::mbx
