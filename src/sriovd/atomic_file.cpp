#include "atomic_file.hpp"

#include "sriov/error.hpp"
#include "vfio/root_files.hpp"
#include "vfio/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace sriov::sriovd {

namespace {

// How many random temporary names to try before giving up: one taken is already unlikely.
constexpr int temporary_name_attempts = 16;

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

std::filesystem::path directory_of(const std::filesystem::path& path)
{
    return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

// The file name of path; refuses paths that name a directory ("dir/", "dir/..").
std::string file_name(const std::filesystem::path& path)
{
    const std::string name = path.filename().string();
    if (name.empty() || name == "." || name == "..")
        throw Error(Errc::invalid_argument, path.string(), "names a directory, not a file");
    return name;
}

// A new, empty file beside name in dir, mode 0600, created exclusively under a random name: never
// an existing file, never through a symbolic link. Returns its descriptor; sets tmp to its name.
UniqueFd create_temporary(int dir, const std::string& name, std::string& tmp, const std::filesystem::path& path)
{
    for (int attempt = 0; attempt < temporary_name_attempts; ++attempt) {
        tmp = files::unique_name(name);
        UniqueFd fd(::openat(dir, tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (fd)
            return fd;
        if (errno != EEXIST)
            throw system_error(path.string(), "create a temporary file beside it", errno);
    }
    throw Error(Errc::io, path.string(),
                "create a temporary file beside it: every random name tried was taken; is someone filling the "
                "directory?");
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view contents, mode_t mode,
                           std::optional<gid_t> group, Durability durability)
{
    replace_file_atomically(path, mode, group, durability, [&](int fd) { write_all(fd, contents, path); });
}

void replace_file_atomically(const std::filesystem::path& path, mode_t mode, std::optional<gid_t> group,
                             Durability durability, const std::function<void(int fd)>& fill)
{
    const bool flush = durability == Durability::power_cut;
    const std::string name = file_name(path);
    const UniqueFd dir = files::open_directory(directory_of(path));
    // Refused before anything is written. Whatever is put at name after this check is replaced by
    // the rename below, never written through.
    files::check_replaceable(dir.get(), name, S_IFREG, path);

    std::string tmp;
    UniqueFd fd = create_temporary(dir.get(), name, tmp, path);
    try {
        // Group first, then mode: chown may clear mode bits.
        if (group && ::fchown(fd.get(), static_cast<uid_t>(-1), *group) != 0)
            throw system_error(path.string(), "give the file to the operators' group (chown)", errno);
        if (::fchmod(fd.get(), mode) != 0)
            throw system_error(path.string(), "set the file's mode", errno);
        fill(fd.get());
        if (flush && ::fsync(fd.get()) != 0)
            throw system_error(path.string(), "flush the file to disk", errno);
        if (::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) != 0)
            throw system_error(path.string(), "put the new file in place", errno);
    } catch (...) {
        ::unlinkat(dir.get(), tmp.c_str(), 0);
        throw;
    }
    if (flush && ::fsync(dir.get()) != 0)
        throw system_error(path.string(), "flush its directory to disk", errno);
}

namespace {

std::string read_all(int fd, const std::filesystem::path& path)
{
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw system_error(path.string(), "read", errno);
        if (n == 0)
            return text;
        text.append(buffer, static_cast<std::size_t>(n));
    }
}

}  // namespace

std::optional<std::string> read_file_if_present(const std::filesystem::path& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT)
            return std::nullopt;
        throw system_error(path.string(), "open", errno);
    }
    return read_all(fd.get(), path);
}

std::optional<std::string> read_own_file_if_present(const std::filesystem::path& path)
{
    const std::string name = file_name(path);
    const UniqueFd dir = files::open_directory(directory_of(path));
    files::check_replaceable(dir.get(), name, S_IFREG, path);
    // O_NOFOLLOW refuses a link put there since the check (ELOOP); O_NONBLOCK keeps a FIFO from
    // blocking the open (it is refused just below).
    UniqueFd fd(::openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT)
            return std::nullopt;
        throw system_error(path.string(), "open", errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        throw system_error(path.string(), "stat", errno);
    if (!S_ISREG(st.st_mode))
        throw Error(Errc::busy, path.string(), "is not a regular file; refusing to read it");
    return read_all(fd.get(), path);
}

}  // namespace sriov::sriovd
