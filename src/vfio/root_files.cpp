#include "vfio/root_files.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <deque>

namespace sriov::files {

namespace fs = std::filesystem;

namespace {

constexpr int max_symlinks = 40;  // as the kernel's own path walk

Error refused(const fs::path& what, std::string cause) { return Error(Errc::permission, what.string(), std::move(cause)); }

bool ours(uid_t uid) { return uid == 0 || uid == ::geteuid(); }

const char* kind_of(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFLNK: return "a symbolic link";
    case S_IFSOCK: return "a socket";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFIFO: return "a FIFO";
    }
    return "an unknown kind of file";
}

// The components of p after its root, without empty ones and ".". ".." stays: it is resolved
// against the directory actually reached, as the kernel does, not lexically.
std::deque<std::string> components(const fs::path& p)
{
    std::deque<std::string> out;
    for (const auto& c : p.relative_path())
        if (!c.empty() && c != ".")
            out.push_back(c.string());
    return out;
}

// The target of the symbolic link name in dir.
std::string read_link(int dir, const std::string& name, const fs::path& shown)
{
    std::array<char, 4096> buf;
    const ssize_t n = ::readlinkat(dir, name.c_str(), buf.data(), buf.size());
    if (n < 0)
        throw system_error(shown.string(), fmt::format("read the symbolic link '{}'", name), errno);
    if (static_cast<std::size_t>(n) == buf.size())
        throw Error(Errc::io, shown.string(), fmt::format("the symbolic link '{}' is too long", name));
    return std::string(buf.data(), static_cast<std::size_t>(n));
}

// A directory sriovd writes in: root's or ours, and not open to everyone unless sticky (then
// others may add names but not replace or remove ours).
void check_directory(const struct stat& st, const fs::path& dir)
{
    if (!ours(st.st_uid))
        throw refused(dir, fmt::format("belongs to uid {}, not to root, who could then replace what sriovd writes "
                                       "there; use a directory root owns",
                                       st.st_uid));
    if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
        throw refused(dir, "anyone may write in it and it has no sticky bit, so anyone could replace what sriovd "
                           "writes there; use another directory, or chmod +t it");
}

}  // namespace

