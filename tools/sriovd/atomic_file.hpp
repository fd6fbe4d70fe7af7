// Files that are either wholly old or wholly new after a crash: written to a temporary file in the
// same directory, flushed to disk, renamed over the old one, and the directory flushed too, so
// that the rename itself survives a power cut.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace sriov::sriovd {

// Replaces path with contents, mode `mode` (set explicitly, whatever the umask). The temporary
// file is path + ".tmp"; it is removed again if any step fails.
// Throws sriov::Error (subject = path): permission, not_found (no such directory), io (a write,
// fsync or rename failed; the old file is then still in place).
void write_file_atomically(const std::filesystem::path& path, std::string_view contents, mode_t mode);

// The whole contents of path, or nothing if there is no such file.
// Throws sriov::Error (subject = path): permission, io.
std::optional<std::string> read_file_if_present(const std::filesystem::path& path);

}  // namespace sriov::sriovd
