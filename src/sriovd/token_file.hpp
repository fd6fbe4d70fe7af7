// The VF token on disk: sriovd's own copy under its state directory, generated once and reused by
// every later sriovd (the kernel lets a PF whose VFs are in use be reopened only with their token),
// and copies for the users of the VFs (libvf, QEMU) to present when they open one.
#pragma once

#include "vfio/vf_token.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace sriov::sriovd {

// Writes the token and a newline to path, replacing it atomically as write_file_atomically() does
// (a new file under a random name, fsync, rename, fsync of the directory; never through a symbolic
// link), readable by owner and group only (0640), with group `group` if any (the operators'): the
// token is what lets a process open a VF.
// Throws sriov::Error as write_file_atomically(): permission (also: path is a symbolic link),
// busy, not_found (no such directory), io.
void write_token_file(const std::filesystem::path& path, const vfio::VfToken& token,
                      std::optional<gid_t> group = std::nullopt);

// The token kept at path; if there is no such file, a new token. Either way it is written there
// (as write_token_file, with group `group`), so that the file has this start's mode and group. A
// token file that does not hold a token is an error, not replaced: VF users may still hold that
// token. A symbolic link at path is refused, not followed.
// Throws sriov::Error (subject = path): invalid_argument (the file holds no token), permission
// (also: a symbolic link), busy (not a regular file), not_found (no such directory), io.
vfio::VfToken load_or_create_token(const std::filesystem::path& path, std::optional<gid_t> group = std::nullopt);

}  // namespace sriov::sriovd
