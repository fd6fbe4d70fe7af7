#include "vfio/vf_token.hpp"

#include "sriov/error.hpp"
#include "vfio/unique_fd.hpp"
#include "vfio/hex_digit.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>

namespace sriov::vfio {

namespace {

// Positions of the dashes in the canonical 36-character form.
bool is_dash_position(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// "group 'sriov'" for a gid with a name, else "gid 1001".
std::string group_name(gid_t gid)
{
    struct group g {};
    struct group* found = nullptr;
    std::array<char, 1024> buf{};
    if (::getgrgid_r(gid, &g, buf.data(), buf.size(), &found) == 0 && found != nullptr)
        return fmt::format("group '{}'", found->gr_name);
    return fmt::format("gid {}", gid);
}

// Why the caller may not read `path`, with what would let it.
Error unreadable_token(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return Error(Errc::permission, path, "cannot read the VF token: permission denied");
    return Error(Errc::permission, path,
                 fmt::format("cannot read the VF token: permission denied (owner uid {}, {}, mode {:04o}); "
                             "run as root or as a member of that group (sriovd's operators' group)",
                             st.st_uid, group_name(st.st_gid), st.st_mode & 07777));
}

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

VfToken VfToken::read_file(const std::string& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        const int err = errno;
        if (err == ENOENT)
            throw Error(Errc::not_found, path,
                        "cannot read the VF token: no such file (is sriovd running? it writes the token "
                        "there once it owns the PF)");
        if (err == EACCES || err == EPERM)
            throw unreadable_token(path);
        throw system_error(path, "cannot read the VF token: open", err);
    }
    // A token is 36 characters; a little more room shows a file that holds something else.
    std::array<char, 128> buf{};
    std::size_t got = 0;
    while (got < buf.size()) {
        const ssize_t n = ::read(fd.get(), buf.data() + got, buf.size() - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw system_error(path, "cannot read the VF token: read", errno);
        }
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    std::string_view text(buf.data(), got);
    text = text.substr(0, text.find('\n'));
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    if (text.empty())
        throw Error(Errc::invalid_argument, path, "cannot read the VF token: the file is empty");
    try {
        return parse(text);
    } catch (const Error& e) {
        throw Error(Errc::invalid_argument, path, fmt::format("holds no VF token: {}", e.cause()));
    }
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
