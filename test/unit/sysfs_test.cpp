#include "fake_sysfs.hpp"
#include "sriov/error.hpp"
#include "vfio/sysfs.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using Catch::Matchers::ContainsSubstring;
using sriov::pci::Address;
using sriov::pci::Sysfs;
namespace fs = std::filesystem;

TEST_CASE("sysfs paths are built under the given root")
{
    Sysfs sysfs("/tmp/fake");
    const Address pf = Address::parse("0000:00:02.0");
    CHECK(sysfs.pci_bus_dir() == "/tmp/fake/bus/pci");
    CHECK(sysfs.device_dir(pf) == "/tmp/fake/bus/pci/devices/0000:00:02.0");
    CHECK(sysfs.device_file(pf, "sriov_numvfs") == "/tmp/fake/bus/pci/devices/0000:00:02.0/sriov_numvfs");
    CHECK(sysfs.driver_dir("vfio-pci") == "/tmp/fake/bus/pci/drivers/vfio-pci");
    CHECK(sysfs.driver_unbind("igb") == "/tmp/fake/bus/pci/drivers/igb/unbind");
    CHECK(sysfs.drivers_probe() == "/tmp/fake/bus/pci/drivers_probe");
    CHECK(sysfs.module_parameter("vfio_pci", "enable_sriov") ==
          "/tmp/fake/module/vfio_pci/parameters/enable_sriov");
    CHECK(sysfs.iommu_groups_dir() == "/tmp/fake/kernel/iommu_groups");
    CHECK(Sysfs().root() == "/sys");
}

TEST_CASE("attributes read without the kernel's trailing newline")
{
    sriov::test::TempDir dir;
    sriov::test::write_file(dir.path() / "vendor", "0x8086\n");
    sriov::test::write_file(dir.path() / "sriov_totalvfs", "8\n");
    sriov::test::write_file(dir.path() / "sriov_vf_device", "10ca\n");
    Sysfs sysfs(dir.path());
    CHECK(sysfs.read(dir.path() / "vendor") == "0x8086");
    CHECK(sysfs.read_hex(dir.path() / "vendor") == 0x8086);
    CHECK(sysfs.read_hex(dir.path() / "sriov_vf_device") == 0x10ca);
    CHECK(sysfs.read_decimal(dir.path() / "sriov_totalvfs") == 8);
    CHECK_FALSE(sysfs.read_if_exists(dir.path() / "missing").has_value());
}

TEST_CASE("reading a missing attribute says which file and why")
{
    sriov::test::TempDir dir;
    Sysfs sysfs(dir.path());
    const fs::path missing = dir.path() / "sriov_totalvfs";
    try {
        sysfs.read(missing);
        FAIL("read of a missing file succeeded");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::not_found);
        CHECK(e.subject() == missing.string());
        CHECK_THAT(e.cause(), ContainsSubstring("No such file or directory"));
    }
}

TEST_CASE("a number attribute holding something else is reported with its content")
{
    sriov::test::TempDir dir;
    sriov::test::write_file(dir.path() / "sriov_totalvfs", "eight\n");
    sriov::test::write_file(dir.path() / "empty", "\n");
    Sysfs sysfs(dir.path());
    try {
        sysfs.read_decimal(dir.path() / "sriov_totalvfs");
        FAIL("a word parsed as a number");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::protocol);
        CHECK(e.subject() == (dir.path() / "sriov_totalvfs").string());
        CHECK_THAT(e.cause(), ContainsSubstring("decimal") && ContainsSubstring("\"eight\""));
    }
    CHECK_THROWS_AS(sysfs.read_hex(dir.path() / "empty"), sriov::Error);
    CHECK_THROWS_AS(sysfs.read_hex(dir.path() / "sriov_totalvfs"), sriov::Error);
}

TEST_CASE("a write replaces the attribute's content")
{
    sriov::test::TempDir dir;
    sriov::test::write_file(dir.path() / "driver_override", "vfio-pci\n");
    Sysfs sysfs(dir.path());
    sysfs.write(dir.path() / "driver_override", "igbvf");
    CHECK(sriov::test::read_file(dir.path() / "driver_override") == "igbvf");
}

TEST_CASE("a write to a missing attribute names the file and the value")
{
    sriov::test::TempDir dir;
    Sysfs sysfs(dir.path());
    try {
        sysfs.write(dir.path() / "no-such-dir" / "sriov_numvfs", "4\n");
        FAIL("write to a missing file succeeded");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::not_found);
        CHECK_THAT(e.subject(), ContainsSubstring("no-such-dir/sriov_numvfs"));
        CHECK_THAT(e.cause(), ContainsSubstring("write \"4\": No such file or directory"));
    }
}

TEST_CASE("links give their target's last component, or nothing when absent")
{
    sriov::test::TempDir dir;
    sriov::test::make_link("../../../bus/pci/drivers/vfio-pci", dir.path() / "driver");
    sriov::test::write_file(dir.path() / "plain", "x");
    Sysfs sysfs(dir.path());
    CHECK(sysfs.link_name(dir.path() / "driver") == "vfio-pci");
    CHECK(sysfs.read_link(dir.path() / "driver") == fs::path("../../../bus/pci/drivers/vfio-pci"));
    CHECK_FALSE(sysfs.link_name(dir.path() / "iommu_group").has_value());
    CHECK(sysfs.exists(dir.path() / "driver"));  // dangling, but there
    CHECK_THROWS_AS(sysfs.link_name(dir.path() / "plain"), sriov::Error);
}

TEST_CASE("directories list sorted; a missing one is an error naming it")
{
    sriov::test::TempDir dir;
    sriov::test::write_file(dir.path() / "d" / "virtfn1", "");
    sriov::test::write_file(dir.path() / "d" / "virtfn0", "");
    sriov::test::write_file(dir.path() / "d" / "config", "");
    Sysfs sysfs(dir.path());
    CHECK(sysfs.list(dir.path() / "d") == std::vector<std::string>{"config", "virtfn0", "virtfn1"});
    try {
        sysfs.list(dir.path() / "nope");
        FAIL("listing a missing directory succeeded");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::not_found);
        CHECK_THAT(e.subject(), ContainsSubstring("nope"));
    }
}
