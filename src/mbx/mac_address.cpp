#include "sriov/mac_address.hpp"

#include "sriov/error.hpp"
#include "vfio/hex_digit.hpp"

namespace sriov {

std::optional<MacAddress> MacAddress::try_parse(std::string_view text) noexcept
{
    // "xx:xx:xx:xx:xx:xx": byte i at 3i, 3i+1; a colon after every byte but the last.
    constexpr std::size_t length = 17;
    if (text.size() != length)
        return std::nullopt;
    Bytes b{};
    for (std::size_t i = 0; i < b.size(); ++i) {
        int hi = hex_digit_value(text[3 * i]);
        int lo = hex_digit_value(text[3 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        if (i + 1 < b.size() && text[3 * i + 2] != ':')
            return std::nullopt;
        b[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return MacAddress(b);
}

MacAddress MacAddress::parse(std::string_view text)
{
    if (auto mac = try_parse(text))
        return *mac;
    throw Error(Errc::invalid_argument, std::string(text),
                "not a MAC address (expected six hex bytes like 02:11:22:33:44:55)");
}

std::string MacAddress::to_string() const
{
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", bytes_[0], bytes_[1], bytes_[2],
                       bytes_[3], bytes_[4], bytes_[5]);
}

}  // namespace sriov
