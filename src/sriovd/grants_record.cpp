#include "grants_record.hpp"

#include "atomic_file.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

namespace sriov::sriovd {

namespace {

constexpr std::uint32_t record_version = 1;
constexpr std::size_t slot_offset = 4096;

struct Header {
    char magic[24];
    std::uint32_t version;
    std::uint32_t slot_size;
    std::uint64_t generation;
    std::uint32_t length[2];
};
static_assert(sizeof(Header) == 48 && offsetof(Header, generation) % 8 == 0);

constexpr char record_magic[sizeof(Header::magic)] = "sriovd-grants-record";

std::size_t slot_start(std::uint64_t slot) { return slot_offset + static_cast<std::size_t>(slot) * grants_record_slot; }

void check_fits(std::string_view text, const std::filesystem::path& path)
{
    if (text.size() > grants_record_slot)
        throw Error(Errc::invalid_argument, path.string(),
                    fmt::format("{} bytes of grants do not fit the record's {}", text.size(), grants_record_slot));
}

}  // namespace

std::optional<std::string> grants_record_text(std::string_view file, std::string* why)
{
    auto refuse = [why](std::string reason) -> std::optional<std::string> {
        if (why)
            *why = std::move(reason);
        return std::nullopt;
    };
    Header h{};
    if (file.size() < sizeof h)
        return refuse("not a grants record");
    std::memcpy(&h, file.data(), sizeof h);
    if (std::memcmp(h.magic, record_magic, sizeof h.magic) != 0)
        return refuse("not a grants record");
    if (h.version != record_version || h.slot_size != grants_record_slot || file.size() != grants_record_size)
        return refuse(fmt::format("a grants record of another version or size ({} bytes)", file.size()));
    const std::uint64_t slot = h.generation % 2;
    const std::uint32_t length = h.length[slot];
    if (length > grants_record_slot)
        return refuse(fmt::format("damaged: slot {} claims {} bytes", slot, length));
    return std::string(file.substr(slot_start(slot), length));
}

GrantsRecord GrantsRecord::create(const std::filesystem::path& path, std::string_view text)
{
    check_fits(text, path);
    void* base = MAP_FAILED;
    try {
        replace_file_atomically(path, 0600, std::nullopt, Durability::process_crash, [&](int fd) {
            if (::ftruncate(fd, static_cast<off_t>(grants_record_size)) != 0)
                throw system_error(path.string(), "size the grants record", errno);
            base = ::mmap(nullptr, grants_record_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (base == MAP_FAILED)
                throw system_error(path.string(), "map the grants record", errno);
            Header h{};
            std::memcpy(h.magic, record_magic, sizeof h.magic);
            h.version = record_version;
            h.slot_size = grants_record_slot;
            h.length[0] = static_cast<std::uint32_t>(text.size());
            std::memcpy(static_cast<std::byte*>(base) + slot_start(0), text.data(), text.size());
            std::memcpy(base, &h, sizeof h);
        });
    } catch (...) {
        if (base != MAP_FAILED)
            ::munmap(base, grants_record_size);
        throw;
    }
    return GrantsRecord(static_cast<std::byte*>(base), path);
}

GrantsRecord::GrantsRecord(GrantsRecord&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)), path_(std::move(other.path_))
{
}

GrantsRecord& GrantsRecord::operator=(GrantsRecord&& other) noexcept
{
    if (this != &other) {
        if (base_)
            ::munmap(base_, grants_record_size);
        base_ = std::exchange(other.base_, nullptr);
        path_ = std::move(other.path_);
    }
    return *this;
}

GrantsRecord::~GrantsRecord()
{
    if (base_)
        ::munmap(base_, grants_record_size);
}

void GrantsRecord::store(std::string_view text)
{
    check_fits(text, path_);
    auto* header = reinterpret_cast<Header*>(base_);
    std::atomic_ref<std::uint64_t> generation(header->generation);
    const std::uint64_t next = generation.load(std::memory_order_relaxed) + 1;
    const std::uint64_t slot = next % 2;
    std::memcpy(base_ + slot_start(slot), text.data(), text.size());
    std::atomic_ref<std::uint32_t>(header->length[slot]).store(static_cast<std::uint32_t>(text.size()),
                                                                std::memory_order_relaxed);
    // The one store that makes the new text the record's: after the text and its length.
    generation.store(next, std::memory_order_release);
}

std::string GrantsRecord::text() const
{
    const auto* header = reinterpret_cast<const Header*>(base_);
    const std::uint64_t slot = header->generation % 2;
    return std::string(reinterpret_cast<const char*>(base_ + slot_start(slot)), header->length[slot]);
}

std::optional<std::string> read_grants_record(const std::filesystem::path& path, std::string* why)
{
    std::optional<std::string> file;
    try {
        file = read_own_file_if_present(path);
    } catch (const std::exception& e) {
        if (why)
            *why = e.what();
        return std::nullopt;
    }
    if (!file) {
        if (why)
            *why = "no such file";
        return std::nullopt;
    }
    return grants_record_text(*file, why);
}

}  // namespace sriov::sriovd
