#include "mbx/message.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sriov::mbx {

namespace {

Error too_many_words(std::size_t n)
{
    return Error(Errc::invalid_argument, "mailbox message",
                 fmt::format("{} words do not fit the {}-word mailbox", n, Message::capacity));
}

}  // namespace

std::string_view message_name(std::uint16_t id) noexcept
{
    switch (id) {
    case E1000_VF_RESET: return "VF_RESET";
    case E1000_VF_SET_MAC_ADDR: return "SET_MAC_ADDR";
    case E1000_VF_SET_MULTICAST: return "SET_MULTICAST";
    case E1000_VF_SET_VLAN: return "SET_VLAN";
    case E1000_VF_SET_LPE: return "SET_LPE";
    case E1000_VF_SET_PROMISC: return "SET_PROMISC";
    case E1000_PF_CONTROL_MSG: return "PF_CONTROL_MSG";
    default: return "unknown";
    }
}

Message::Message(std::initializer_list<std::uint32_t> words)
    : Message(std::span<const std::uint32_t>(words.begin(), words.size()))
{
}

Message::Message(std::span<const std::uint32_t> words)
{
    if (words.size() > capacity)
        throw too_many_words(words.size());
    std::copy(words.begin(), words.end(), words_.begin());
    size_ = words.size();
}

void Message::push_back(std::uint32_t word)
{
    if (size_ == capacity)
        throw too_many_words(size_ + 1);
    words_[size_++] = word;
}

std::uint32_t Message::at(std::size_t i) const
{
    if (i >= size_)
        throw Error(Errc::invalid_argument, "mailbox message",
                    fmt::format("word {} asked of a {}-word message", i, size_));
    return words_[i];
}

bool operator==(const Message& a, const Message& b) noexcept
{
    return std::ranges::equal(a.words(), b.words());
}

std::string_view to_string(Defect defect) noexcept
{
    switch (defect) {
    case Defect::empty: return "empty";
    case Defect::too_long: return "too_long";
    case Defect::too_short: return "too_short";
    case Defect::unknown_id: return "unknown_id";
    case Defect::already_answered: return "already_answered";
    case Defect::unexpected_cts: return "unexpected_cts";
    case Defect::reserved_bits: return "reserved_bits";
    case Defect::bad_msginfo: return "bad_msginfo";
    case Defect::too_many_hashes: return "too_many_hashes";
    case Defect::hash_out_of_range: return "hash_out_of_range";
    case Defect::vlan_out_of_range: return "vlan_out_of_range";
    case Defect::frame_out_of_range: return "frame_out_of_range";
    case Defect::ack_and_nack: return "ack_and_nack";
    case Defect::not_a_reply: return "not_a_reply";
    }
    return "unknown";
}

std::string describe(const Malformed& m)
{
    if (m.length == 0)
        return std::string(m.reason);
    return fmt::format("{} {:#010x} ({} word{}): {}", message_name(message_id(m.word0)), m.word0, m.length,
                       m.length == 1 ? "" : "s", m.reason);
}

void throw_malformed(const Malformed& m)
{
    throw Error(Errc::protocol, "mailbox", describe(m));
}

namespace detail {

Malformed bad(Defect defect, std::string_view reason, std::span<const std::uint32_t> w) noexcept
{
    return Malformed{defect, reason, w.empty() ? 0 : w[0], w.size()};
}

std::optional<Malformed> check_size(std::span<const std::uint32_t> w) noexcept
{
    if (w.empty())
        return bad(Defect::empty, "no words", w);
    if (w.size() > Message::capacity)
        return bad(Defect::too_long, "longer than the 16-word mailbox", w);
    return std::nullopt;
}

}  // namespace detail

}  // namespace sriov::mbx
