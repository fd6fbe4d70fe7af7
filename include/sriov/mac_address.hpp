// An Ethernet MAC address: six bytes, byte 0 first on the wire.
//
// Shared by sriovd (VF MACs it assigns), libvf (the MAC the PF grants) and vfctl (command line).
#pragma once

#include <fmt/format.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sriov {

class MacAddress {
public:
    using Bytes = std::array<std::uint8_t, 6>;

    // 00:00:00:00:00:00, the "no address" value.
    constexpr MacAddress() noexcept = default;
    constexpr explicit MacAddress(const Bytes& bytes) noexcept : bytes_(bytes) {}

    // Parses six two-digit hex bytes separated by colons, e.g. "02:11:22:33:44:55", either case.
    // Throws sriov::Error(Errc::invalid_argument, text, ...) for anything else.
    static MacAddress parse(std::string_view text);
    // Like parse(), but returns nullopt instead of throwing. Never throws.
    static std::optional<MacAddress> try_parse(std::string_view text) noexcept;

    // Lower-case canonical form, "02:11:22:33:44:55". Never throws except std::bad_alloc.
    std::string to_string() const;

    constexpr const Bytes& bytes() const noexcept { return bytes_; }

    // Group bit (bit 0 of byte 0): a multicast or the broadcast address.
    constexpr bool is_multicast() const noexcept { return (bytes_[0] & 0x01) != 0; }
    constexpr bool is_broadcast() const noexcept { return all_bytes(0xff); }
    constexpr bool is_zero() const noexcept { return all_bytes(0x00); }
    // Locally administered bit (bit 1 of byte 0), set in addresses a driver makes up.
    constexpr bool is_locally_administered() const noexcept { return (bytes_[0] & 0x02) != 0; }
    // Usable as a station address: neither multicast nor all zeros (Linux is_valid_ether_addr).
    constexpr bool is_valid_unicast() const noexcept { return !is_multicast() && !is_zero(); }

    friend constexpr auto operator<=>(const MacAddress&, const MacAddress&) = default;

private:
    constexpr bool all_bytes(std::uint8_t value) const noexcept
    {
        for (auto b : bytes_)
            if (b != value)
                return false;
        return true;
    }

    Bytes bytes_{};
};

}  // namespace sriov

// Lets fmt::format("{}", mac) print the canonical form.
template <>
struct fmt::formatter<sriov::MacAddress> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(const sriov::MacAddress& mac, FormatContext& ctx) const
    {
        return fmt::formatter<std::string_view>::format(mac.to_string(), ctx);
    }
};
