// Messages a PF sends to a VF through the mailbox, as types (fact sheet section 5.1).
//
//   ResetReply      0x80000001, MAC words 1-2            VF_RESET done; here is your MAC
//                   0x40000001, 0, 0                     VF_RESET done; no MAC for you (use a random one)
//   GenericReply    request word 0 | ACK or NACK [| CTS]  answer to any other request, 1 word
//   ControlMessage  0x00000100 [| CTS]                   PF "ping" (before a PF reset, on link changes)
//   BareNack        0x40000000                           answer to a VF's ACK while the VF is not CTS
//
// As for requests, decoding ignores words after those a message needs: igbvf reads 2 or 3 words
// of every reply while the PF writes only 1. Encoding writes the words a message needs, except that
// the VF_RESET NACK is 3 words with words 1-2 zero: igbvf reads 3, and Linux's PF writes 3 there
// (leaving words 1-2 uninitialised).
#pragma once

#include "mbx/message.hpp"
#include "sriov/mac_address.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <variant>

namespace sriov::mbx {

// The PF's answer to VF_RESET: ACK with the MAC it assigned the VF, or NACK (nullopt) when it has
// none. Never carries CTS. A VF should still check mac->is_valid_unicast().
struct ResetReply {
    std::optional<MacAddress> mac;
    friend bool operator==(const ResetReply&, const ResetReply&) = default;
};

// The PF's answer to any request but VF_RESET: the request's word 0 (ID and MSGINFO) with ACK or
// NACK, and CTS once the VF has completed VF_RESET. Linux's PF NACKs without CTS a request that
// arrives before VF_RESET, and NACKs with CTS an ID it does not know.
struct GenericReply {
    std::uint32_t request = 0;  // word 0 of the request answered; no ACK, NACK or CTS bits
    bool ack = false;           // false: NACK
    bool cts = false;

    std::uint16_t request_id() const noexcept { return message_id(request); }
    // Whether this answers a request whose word 0 was request_word0 (compared without CTS).
    bool answers(std::uint32_t request_word0) const noexcept { return request == request_word0; }
    friend bool operator==(const GenericReply&, const GenericReply&) = default;
};

// PF_CONTROL_MSG: the PF tells the VF it is alive; cts says whether the VF has completed VF_RESET.
struct ControlMessage {
    bool cts = false;
    friend bool operator==(const ControlMessage&, const ControlMessage&) = default;
};

// A NACK with no request: "you are not clear to send; reset first".
struct BareNack {
    friend bool operator==(const BareNack&, const BareNack&) = default;
};

using Reply = std::variant<ResetReply, GenericReply, ControlMessage, BareNack>;

// The words of a PF message. Does not allocate. Throws sriov::Error(invalid_argument) for a
// GenericReply whose request word carries ACK, NACK or CTS, or whose ID is VF_RESET (use
// ResetReply) or PF_CONTROL_MSG (use ControlMessage). A GenericReply to a request of word 0 = 0
// without CTS encodes as 0x40000000 and so decodes as a BareNack, which means the same to a VF.
Message encode(const Reply& reply, Protocol protocol = Protocol::igb);

// The PF message in these words, or why they are not one. Never throws, never allocates; any span
// length is safe. Malformed when (Defect in brackets):
//   - there are no words [empty] or more than 16 [too_long];
//   - word 0 has both ACK and NACK [ack_and_nack];
//   - ID VF_RESET and word 0 is neither 0x80000001 nor 0x40000001 [not_a_reply]; ACK with fewer
//     than 3 words [too_short] (bits 31:16 of word 2 are ignored: Linux leaves them uninitialised);
//   - ID PF_CONTROL_MSG with ACK or NACK, MSGINFO or bits 28:24 set [reserved_bits];
//   - any other ID without ACK or NACK: a request, e.g. the VF's own message still in the buffer
//     [not_a_reply].
// A GenericReply keeps MSGINFO and bits 28:24 as the PF echoed them.
Decoded<Reply> decode_reply(std::span<const std::uint32_t> words,
                            Protocol protocol = Protocol::igb) noexcept;
inline Decoded<Reply> decode_reply(const Message& message, Protocol protocol = Protocol::igb) noexcept
{
    return decode_reply(message.words(), protocol);
}

}  // namespace sriov::mbx
