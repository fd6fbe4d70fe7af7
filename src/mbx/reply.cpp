#include "mbx/reply.hpp"

#include "mbx/mac_words.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

namespace sriov::mbx {

namespace {

inline constexpr std::uint32_t reset_ack = E1000_VF_RESET | E1000_VT_MSGTYPE_ACK;
inline constexpr std::uint32_t reset_nack = E1000_VF_RESET | E1000_VT_MSGTYPE_NACK;

Error bad_reply(std::string cause)
{
    return Error(Errc::invalid_argument, "mailbox reply", std::move(cause));
}

// --- encode ---

struct Encoder {
    Message operator()(const ResetReply& r) const
    {
        if (!r.mac)
            return {reset_nack, 0, 0};
        return {reset_ack, detail::mac_word1(*r.mac), detail::mac_word2(*r.mac)};
    }

    Message operator()(const GenericReply& r) const
    {
        if ((r.request & msgtype_mask) != 0)
            throw bad_reply(
                fmt::format("request word {:#010x} already carries ACK, NACK or CTS", r.request));
        const auto id = r.request_id();
        if (id == E1000_VF_RESET || id == E1000_PF_CONTROL_MSG)
            throw bad_reply(fmt::format("{} is not answered by a generic reply", message_name(id)));
        return {r.request | (r.ack ? E1000_VT_MSGTYPE_ACK : E1000_VT_MSGTYPE_NACK) |
                (r.cts ? E1000_VT_MSGTYPE_CTS : 0)};
    }

    Message operator()(const ControlMessage& r) const
    {
        return {E1000_PF_CONTROL_MSG | (r.cts ? E1000_VT_MSGTYPE_CTS : 0)};
    }

    Message operator()(const BareNack&) const { return {E1000_VT_MSGTYPE_NACK}; }
};

// --- decode ---

using Words = std::span<const std::uint32_t>;

using detail::bad;

Decoded<Reply> decode_reset_reply(Words w) noexcept
{
    if (w[0] == reset_nack)
        return Reply{ResetReply{}};
    if (w[0] != reset_ack)
        return bad(Defect::not_a_reply, "a VF_RESET reply is exactly 0x80000001 or 0x40000001", w);
    if (w.size() < 3)
        return bad(Defect::too_short, "a VF_RESET ACK needs 3 words", w);
    return Reply{ResetReply{detail::mac_from_words(w[1], w[2])}};
}

Decoded<Reply> decode_control(Words w) noexcept
{
    if ((w[0] & ~(E1000_VT_MSGTYPE_CTS | msgid_mask)) != 0)
        return bad(Defect::reserved_bits, "PF_CONTROL_MSG has only CTS besides its ID", w);
    return Reply{ControlMessage{(w[0] & E1000_VT_MSGTYPE_CTS) != 0}};
}

Decoded<Reply> decode_generic(Words w) noexcept
{
    const bool ack = (w[0] & E1000_VT_MSGTYPE_ACK) != 0;
    const bool nack = (w[0] & E1000_VT_MSGTYPE_NACK) != 0;
    if (!ack && !nack)
        return bad(Defect::not_a_reply, "neither ACK nor NACK: a request, not a reply", w);
    return Reply{GenericReply{w[0] & ~msgtype_mask, ack, (w[0] & E1000_VT_MSGTYPE_CTS) != 0}};
}

}  // namespace

Message encode(const Reply& reply, Protocol protocol)
{
    switch (protocol) {
    case Protocol::igb: break;
    }
    return std::visit(Encoder{}, reply);
}

Decoded<Reply> decode_reply(Words w, Protocol protocol) noexcept
{
    switch (protocol) {
    case Protocol::igb: break;
    }
    if (auto size_defect = detail::check_size(w))
        return *size_defect;
    const std::uint32_t w0 = w[0];
    if ((w0 & E1000_VT_MSGTYPE_ACK) != 0 && (w0 & E1000_VT_MSGTYPE_NACK) != 0)
        return bad(Defect::ack_and_nack, "both ACK and NACK are set", w);
    if (w0 == E1000_VT_MSGTYPE_NACK)
        return Reply{BareNack{}};
    switch (message_id(w0)) {
    case E1000_VF_RESET: return decode_reset_reply(w);
    case E1000_PF_CONTROL_MSG: return decode_control(w);
    default: return decode_generic(w);
    }
}

}  // namespace sriov::mbx
