// Files that are either wholly old or wholly new after a crash: written to a temporary file in the
// same directory, flushed to disk, renamed over the old one, and the directory flushed too, so
// that the rename itself survives a power cut. sriovd writes them as root, in directories others
// may write to (a --token-file in /tmp): nothing here follows a symbolic link (vfio/root_files.hpp).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace sriov::sriovd {

// What a file written by write_file_atomically() survives whole: a power cut (it is flushed to
// disk, and so is its directory), or only a crash of sriovd (no flush: for state that a power cut
// makes worthless anyway, written often and on the way to answering a VF).
enum class Durability { power_cut, process_crash };

// Replaces path with contents, mode `mode` (set explicitly, whatever the umask), group `group`
// (if any; the owner is whoever runs this), without ever writing through a symbolic link: the
// directory is opened as files::open_directory() says, the contents go to a new file created
// exclusively under a random name beside path (O_CREAT|O_EXCL|O_NOFOLLOW), get their mode and group
// through its descriptor, are flushed and renamed onto path; the directory is flushed too (neither
// is flushed for Durability::process_crash). The
// temporary file is removed again if any step fails.
// Throws sriov::Error (subject = path): permission (path is a symbolic link, or the directory is
// not one sriovd writes in: see files::open_directory(); or the file system says no), busy (path
// is not a regular file), not_found (no such directory), io (a write, fsync or rename failed; the
// old file is then still in place).
void write_file_atomically(const std::filesystem::path& path, std::string_view contents, mode_t mode,
                           std::optional<gid_t> group = std::nullopt,
                           Durability durability = Durability::power_cut);

// As write_file_atomically(), with the new file's contents made by fill(fd) instead of written from
// a string: fill gets the new file's descriptor (open read-write, empty, with its mode and group
// set) before it is flushed and renamed onto path; whatever fill throws, the new file is removed
// and the old one stays.
void replace_file_atomically(const std::filesystem::path& path, mode_t mode, std::optional<gid_t> group,
                             Durability durability, const std::function<void(int fd)>& fill);

// The whole contents of path, or nothing if there is no such file. Follows symbolic links: for
// files the administrator names (the configuration file).
// Throws sriov::Error (subject = path): permission, io.
std::optional<std::string> read_file_if_present(const std::filesystem::path& path);

// As read_file_if_present(), for a file sriovd wrote itself (the VF token, the state files): a
// symbolic link or anything else but a regular file at path is refused, not followed, and the
// directory is opened as files::open_directory() says.
// Throws sriov::Error (subject = path): permission (a symbolic link, or the directory), busy (not
// a regular file), io.
std::optional<std::string> read_own_file_if_present(const std::filesystem::path& path);

}  // namespace sriov::sriovd
