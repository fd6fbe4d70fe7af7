#include "vfio/vf_token.hpp"

#include "sriov/error.hpp"
#include "vfio/hex_digit.hpp"

#include <fcntl.h>
#include <sys/random.h>

#include <cerrno>

namespace sriov::vfio {

namespace {

// Positions of the dashes in the canonical 36-character form.
bool is_dash_position(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

VfToken VfToken::generate()
{
    Bytes b{};
    std::size_t got = 0;
    while (got < b.size()) {
        ssize_t n = ::getrandom(b.data() + got, b.size() - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw system_error("VF token", "getrandom", errno);
        }
        got += static_cast<std::size_t>(n);
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return VfToken(b);
}

VfToken VfToken::parse(std::string_view text)
{
    auto bad = [&] {
        return Error(Errc::invalid_argument, std::string(text),
                     "not a VF token (expected a UUID like 2ab74924-c335-45f4-9b16-8569e5b08258)");
    };
    if (text.size() != 36)
        throw bad();
    Bytes b{};
    std::size_t nibble = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_dash_position(i)) {
            if (text[i] != '-')
                throw bad();
            continue;
        }
        int v = hex_digit_value(text[i]);
        if (v < 0)
            throw bad();
        auto& byte = b[nibble / 2];
        byte = static_cast<std::uint8_t>(nibble % 2 == 0 ? v << 4 : byte | v);
        ++nibble;
    }
    return VfToken(b);
}

std::string VfToken::to_string() const
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out += '-';
        out += digits[bytes_[i] >> 4];
        out += digits[bytes_[i] & 0xf];
    }
    return out;
}

}  // namespace sriov::vfio
