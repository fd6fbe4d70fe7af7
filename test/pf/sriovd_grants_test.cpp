// The grants record (vf_grants_file.hpp, grants_record.hpp): what a restarted sriovd resumes the
// VFs from. A record of another boot, another PF or in any way damaged is never used: the VFs are
// then made to reset. Replacing its text is one store that a crash cannot tear.
#include "sriovd/atomic_file.hpp"
#include "sriovd/grants_record.hpp"
#include "sriovd/vf_grants_file.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace sriov;
using sriov::pf::VfState;

namespace {

const pci::Address pf_addr = pci::Address::parse("0000:00:02.0");
const std::string boot = "0b1e8f4e-6f2a-4c41-9d35-0f6d6a0e2c11";

std::vector<VfState> two_vfs()
{
    VfState a;
    a.clear_to_send = true;
    a.mac = MacAddress::parse("02:11:22:33:44:55");
    a.vlans = {100, 200};
    a.multicast = {0x123, 0x7ff};
    a.multicast_promisc = true;
    a.max_frame = 1522;
    VfState b;
    b.quarantined = true;
    b.multicast_overflow = true;
    return {a, b};
}

struct TempDir {
    TempDir() : path(std::filesystem::temp_directory_path() / ("sriovd_grants_test." + std::to_string(::getpid())))
    {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::filesystem::path path;
};

}  // namespace

TEST_CASE("the grants record gives back what was written, in the same boot, for the same PF")
{
    TempDir dir;
    const auto path = dir.path / sriovd::grants_file_for(pf_addr);
    CHECK(path.filename() == "grants-0000:00:02.0.record");
    const auto record = sriovd::GrantsRecord::create(path, sriovd::encode_grants(boot, pf_addr, two_vfs()));

    std::string why;
    const auto back = sriovd::load_grants(path, boot, pf_addr, &why);
    REQUIRE(back.has_value());
    REQUIRE(back->size() == 2);
    const VfState& a = (*back)[0];
    CHECK(a.clear_to_send);
    CHECK(a.mac == MacAddress::parse("02:11:22:33:44:55"));
    CHECK(a.vlans == std::vector<std::uint16_t>{100, 200});
    CHECK(a.multicast == std::vector<std::uint16_t>{0x123, 0x7ff});
    CHECK(a.multicast_promisc);
    CHECK(!a.multicast_overflow);
    CHECK(a.max_frame == 1522);
    CHECK(!a.quarantined);
    const VfState& b = (*back)[1];
    CHECK(!b.clear_to_send);
    CHECK(!b.mac);
    CHECK(b.quarantined);
    CHECK(b.multicast_overflow);
}

TEST_CASE("grants of another boot, another PF, damaged or missing are not used, and say why")
{
    TempDir dir;
    const auto path = dir.path / "grants.record";
    std::string why;
    CHECK(!sriovd::load_grants(path, boot, pf_addr, &why));
    CHECK(why == "no such file");

    auto record = sriovd::GrantsRecord::create(path, sriovd::encode_grants(boot, pf_addr, two_vfs()));
    CHECK(!sriovd::load_grants(path, "another-boot", pf_addr, &why));
    CHECK(why == "written before the last boot");
    CHECK(!sriovd::load_grants(path, "", pf_addr, &why));  // no boot ID to compare: not trusted

    CHECK(!sriovd::load_grants(path, boot, pci::Address::parse("0000:00:04.0"), &why));
    CHECK(why == "written for PF 0000:00:02.0");

    const std::string bytes = sriovd::encode_grants(boot, pf_addr, two_vfs());
    record.store(bytes.substr(0, bytes.size() - 1));  // cut short
    CHECK(!sriovd::load_grants(path, boot, pf_addr, &why));
    CHECK(why == "unreadable (cut short)");
    record.store(bytes + '\0');  // more than the VFs it counts
    CHECK(!sriovd::load_grants(path, boot, pf_addr, &why));
    CHECK(why == "unreadable (bytes left after the last VF)");
    std::string unknown = bytes;
    const std::size_t first_vf = 16 + 1 + boot.size() + 1 + 12 + 2;
    unknown[first_vf] = static_cast<char>(0x40);  // a flag no version has
    record.store(unknown);
    CHECK(!sriovd::load_grants(path, boot, pf_addr, &why));
    CHECK(why == "unreadable (unknown flags 0x40)");
    record.store("{\"format\": \"sriovd-grants\", \"version\": 1}");  // JSON, as sriovd wrote before issue 17
    CHECK(!sriovd::load_grants(path, boot, pf_addr, &why));
    CHECK(why == "not grants of this version");
}

TEST_CASE("encoding the grants again into the same string allocates nothing and gives the same bytes")
{
    std::string out;
    sriovd::encode_grants(boot, pf_addr, two_vfs(), out);
    const std::string first = out;
    const auto* buffer = out.data();
    const auto vfs = two_vfs();
    sriovd::encode_grants(boot, pf_addr, vfs, out);
    CHECK(out == first);
    CHECK(out.data() == buffer);  // the same storage: nothing was allocated
}

TEST_CASE("the kernel's boot ID is read")
{
    // Every Linux kernel since 2.6 has it; 36 characters, a UUID.
    CHECK(sriovd::current_boot_id().size() == 36);
}

namespace {

std::string file_bytes(const std::filesystem::path& path) { return *sriovd::read_own_file_if_present(path); }

}  // namespace

TEST_CASE("a grants record gives the text last stored to whoever reads the file, even after its writer died")
{
    TempDir dir;
    const auto path = dir.path / "grants.record";
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // A writer that dies without unmapping or flushing anything, as sriovd killed with -9.
        auto record = sriovd::GrantsRecord::create(path, "first");
        record.store("second");
        record.store("third, the last");
        ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    std::string why;
    CHECK(sriovd::read_grants_record(path, &why) == "third, the last");
    CHECK(std::filesystem::file_size(path) == sriovd::grants_record_size);
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

    // A new record replaces the old one whole.
    auto record = sriovd::GrantsRecord::create(path, "fresh");
    CHECK(record.text() == "fresh");
    CHECK(sriovd::read_grants_record(path, &why) == "fresh");
}

TEST_CASE("a store cut short leaves the record's text as it was")
{
    TempDir dir;
    const auto path = dir.path / "grants.record";
    auto record = sriovd::GrantsRecord::create(path, "old text");
    record.store("current text");  // now in slot 1, generation 1
    std::string file = file_bytes(path);
    // A writer that died inside store(): the spare slot (0) and its length written, the
    // generation not yet raised.
    const std::string half = "the new text, half writ";
    file.replace(4096, half.size(), half);
    const std::uint32_t length = 40;
    std::memcpy(file.data() + 40, &length, sizeof length);
    CHECK(sriovd::grants_record_text(file) == "current text");

    // Too long for a slot: refused, and the old text stays.
    CHECK_THROWS_AS(record.store(std::string(sriovd::grants_record_slot + 1, 'x')), Error);
    CHECK(record.text() == "current text");
    CHECK(sriovd::read_grants_record(path, nullptr) == "current text");
}

TEST_CASE("what is not a whole grants record is not read as one, and says why")
{
    std::string why;
    CHECK(!sriovd::grants_record_text("{\"format\": \"sriovd-grants\"}", &why));
    CHECK(why == "not a grants record");
    TempDir dir;
    const auto path = dir.path / "grants.record";
    auto record = sriovd::GrantsRecord::create(path, "text");
    std::string file = file_bytes(path);
    CHECK(!sriovd::grants_record_text(file.substr(0, file.size() - 1), &why));
    CHECK(why.starts_with("a grants record of another version or size"));
    const std::uint32_t huge = sriovd::grants_record_slot + 1;
    std::memcpy(file.data() + 40, &huge, sizeof huge);
    CHECK(!sriovd::grants_record_text(file, &why));
    CHECK(why == "damaged: slot 0 claims 32769 bytes");
}

TEST_CASE("a grants record is never made through a symbolic link")
{
    TempDir dir;
    const auto target = dir.path / "victim";
    sriovd::write_file_atomically(target, "keep me", 0644);
    const auto path = dir.path / "grants.record";
    std::filesystem::create_symlink(target, path);
    CHECK_THROWS_AS(sriovd::GrantsRecord::create(path, "text"), Error);
    CHECK(file_bytes(target) == "keep me");
    std::string why;
    CHECK(!sriovd::read_grants_record(path, &why));
    CHECK(why.find("symbolic link") != std::string::npos);
}
