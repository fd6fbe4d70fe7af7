// The VF token on disk: sriovd's own copy under its state directory, generated once and reused by
// every later sriovd (the kernel lets a PF whose VFs are in use be reopened only with their token),
// and copies for the users of the VFs (libvf, QEMU) to present when they open one.
#pragma once

#include "vfio/vf_token.hpp"

#include <filesystem>

namespace sriov::sriovd {

// Writes the token and a newline to path, replacing it atomically (a temporary file, fsync,
// rename, fsync of the directory), readable by owner and group only (0640): the token is what
// lets a process open a VF.
// Throws sriov::Error (subject = path): permission, not_found (no such directory), io.
void write_token_file(const std::filesystem::path& path, const vfio::VfToken& token);

// The token kept at path; if there is no such file, a new token, written there first (as
// write_token_file). A token file that does not hold a token is an error, not replaced: VF users
// may still hold that token.
// Throws sriov::Error (subject = path): invalid_argument (the file holds no token), permission,
// not_found (no such directory), io.
vfio::VfToken load_or_create_token(const std::filesystem::path& path);

}  // namespace sriov::sriovd
