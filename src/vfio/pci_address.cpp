#include "vfio/pci_address.hpp"

#include "sriov/error.hpp"

#include <charconv>

namespace sriov::pci {
namespace {

bool is_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Reads a field of exactly min..max hex digits from the front of text and removes it.
std::optional<std::uint32_t> take_hex(std::string_view& text, std::size_t min_digits, std::size_t max_digits)
{
    std::size_t n = 0;
    while (n < text.size() && n < max_digits && is_hex_digit(text[n]))
        ++n;
    if (n < min_digits)
        return std::nullopt;
    // A longer run of digits than allowed is not this field.
    if (n < text.size() && is_hex_digit(text[n]))
        return std::nullopt;
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + n, value, 16);
    if (ec != std::errc() || end != text.data() + n)
        return std::nullopt;
    text.remove_prefix(n);
    return value;
}

bool take_char(std::string_view& text, char c)
{
    if (text.empty() || text.front() != c)
        return false;
    text.remove_prefix(1);
    return true;
}

}  // namespace

std::optional<Address> Address::try_parse(std::string_view text) noexcept
{
    // Two colons mean a domain is present; one means the short form.
    std::size_t colons = 0;
    for (char c : text)
        colons += (c == ':');
    if (colons != 1 && colons != 2)
        return std::nullopt;

    Address a;
    if (colons == 2) {
        auto domain = take_hex(text, 4, 8);
        if (!domain || !take_char(text, ':'))
            return std::nullopt;
        a.domain = *domain;
    }
    auto bus = take_hex(text, 2, 2);
    if (!bus || !take_char(text, ':'))
        return std::nullopt;
    auto device = take_hex(text, 2, 2);
    if (!device || *device > 0x1f || !take_char(text, '.'))
        return std::nullopt;
    auto function = take_hex(text, 1, 1);
    if (!function || *function > 7 || !text.empty())
        return std::nullopt;

    a.bus = static_cast<std::uint8_t>(*bus);
    a.device = static_cast<std::uint8_t>(*device);
    a.function = static_cast<std::uint8_t>(*function);
    return a;
}

Address Address::parse(std::string_view text)
{
    if (auto a = try_parse(text))
        return *a;
    throw Error(Errc::invalid_argument, std::string(text), "not a PCI address (expected DDDD:BB:DD.F)");
}

std::uint16_t Address::routing_id() const noexcept
{
    return static_cast<std::uint16_t>(bus << 8 | device << 3 | function);
}

Address Address::from_routing_id(std::uint32_t domain, std::uint16_t rid) noexcept
{
    Address a;
    a.domain = domain;
    a.bus = static_cast<std::uint8_t>(rid >> 8);
    a.device = static_cast<std::uint8_t>((rid >> 3) & 0x1f);
    a.function = static_cast<std::uint8_t>(rid & 0x7);
    return a;
}

std::string Address::to_string() const
{
    return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", domain, bus, device, function);
}

}  // namespace sriov::pci
