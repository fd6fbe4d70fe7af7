#include "mbx/request.hpp"

#include "mbx/mac_words.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sriov::mbx {

namespace {

Error out_of_range(std::string cause)
{
    return Error(Errc::invalid_argument, "mailbox request", std::move(cause));
}

// --- encode ---

struct Encoder {
    Message operator()(const VfReset&) const { return {E1000_VF_RESET}; }

    Message operator()(const SetMac& r) const
    {
        return {E1000_VF_SET_MAC_ADDR, detail::mac_word1(r.mac), detail::mac_word2(r.mac)};
    }

    Message operator()(const ClearMacFilters&) const
    {
        return {E1000_VF_SET_MAC_ADDR | E1000_VF_MAC_FILTER_CLR, 0, 0};
    }

    Message operator()(const AddMacFilter& r) const
    {
        return {E1000_VF_SET_MAC_ADDR | E1000_VF_MAC_FILTER_ADD, detail::mac_word1(r.mac),
                detail::mac_word2(r.mac)};
    }

    Message operator()(const SetMulticast& r) const
    {
        auto hashes = r.hashes();
        Message m;
        const auto count = static_cast<std::uint32_t>(hashes.size());
        m.push_back(E1000_VF_SET_MULTICAST | count << E1000_VT_MSGINFO_SHIFT |
                    (r.overflow() ? E1000_VF_SET_MULTICAST_OVERFLOW : 0));
        // Two hashes a word, the first in the low half.
        for (std::size_t i = 0; i < hashes.size(); i += 2) {
            std::uint32_t word = hashes[i];
            if (i + 1 < hashes.size())
                word |= std::uint32_t{hashes[i + 1]} << 16;
            m.push_back(word);
        }
        return m;
    }

    Message operator()(const SetVlan& r) const
    {
        if (r.vid > vlan_id_max)
            throw out_of_range(fmt::format("VLAN ID {} is above {}", r.vid, vlan_id_max));
        return {E1000_VF_SET_VLAN | (r.add ? E1000_VF_SET_VLAN_ADD : 0), r.vid};
    }

    Message operator()(const SetLpe& r) const
    {
        if (r.max_frame == 0 || r.max_frame > lpe_max)
            throw out_of_range(fmt::format("max frame size {} is not in 1..{}", r.max_frame, lpe_max));
        return {E1000_VF_SET_LPE, r.max_frame};
    }

    Message operator()(const SetPromisc& r) const
    {
        return {E1000_VF_SET_PROMISC | (r.multicast ? E1000_VF_SET_PROMISC_MULTICAST : 0) |
                (r.unicast ? E1000_VF_SET_PROMISC_UNICAST : 0)};
    }
};

// --- decode ---

using Words = std::span<const std::uint32_t>;

using detail::bad;

Decoded<Request> decode_reset(Words w, std::uint32_t info) noexcept
{
    if (info != 0)
        return bad(Defect::bad_msginfo, "VF_RESET takes no MSGINFO", w);
    return Request{VfReset{}};
}

Decoded<Request> decode_set_mac(Words w, std::uint32_t info) noexcept
{
    if (info != 0 && info != E1000_VF_MAC_FILTER_CLR && info != E1000_VF_MAC_FILTER_ADD)
        return bad(Defect::bad_msginfo, "not a SET_MAC_ADDR sub-command (0 set, 1 clear, 2 add filter)", w);
    if (w.size() < 3)
        return bad(Defect::too_short, "SET_MAC_ADDR needs 3 words", w);
    if ((w[2] & detail::mac_word2_unused) != 0)
        return bad(Defect::reserved_bits, "word 2 bits 31:16 are set; the address ends at bit 15", w);
    const MacAddress mac = detail::mac_from_words(w[1], w[2]);
    if (info == E1000_VF_MAC_FILTER_CLR) {
        if (!mac.is_zero())
            return bad(Defect::reserved_bits, "clear-filters carries no address; words 1-2 must be 0", w);
        return Request{ClearMacFilters{}};
    }
    if (info == E1000_VF_MAC_FILTER_ADD)
        return Request{AddMacFilter{mac}};
    return Request{SetMac{mac}};
}

Decoded<Request> decode_set_multicast(Words w, std::uint32_t info) noexcept
{
    if ((info & ~(E1000_VF_SET_MULTICAST_COUNT_MASK | E1000_VF_SET_MULTICAST_OVERFLOW)) != 0)
        return bad(Defect::reserved_bits, "SET_MULTICAST MSGINFO bits 22:21 are set", w);
    const std::size_t count = (info & E1000_VF_SET_MULTICAST_COUNT_MASK) >> E1000_VT_MSGINFO_SHIFT;
    if (count > max_mc_hashes)
        return bad(Defect::too_many_hashes, "more than 30 multicast hashes", w);
    if (w.size() < 1 + (count + 1) / 2)
        return bad(Defect::too_short, "fewer words than the multicast hash count needs", w);
    std::array<std::uint16_t, max_mc_hashes> hashes{};
    for (std::size_t i = 0; i < count; ++i) {
        const auto hash = static_cast<std::uint16_t>(w[1 + i / 2] >> (i % 2 == 0 ? 0 : 16));
        if (hash > mc_hash_max)
            return bad(Defect::hash_out_of_range, "a multicast hash is above 0xFFF", w);
        hashes[i] = hash;
    }
    // Cannot throw: count and every hash were checked above.
    return Request{SetMulticast({hashes.data(), count}, (info & E1000_VF_SET_MULTICAST_OVERFLOW) != 0)};
}

Decoded<Request> decode_set_vlan(Words w, std::uint32_t info) noexcept
{
    if (info != 0 && info != E1000_VF_SET_VLAN_ADD)
        return bad(Defect::bad_msginfo, "SET_VLAN MSGINFO must be 1 (add) or 0 (remove)", w);
    if (w.size() < 2)
        return bad(Defect::too_short, "SET_VLAN needs 2 words", w);
    if (w[1] > vlan_id_max)
        return bad(Defect::vlan_out_of_range, "VLAN ID above 4095", w);
    return Request{SetVlan{static_cast<std::uint16_t>(w[1]), info == E1000_VF_SET_VLAN_ADD}};
}

Decoded<Request> decode_set_lpe(Words w, std::uint32_t info) noexcept
{
    if (info != 0)
        return bad(Defect::bad_msginfo, "SET_LPE takes no MSGINFO", w);
    if (w.size() < 2)
        return bad(Defect::too_short, "SET_LPE needs 2 words", w);
    if (w[1] == 0 || w[1] > lpe_max)
        return bad(Defect::frame_out_of_range, "max frame size is 0 or above 0x3FFF", w);
    return Request{SetLpe{static_cast<std::uint16_t>(w[1])}};
}

Decoded<Request> decode_set_promisc(Words w, std::uint32_t info) noexcept
{
    if ((info & ~(E1000_VF_SET_PROMISC_UNICAST | E1000_VF_SET_PROMISC_MULTICAST)) != 0)
        return bad(Defect::bad_msginfo, "SET_PROMISC flag other than unicast (1) and multicast (2)", w);
    return Request{SetPromisc{(info & E1000_VF_SET_PROMISC_MULTICAST) != 0,
                              (info & E1000_VF_SET_PROMISC_UNICAST) != 0}};
}

}  // namespace

