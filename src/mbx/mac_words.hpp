// How a MAC address sits in mailbox words 1 and 2 (internal to sriov_mbx).
//
// The drivers copy the six bytes over words 1-2 as memory on a little-endian CPU, so byte 0 is in
// bits 7:0 of word 1 and bytes 4-5 are in bits 15:0 of word 2. Bits 31:16 of word 2 are not part
// of the address; Linux's PF leaves them uninitialised in its VF_RESET reply.
#pragma once

#include "sriov/mac_address.hpp"

#include <cstdint>

namespace sriov::mbx::detail {

inline constexpr std::uint32_t mac_word2_unused = 0xFFFF0000;

constexpr std::uint32_t mac_word1(const MacAddress& mac) noexcept
{
    const auto& b = mac.bytes();
    return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 |
           std::uint32_t{b[3]} << 24;
}

constexpr std::uint32_t mac_word2(const MacAddress& mac) noexcept
{
    const auto& b = mac.bytes();
    return std::uint32_t{b[4]} | std::uint32_t{b[5]} << 8;
}

// The address in words 1-2; bits 31:16 of word 2 are ignored.
constexpr MacAddress mac_from_words(std::uint32_t word1, std::uint32_t word2) noexcept
{
    auto byte = [](std::uint32_t w, unsigned n) { return static_cast<std::uint8_t>(w >> (8 * n)); };
    return MacAddress({byte(word1, 0), byte(word1, 1), byte(word1, 2), byte(word1, 3), byte(word2, 0),
                       byte(word2, 1)});
}

}  // namespace sriov::mbx::detail