UniqueFd open_directory(const fs::path& dir)
{
    const fs::path absolute = dir.is_absolute() ? dir : fs::current_path() / dir;
    std::deque<std::string> todo = components(absolute);
    UniqueFd cur(::open("/", (todo.empty() ? O_RDONLY : O_PATH) | O_DIRECTORY | O_CLOEXEC));
    if (!cur)
        throw system_error("/", "open", errno);
    int links = 0;
    while (!todo.empty()) {
        const std::string name = std::move(todo.front());
        todo.pop_front();
        const bool last = todo.empty();
        struct stat st {};
        if (::fstatat(cur.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            throw system_error(dir.string(), fmt::format("look up '{}'", name), errno);
        if (S_ISLNK(st.st_mode)) {
            if (last)
                throw refused(dir, "is a symbolic link; sriovd does not follow one to the directory it writes in: "
                                   "name the real directory");
            // Followed only if nobody but root (or we) could have put it there.
            struct stat parent {};
            if (::fstat(cur.get(), &parent) != 0)
                throw system_error(dir.string(), "stat", errno);
            if (!ours(parent.st_uid) || (parent.st_mode & (S_IWGRP | S_IWOTH)))
                throw refused(dir, fmt::format("'{}' on the way is a symbolic link in a directory others may write "
                                               "in; sriovd does not follow it: name the real directory",
                                               name));
            if (++links > max_symlinks)
                throw Error(Errc::io, dir.string(), "too many levels of symbolic links");
            const fs::path target = read_link(cur.get(), name, dir);
            std::deque<std::string> more = components(target);
            todo.insert(todo.begin(), more.begin(), more.end());
            if (target.is_absolute()) {
                cur.reset(::open("/", (todo.empty() ? O_RDONLY : O_PATH) | O_DIRECTORY | O_CLOEXEC));
                if (!cur)
                    throw system_error("/", "open", errno);
            } else if (todo.empty()) {
                // A link to "." as the last step: the directory we are in.
                cur.reset(::openat(cur.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
                if (!cur)
                    throw system_error(dir.string(), "open", errno);
            }
            continue;
        }
        // O_NOFOLLOW: a link put there since the fstatat above is refused (ELOOP or ENOTDIR), not
        // followed.
        UniqueFd next(::openat(cur.get(), name.c_str(), (last ? O_RDONLY : O_PATH) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next)
            throw system_error(dir.string(), fmt::format("open '{}'", name), errno);
        cur = std::move(next);
    }
    struct stat st {};
    if (::fstat(cur.get(), &st) != 0)
        throw system_error(dir.string(), "stat", errno);
    check_directory(st, dir);
    return cur;
}

UniqueFd make_directory(const fs::path& dir, mode_t mode_if_created)
{
    try {
        return open_directory(dir);
    } catch (const Error& e) {
        if (e.code() != Errc::not_found)
            throw;
    }
    fs::path path = dir;
    if (path.filename().empty())  // "a/b/"
        path = path.parent_path();
    const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const std::string name = path.filename().string();
    {
        const UniqueFd up = make_directory(parent, 0755);
        if (::mkdirat(up.get(), name.c_str(), mode_if_created) != 0 && errno != EEXIST)
            throw system_error(dir.string(), "create the directory", errno);
    }
    return open_directory(dir);
}

void check_replaceable(int dir_fd, const std::string& name, mode_t type, const fs::path& shown)
{
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return;
        throw system_error(shown.string(), "look it up", errno);
    }
    if (S_ISLNK(st.st_mode))
        throw refused(shown, "is a symbolic link; sriovd never reads or writes its files through one (it could "
                             "make root overwrite another file): remove it, or name the real file");
    if ((st.st_mode & S_IFMT) != (type & S_IFMT))
        throw Error(Errc::busy, shown.string(),
                    fmt::format("exists and is {}, not {}; sriovd leaves it alone: remove it, or name another path",
                                kind_of(st.st_mode), kind_of(type)));
}

std::string unique_name(std::string_view name)
{
    std::uint64_t r = 0;
    if (::getrandom(&r, sizeof r, 0) != static_cast<ssize_t>(sizeof r))
        throw system_error(std::string(name), "make a random name (getrandom)", errno);
    return fmt::format("{}.{:016x}", name, r);
}

int chmod_fd(int fd, mode_t mode)
{
    char proc[32];
    std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return ::chmod(proc, mode);
}

UniqueFd open_node(int dir_fd, const std::string& name, mode_t type, uid_t owner, const fs::path& shown)
{
    UniqueFd node(::openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!node)
        throw system_error(shown.string(), "open", errno);
    struct stat st {};
    if (::fstat(node.get(), &st) != 0)
        throw system_error(shown.string(), "stat", errno);
    if ((st.st_mode & S_IFMT) != (type & S_IFMT))
        throw refused(shown, fmt::format("is {}, not {}; sriovd does not change its owner or mode", kind_of(st.st_mode),
                                         kind_of(type)));
    if (st.st_uid != owner)
        throw refused(shown, fmt::format("belongs to uid {}, not {}; sriovd does not change its owner or mode",
                                         st.st_uid, owner));
    return node;
}

void share_node(const fs::path& path, mode_t type, uid_t owner, std::optional<gid_t> group, mode_t mode)
{
    const UniqueFd dir = open_directory(path.has_parent_path() ? path.parent_path() : fs::path("."));
    const UniqueFd node = open_node(dir.get(), path.filename().string(), type, owner, path);
    if (group && ::fchownat(node.get(), "", static_cast<uid_t>(-1), *group, AT_EMPTY_PATH) != 0)
        throw system_error(path.string(), fmt::format("give it group {} (chown)", *group), errno);
    if (chmod_fd(node.get(), mode) != 0)
        throw system_error(path.string(), fmt::format("set its mode to {:04o} (chmod)", mode), errno);
}

}  // namespace sriov::files
