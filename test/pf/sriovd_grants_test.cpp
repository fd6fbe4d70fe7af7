// The grants file (vf_grants_file.hpp): what a restarted sriovd resumes the VFs from. A file of
// another boot, another PF or in any way damaged is never used: the VFs are then made to reset.
#include "sriovd/atomic_file.hpp"
#include "sriovd/vf_grants_file.hpp"

#include <catch2/catch_test_macros.hpp>

#include <filesystem>
#include <string>
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

TEST_CASE("the grants file gives back what was written, in the same boot, for the same PF")
{
    TempDir dir;
    const auto path = dir.path / sriovd::grants_file_for(pf_addr);
    CHECK(path.filename() == "grants-0000:00:02.0.json");
    sriovd::write_file_atomically(path, sriovd::encode_grants(boot, pf_addr, two_vfs()), 0600);

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

TEST_CASE("a grants file of another boot, another PF, damaged or missing is not used, and says why")
{
    TempDir dir;
    const auto path = dir.path / "grants.json";
    std::string why;
    CHECK(!sriovd::load_grants(path, boot, pf_addr, &why));
    CHECK(why == "no such file");

    sriovd::write_file_atomically(path, sriovd::encode_grants(boot, pf_addr, two_vfs()), 0600);
    CHECK(!sriovd::load_grants(path, "another-boot", pf_addr, &why));
    CHECK(why == "written before the last boot");
    CHECK(!sriovd::load_grants(path, "", pf_addr, &why));  // no boot ID to compare: not trusted

    CHECK(!sriovd::load_grants(path, boot, pci::Address::parse("0000:00:04.0"), &why));
    CHECK(why == "written for PF \"0000:00:02.0\"");

    std::string text = sriovd::encode_grants(boot, pf_addr, two_vfs());
    sriovd::write_file_atomically(path, text.substr(0, text.size() / 2), 0600);  // torn
    CHECK(!sriovd::load_grants(path, boot, pf_addr, &why));
    CHECK(why.starts_with("unreadable"));

    const auto at = text.find("\"max_frame\": 1522");
    REQUIRE(at != std::string::npos);
    text.replace(at, 17, "\"max_frame\": -1");  // no frame size
    sriovd::write_file_atomically(path, text, 0600);
    CHECK(!sriovd::load_grants(path, boot, pf_addr, &why));
    CHECK(why.starts_with("unreadable"));
}

TEST_CASE("the kernel's boot ID is read")
{
    // Every Linux kernel since 2.6 has it; 36 characters, a UUID.
    CHECK(sriovd::current_boot_id().size() == 36);
}
