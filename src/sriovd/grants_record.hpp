// A small file kept in memory (mmap, MAP_SHARED) that holds one string of bytes, replaced without a
// system call: sriovd keeps what each VF was granted in one (vf_grants_file.hpp) and must have it written
// before it answers the VF, which a new file, a write and a rename per request made cost about
// 0.8 ms under emulation (issue 17).
//
// Layout (host byte order; the file never leaves the machine, nor outlives its boot in use):
//   offset 0      magic "sriovd-grants-record\0" padded to 24 bytes, then
//   offset 24     u32 version (1), u32 slot size (grants_record_slot)
//   offset 32     u64 generation: the slot in use is generation % 2
//   offset 40     u32 length of slot 0's text, u32 length of slot 1's text
//   offset 4096   slot 0, then slot 1, grants_record_slot bytes each
// A new text goes to the slot not in use, then its length, then the generation is raised by one
// aligned 8-byte store. The page cache is the mapping, so a crash of sriovd at any point leaves the
// old text or the new one whole; a power cut may leave neither (the VFs do not outlive it either).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sriov::sriovd {

inline constexpr std::size_t grants_record_slot = 32 * 1024;
inline constexpr std::size_t grants_record_size = 4096 + 2 * grants_record_slot;

// The text in use in the bytes of a record file, or nothing if they are not one (and why in *why:
// "not a grants record", "damaged: ..."). Never throws (but bad_alloc).
std::optional<std::string> grants_record_text(std::string_view file, std::string* why = nullptr);

class GrantsRecord {
public:
    // Makes a new record holding text at path, mode 0600: written under a random name beside it,
    // then renamed onto path, so that the old record stays whole until the new one is in place.
    // Nothing is written through a symbolic link (root_files.hpp).
    // Throws sriov::Error (subject = path): as write_file_atomically(); invalid_argument if text
    // does not fit a slot.
    static GrantsRecord create(const std::filesystem::path& path, std::string_view text);

    GrantsRecord(GrantsRecord&& other) noexcept;
    GrantsRecord& operator=(GrantsRecord&& other) noexcept;
    GrantsRecord(const GrantsRecord&) = delete;
    GrantsRecord& operator=(const GrantsRecord&) = delete;
    ~GrantsRecord();

    // Replaces the text, by stores into the mapping only.
    // Throws sriov::Error (invalid_argument) if text does not fit a slot; the old text then stays.
    void store(std::string_view text);

    // The text in use.
    std::string text() const;

private:
    GrantsRecord(std::byte* base, std::filesystem::path path) : base_(base), path_(std::move(path)) {}

    std::byte* base_ = nullptr;  // grants_record_size bytes, mapped shared
    std::filesystem::path path_;
};

// The contents of the record at path, read without following a symbolic link
// (read_own_file_if_present()), or nothing with the reason in *why ("no such file", ...).
// Never throws (but bad_alloc).
std::optional<std::string> read_grants_record(const std::filesystem::path& path, std::string* why);

}  // namespace sriov::sriovd
