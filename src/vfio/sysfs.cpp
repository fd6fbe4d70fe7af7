#include "vfio/sysfs.hpp"

#include "sriov/error.hpp"
#include "vfio/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>

namespace sriov::pci {
namespace fs = std::filesystem;

std::string attr::virtfn(unsigned n) { return "virtfn" + std::to_string(n); }

namespace {

std::string trim_right(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t'))
        text.pop_back();
    return text;
}

std::uint64_t parse_number(const fs::path& path, const std::string& text, int base)
{
    std::string_view digits = text;
    if (base == 16 && (digits.starts_with("0x") || digits.starts_with("0X")))
        digits.remove_prefix(2);
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
        throw Error(
            Errc::protocol, path.string(),
            fmt::format("expected a {} number, found \"{}\"", base == 16 ? "hexadecimal" : "decimal", text));
    return value;
}

}  // namespace

Sysfs::Sysfs(fs::path root) : root_(std::move(root)) {}

fs::path Sysfs::pci_bus_dir() const { return root_ / "bus" / "pci"; }
fs::path Sysfs::pci_devices_dir() const { return pci_bus_dir() / "devices"; }
fs::path Sysfs::device_dir(const Address& address) const { return pci_devices_dir() / address.to_string(); }
fs::path Sysfs::device_file(const Address& address, std::string_view name) const
{
    return device_dir(address) / name;
}
fs::path Sysfs::driver_dir(std::string_view driver) const { return pci_bus_dir() / "drivers" / driver; }
fs::path Sysfs::driver_unbind(std::string_view driver) const { return driver_dir(driver) / "unbind"; }
fs::path Sysfs::drivers_probe() const { return pci_bus_dir() / "drivers_probe"; }
fs::path Sysfs::module_parameter(std::string_view module, std::string_view parameter) const
{
    return root_ / "module" / module / "parameters" / parameter;
}
fs::path Sysfs::iommu_groups_dir() const { return root_ / "kernel" / "iommu_groups"; }

std::string Sysfs::read(const fs::path& path) const
{
    if (auto text = read_if_exists(path))
        return std::move(*text);
    throw system_error(path.string(), "cannot read", ENOENT);
}

std::optional<std::string> Sysfs::read_if_exists(const fs::path& path) const
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT)
            return std::nullopt;
        throw system_error(path.string(), "cannot open for reading", errno);
    }
    std::string text;
    std::array<char, 4096> buffer;
    for (;;) {
        ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw system_error(path.string(), "cannot read", errno);
        }
        if (n == 0)
            break;
        text.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return trim_right(std::move(text));
}

std::uint64_t Sysfs::read_hex(const fs::path& path) const { return parse_number(path, read(path), 16); }

std::uint64_t Sysfs::read_decimal(const fs::path& path) const { return parse_number(path, read(path), 10); }

void Sysfs::write(const fs::path& path, std::string_view value) const
{
    // The value as the message shows it: without the newline that values often end with.
    std::string_view shown = value;
    while (!shown.empty() && shown.back() == '\n')
        shown.remove_suffix(1);
    const std::string what = fmt::format("write \"{}\"", shown);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd)
        throw system_error(path.string(), what, errno);
    ssize_t n;
    do {
        n = ::write(fd.get(), value.data(), value.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        throw system_error(path.string(), what, errno);
    if (static_cast<std::size_t>(n) != value.size())
        throw Error(Errc::io, path.string(),
                    fmt::format("{}: only {} of {} bytes were accepted", what, n, value.size()));
}

std::optional<fs::path> Sysfs::read_link(const fs::path& path) const
{
    std::array<char, 4096> buffer;
    ssize_t n = ::readlink(path.c_str(), buffer.data(), buffer.size());
    if (n < 0) {
        if (errno == ENOENT)
            return std::nullopt;
        throw system_error(path.string(), "cannot read link", errno);
    }
    if (static_cast<std::size_t>(n) == buffer.size())
        throw Error(Errc::io, path.string(), "link target is too long");
    return fs::path(std::string(buffer.data(), static_cast<std::size_t>(n)));
}

std::optional<std::string> Sysfs::link_name(const fs::path& path) const
{
    auto target = read_link(path);
    if (!target)
        return std::nullopt;
    return target->filename().string();
}

bool Sysfs::exists(const fs::path& path) const noexcept
{
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

std::vector<std::string> Sysfs::list(const fs::path& dir) const
{
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec)
        throw system_error(dir.string(), "cannot list directory", ec.value());
    std::vector<std::string> names;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        names.push_back(it->path().filename().string());
    }
    if (ec)
        throw system_error(dir.string(), "cannot list directory", ec.value());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace sriov::pci
