// The VF token on disk, for the users of the VFs (libvf, QEMU) to present when they open one.
#pragma once

#include "vfio/vf_token.hpp"

#include <filesystem>

namespace sriov::sriovd {

// Writes the token and a newline to path, replacing it atomically (a temporary file renamed over
// it), readable by owner and group only (0640): the token is what lets a process open a VF.
// Throws sriov::Error (subject = path): permission, not_found (no such directory), io.
void write_token_file(const std::filesystem::path& path, const vfio::VfToken& token);

}  // namespace sriov::sriovd