SetMulticast::SetMulticast(std::span<const std::uint16_t> hashes, bool overflow) : overflow_(overflow)
{
    if (hashes.size() > max_mc_hashes)
        throw out_of_range(fmt::format("{} multicast hashes; at most {} fit", hashes.size(), max_mc_hashes));
    for (auto h : hashes)
        if (h > mc_hash_max)
            throw out_of_range(fmt::format("multicast hash {:#x} is above {:#x}", h, mc_hash_max));
    std::copy(hashes.begin(), hashes.end(), hashes_.begin());
    count_ = hashes.size();
}

bool operator==(const SetMulticast& a, const SetMulticast& b) noexcept
{
    return a.overflow_ == b.overflow_ && std::ranges::equal(a.hashes(), b.hashes());
}

Message encode(const Request& request, Protocol protocol)
{
    switch (protocol) {
    case Protocol::igb: break;
    }
    return std::visit(Encoder{}, request);
}

Decoded<Request> decode_request(Words w, Protocol protocol) noexcept
{
    switch (protocol) {
    case Protocol::igb: break;
    }
    if (auto size_defect = detail::check_size(w))
        return *size_defect;
    const std::uint32_t w0 = w[0];
    if ((w0 & (E1000_VT_MSGTYPE_ACK | E1000_VT_MSGTYPE_NACK)) != 0)
        return bad(Defect::already_answered, "carries ACK or NACK: a reply, not a request", w);
    if ((w0 & E1000_VT_MSGTYPE_CTS) != 0)
        return bad(Defect::unexpected_cts, "carries CTS, which only the PF sets", w);
    if ((w0 & reserved_mask) != 0)
        return bad(Defect::reserved_bits, "word 0 bits 28:24 are set", w);
    const std::uint32_t info = w0 & E1000_VT_MSGINFO_MASK;
    switch (message_id(w0)) {
    case E1000_VF_RESET: return decode_reset(w, info);
    case E1000_VF_SET_MAC_ADDR: return decode_set_mac(w, info);
    case E1000_VF_SET_MULTICAST: return decode_set_multicast(w, info);
    case E1000_VF_SET_VLAN: return decode_set_vlan(w, info);
    case E1000_VF_SET_LPE: return decode_set_lpe(w, info);
    case E1000_VF_SET_PROMISC: return decode_set_promisc(w, info);
    default: return bad(Defect::unknown_id, "not a request the 82576 mailbox defines", w);
    }
}

std::size_t request_length(std::uint32_t word0) noexcept
{
    constexpr std::size_t whole = e82576::mailbox_words;
    if ((word0 & (E1000_VT_MSGTYPE_ACK | E1000_VT_MSGTYPE_NACK | E1000_VT_MSGTYPE_CTS | reserved_mask)) != 0)
        return whole;
    switch (message_id(word0)) {
    case E1000_VF_RESET:
    case E1000_VF_SET_PROMISC: return 1;
    case E1000_VF_SET_VLAN:
    case E1000_VF_SET_LPE: return 2;
    case E1000_VF_SET_MAC_ADDR: return 3;
    case E1000_VF_SET_MULTICAST: {
        const std::size_t count = (word0 & E1000_VF_SET_MULTICAST_COUNT_MASK) >> E1000_VT_MSGINFO_SHIFT;
        return count > max_mc_hashes ? whole : 1 + (count + 1) / 2;
    }
    default: return whole;
    }
}

std::uint16_t multicast_hash(const MacAddress& group) noexcept
{
    const auto& b = group.bytes();
    return static_cast<std::uint16_t>(((b[4] >> 4) | (b[5] << 4)) & mc_hash_max);
}

}  // namespace sriov::mbx
