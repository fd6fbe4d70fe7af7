// Files that sriovd creates or changes as root in directories other users may write to (a
// --token-file in /tmp, /run/sriovd, the state directory, /dev/vfio): reached through file
// descriptors, never by following a symbolic link someone else could have planted there.
//
// The rules, shared by every such file (SECURITY.md, "Files sriovd writes as root"):
//   - A directory is opened component by component from "/" without following symbolic links,
//     except one that sits in a directory only root (or sriovd's own user) can write, as
//     /var/run -> /run does; the directory itself must not be a symbolic link, must belong to root
//     or to us, and may be writable by others only with the sticky bit (as /tmp).
//   - Files are then named relative to that directory's descriptor: a new file under a random
//     name, created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW), changed through its descriptor
//     (fchmod, fchown) and renamed onto its name; a symbolic link found at that name is refused.
#pragma once

#include "vfio/unique_fd.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sriov::files {

// The directory at dir (relative paths from the working directory), open O_RDONLY|O_DIRECTORY,
// for *at() calls, fchmod, fchown and fsync.
// Throws sriov::Error (subject = dir): not_found (a component is missing), permission (dir or
// one of the symbolic links on the way is one we do not follow, or dir belongs to another user, or
// others may write to it without the sticky bit; the cause says which and what to do), io.
UniqueFd open_directory(const std::filesystem::path& dir);

// As open_directory(), creating dir (mode mode_if_created, less the umask) and its missing
// parents (0755) first. An existing directory's mode is left alone.
// Throws sriov::Error as open_directory(); io if it cannot be created.
UniqueFd make_directory(const std::filesystem::path& dir, mode_t mode_if_created);

// Refuses, with one line that says what to do, if name in dir_fd exists and is not of type `type`
// (S_IFREG, S_IFSOCK, ...): a symbolic link (never followed, never replaced), a directory, or any
// other kind of file. Nothing there is fine. `shown` is the path the error names.
// Throws sriov::Error (subject = shown): permission (a symbolic link), busy (another kind of
// file), io.
void check_replaceable(int dir_fd, const std::string& name, mode_t type, const std::filesystem::path& shown);

// name + "." + 16 random hexadecimal digits: a name for a file about to be created beside name,
// exclusively; nobody can guess it in advance.
std::string unique_name(std::string_view name);

// The existing file name in dir_fd as an O_PATH descriptor, opened without following a symbolic
// link, after checking that it is of type `type` (S_IFCHR, S_IFSOCK, ...) and belongs to owner.
// Change it with fchownat(fd, "", ..., AT_EMPTY_PATH) and chmod_fd(). `shown` is the path errors
// name.
// Throws sriov::Error (subject = shown): not_found, permission (a symbolic link, another type or
// owner), io.
UniqueFd open_node(int dir_fd, const std::string& name, mode_t type, uid_t owner, const std::filesystem::path& shown);

// Gives the existing file at path (a device node) the given group (if any) and mode, through
// open_node() in the directory opened by open_directory(): a symbolic link planted at path, or
// anything but a file of type `type` belonging to owner, is refused, not changed.
// Throws sriov::Error (subject = path): as open_directory() and open_node(); permission or io if
// the chown or chmod is refused.
void share_node(const std::filesystem::path& path, mode_t type, uid_t owner, std::optional<gid_t> group,
                mode_t mode);

// chmod of what an O_PATH (or any) descriptor refers to, through /proc/self/fd: Linux has no
// fchmod for O_PATH descriptors nor a working chmod that does not follow symbolic links.
// Returns 0 or -1 with errno, as chmod.
int chmod_fd(int fd, mode_t mode);

}  // namespace sriov::files
