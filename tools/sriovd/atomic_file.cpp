#include "atomic_file.hpp"

#include "sriov/error.hpp"
#include "vfio/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace sriov::sriovd {

namespace {

void write_all(int fd, std::string_view data, const std::filesystem::path& path)
{
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw system_error(path.string(), "write", n < 0 ? errno : EIO);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

void sync_directory(const std::filesystem::path& path)
{
    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::fsync(fd.get()) != 0)
        throw system_error(path.string(), "flush its directory to disk", errno);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view contents, mode_t mode)
{
    const std::filesystem::path tmp = path.string() + ".tmp";
    try {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (!fd)
            throw system_error(path.string(), "create a temporary file beside it", errno);
        if (::fchmod(fd.get(), mode) != 0)
            throw system_error(path.string(), "set the file's mode", errno);
        write_all(fd.get(), contents, path);
        if (::fsync(fd.get()) != 0)
            throw system_error(path.string(), "flush the file to disk", errno);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw system_error(path.string(), "put the new file in place", err);
    }
    sync_directory(path);
}

std::optional<std::string> read_file_if_present(const std::filesystem::path& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT)
            return std::nullopt;
        throw system_error(path.string(), "open", errno);
    }
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw system_error(path.string(), "read", errno);
        if (n == 0)
            return text;
        text.append(buffer, static_cast<std::size_t>(n));
    }
}

}  // namespace sriov::sriovd
