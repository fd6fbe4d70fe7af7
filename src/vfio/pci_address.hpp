// A PCI function's address (domain, bus, device, function), as Linux names it in sysfs.
#pragma once

#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sriov::pci {

struct Address {
    std::uint32_t domain = 0;   // PCI segment; Linux prints at least 4 hex digits
    std::uint8_t bus = 0;       // 0x00..0xff
    std::uint8_t device = 0;    // 0x00..0x1f
    std::uint8_t function = 0;  // 0..7

    // Parses "DDDD:BB:DD.F" (domain of 4 to 8 hex digits) or the short "BB:DD.F" (domain 0).
    // Hex digits may be upper or lower case; nothing else may surround the address.
    // Throws sriov::Error(Errc::invalid_argument, text, ...) if the text is not a PCI address or a
    // field is out of range (device > 0x1f, function > 7).
    static Address parse(std::string_view text);

    // Like parse(), but returns nullopt instead of throwing. Never throws.
    static std::optional<Address> try_parse(std::string_view text) noexcept;

    // The PCIe routing id within the domain: bus << 8 | device << 3 | function. Never throws.
    std::uint16_t routing_id() const noexcept;

    // The address with the given routing id in the given domain. Never throws.
    static Address from_routing_id(std::uint32_t domain, std::uint16_t rid) noexcept;

    // The canonical form, e.g. "0000:00:02.0". Never throws except std::bad_alloc.
    std::string to_string() const;

    friend auto operator<=>(const Address&, const Address&) = default;
};

}  // namespace sriov::pci

// Lets fmt::format("{}", address) print the canonical form.
template <>
struct fmt::formatter<sriov::pci::Address> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(const sriov::pci::Address& a, FormatContext& ctx) const
    {
        return fmt::formatter<std::string_view>::format(a.to_string(), ctx);
    }
};
