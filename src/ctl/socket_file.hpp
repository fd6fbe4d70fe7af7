// The control socket's file: made so that sriovd, running as root, never follows a symbolic link
// planted at its name or changes the mode or owner of anything but the socket it bound.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace sriov::control {

// Binds the Unix stream socket sock (open, not yet bound) to path, mode 0660, group `group` (if
// any; otherwise root's group stays). The directory is created if missing (0755) and opened as
// files::open_directory() says; the socket is bound under a random name in it, checked to be the
// socket we bound, given its group and mode through an O_PATH descriptor, and only then renamed
// onto path, so path never shows a socket with another mode. A stale socket at path (nobody
// answers on it) is replaced by that rename; anything else there is left alone.
// Throws sriov::Error (subject = path): busy (another server answers on path, or path is not a
// socket), permission (path is a symbolic link, the directory is not one sriovd writes in, or
// bind was refused), io.
void bind_socket_file(int sock, const std::filesystem::path& path, std::optional<gid_t> group);

}  // namespace sriov::control
