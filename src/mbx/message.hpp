// A mailbox message as words, and the result of decoding one.
//
// Message is the raw form: up to 16 dwords, stored inline (no heap). The typed forms are in
// request.hpp (VF to PF) and reply.hpp (PF to VF); each has encode() to a Message and a decode
// from words.
//
// How decode reports bad input. A message from the other side of the mailbox comes from a driver
// we do not control; for the PF it may come from a hostile VF. A malformed message is therefore an
// expected event, not an exceptional one: decode functions never throw and return Decoded<T>,
// which holds either the typed message or a Malformed saying what is wrong with it (a Defect code
// to branch on and a fixed reason to log). Neither form allocates. Decoded<T>::value() turns a
// Malformed into a thrown sriov::Error (Errc::protocol) for callers that prefer exceptions.
// Encoding a typed message the caller built with an out-of-range field is a caller bug and throws
// sriov::Error (Errc::invalid_argument), as control-path functions do.
#pragma once

#include "mbx/protocol.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace sriov::mbx {

class Message {
public:
    static constexpr std::size_t capacity = E1000_VFMAILBOX_SIZE;

    // An empty message (no words).
    constexpr Message() noexcept = default;
    // A message holding these words. Throws sriov::Error(invalid_argument) for more than 16.
    Message(std::initializer_list<std::uint32_t> words);
    explicit Message(std::span<const std::uint32_t> words);

    // Appends a word. Throws sriov::Error(invalid_argument) if the message already has 16.
    void push_back(std::uint32_t word);

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::span<const std::uint32_t> words() const noexcept { return {words_.data(), size_}; }
    // Word i. Throws sriov::Error(invalid_argument) if i >= size().
    std::uint32_t at(std::size_t i) const;

    // Equal when they hold the same words.
    friend bool operator==(const Message& a, const Message& b) noexcept;

private:
    std::array<std::uint32_t, capacity> words_{};
    std::size_t size_ = 0;
};

// What is wrong with a malformed message.
enum class Defect : std::uint8_t {
    empty,               // no words at all
    too_long,            // more than 16 words
    too_short,           // fewer words than its ID and MSGINFO call for
    unknown_id,          // an ID the protocol does not define for this direction
    already_answered,    // a request carrying ACK or NACK: an old reply, not a new request
    unexpected_cts,      // a request carrying CTS, which only the PF sets
    reserved_bits,       // bits that must be zero are set
    bad_msginfo,         // a MSGINFO value (sub-command, flag, count) the message does not define
    too_many_hashes,     // SET_MULTICAST with more than 30 hashes
    hash_out_of_range,   // a multicast hash above 0xFFF, outside the 4096-bit table
    vlan_out_of_range,   // a VLAN ID above 4095
    frame_out_of_range,  // a SET_LPE frame size of 0 or above 0x3FFF
    ack_and_nack,        // a reply with both ACK and NACK set
    not_a_reply,         // a PF message that is neither a reply nor a control message
};

// A short name of the defect, e.g. "too_short", for logs and JSON. Never throws.
std::string_view to_string(Defect defect) noexcept;

struct Malformed {
    Defect defect;
    std::string_view reason;   // a fixed sentence saying what is wrong; refers to static storage
    std::uint32_t word0 = 0;   // word 0 as received, 0 if there was none
    std::size_t length = 0;    // number of words received

    friend bool operator==(const Malformed&, const Malformed&) = default;
};

// "SET_VLAN 0x00010004 (2 words): VLAN ID above 4095", for logs and errors. Allocates; never call
// it where allocation is not allowed.
std::string describe(const Malformed& m);

// Either a decoded T or the reason the words were not a valid T.
template <class T>
class Decoded {
public:
    Decoded(T value) : v_(std::move(value)) {}
    Decoded(Malformed malformed) : v_(malformed) {}

    bool ok() const noexcept { return std::holds_alternative<T>(v_); }
    explicit operator bool() const noexcept { return ok(); }

    // The decoded message. Throws sriov::Error(Errc::protocol, "mailbox", describe(error())) if the
    // words were malformed.
    const T& value() const;
    // Why the words were malformed. Throws std::bad_variant_access if they were not.
    const Malformed& error() const { return std::get<Malformed>(v_); }

private:
    std::variant<T, Malformed> v_;
};

namespace detail {
// For decoders: a Malformed for the words w (word 0 and the length taken from them).
Malformed bad(Defect defect, std::string_view reason, std::span<const std::uint32_t> w) noexcept;
// The checks every decoder starts with: some words, at most 16. nullopt when they pass.
std::optional<Malformed> check_size(std::span<const std::uint32_t> w) noexcept;
}  // namespace detail

// Throws the sriov::Error that Decoded<T>::value() reports. Exposed for the template only.
[[noreturn]] void throw_malformed(const Malformed& m);

template <class T>
const T& Decoded<T>::value() const
{
    if (!ok())
        throw_malformed(error());
    return std::get<T>(v_);
}

}  // namespace sriov::mbx
