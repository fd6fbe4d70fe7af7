#include "pf/generated_mac.hpp"

#include <array>
#include <cstdint>

namespace sriov::pf {

MacAddress generated_mac(const MacAddress& pf_mac, unsigned vf) noexcept
{
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
    const auto mix = [&h](std::uint8_t byte) {
        h ^= byte;
        h *= 0x100000001b3ull;  // FNV-1a 64 prime
    };
    for (std::uint8_t b : pf_mac.bytes())
        mix(b);
    mix(static_cast<std::uint8_t>(vf));
    std::array<std::uint8_t, 6> bytes{};
    for (unsigned i = 0; i < 6; ++i)
        bytes[i] = static_cast<std::uint8_t>(h >> (8 * (5 - i)));
    bytes[0] = static_cast<std::uint8_t>((bytes[0] & 0xFC) | 0x02);  // locally administered, unicast
    return MacAddress(bytes);
}

}  // namespace sriov::pf
