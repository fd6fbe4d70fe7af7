#include "ctl/socket_file.hpp"

#include "sriov/error.hpp"
#include "vfio/root_files.hpp"
#include "vfio/unique_fd.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace sriov::control {

namespace {

// The address of name in the directory open as dir_fd, through /proc/self/fd: bind and connect
// take a path, and this one reaches exactly that directory whatever happens to its path.
sockaddr_un address_in(int dir_fd, const std::string& name, const std::filesystem::path& shown)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const int n = std::snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dir_fd, name.c_str());
    if (n < 0 || static_cast<std::size_t>(n) >= sizeof addr.sun_path)
        throw Error(Errc::invalid_argument, shown.string(), "the socket's file name is too long");
    return addr;
}

// Whether a server answers on the socket name in dir_fd (a stale file from a crash does not).
bool answered(int dir_fd, const std::string& name, const std::filesystem::path& shown)
{
    const sockaddr_un addr = address_in(dir_fd, name, shown);
    const UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!probe)
        throw system_error(shown.string(), "make a socket", errno);
    return ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace

void bind_socket_file(int sock, const std::filesystem::path& path, std::optional<gid_t> group)
{
    const std::string shown = path.string();
    const std::string name = path.filename().string();
    const UniqueFd dir = files::make_directory(path.has_parent_path() ? path.parent_path() : ".", 0755);
    files::check_replaceable(dir.get(), name, S_IFSOCK, path);
    if (answered(dir.get(), name, path))
        throw Error(Errc::busy, shown, "another sriovd is already answering on this socket");

    const std::string tmp = files::unique_name(name);
    const sockaddr_un addr = address_in(dir.get(), tmp, path);
    if (::bind(sock, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        throw Error(err == EACCES || err == EPERM ? Errc::permission : Errc::io, shown,
                    fmt::format("cannot create the control socket: {}", std::strerror(err)));
    }
    try {
        // The node bound, by descriptor: ours and a socket (others may add names to a sticky
        // directory, not replace ours; this checks it all the same).
        const UniqueFd node = files::open_node(dir.get(), tmp, S_IFSOCK, ::geteuid(), path);
        if (files::chmod_fd(node.get(), 0660) != 0)
            throw system_error(shown, "make the control socket 0660 (chmod)", errno);
        if (group && ::fchownat(node.get(), "", static_cast<uid_t>(-1), *group, AT_EMPTY_PATH) != 0)
            spdlog::warn("control socket {}: cannot give it group {}: {}", shown, *group, std::strerror(errno));
        if (::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) != 0)
            throw system_error(shown, "put the control socket in place (rename)", errno);
    } catch (...) {
        ::unlinkat(dir.get(), tmp.c_str(), 0);
        throw;
    }
}

}  // namespace sriov::control
