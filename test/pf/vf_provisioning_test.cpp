// Taking the PF for vfio-pci: never from another driver unless asked to. Against a fake sysfs.
#include "pf/vf_provisioning.hpp"

#include "sriov/error.hpp"
#include "unit/fake_sysfs.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace sriov;
using sriov::test::FakeSysfs;

TEST_CASE("a PF bound to igb is not taken without --take-over, and the error says why and how")
{
    FakeSysfs fs;
    fs.add_device("0000:00:02.0", 0x8086, 0x10c9, 0x020000);
    fs.add_driver("igb");
    fs.add_driver("vfio-pci");
    fs.bind("0000:00:02.0", "igb");
    sriov::test::write_file(fs.device_dir("0000:00:02.0") / "net" / "eth0" / "ifindex", "2\n");
    sriov::test::write_file(fs.attribute("0000:00:02.0", "reset_method"), "flr bus\n");
    const pf::VfProvisioner provisioner{pci::Sysfs(fs.root())};
    try {
        provisioner.claim_pf(pci::Address::parse("0000:00:02.0"), 2);
        FAIL("the PF was taken from igb");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::busy);
        CHECK(e.subject() == "0000:00:02.0");
        CHECK(std::string(e.cause()).find("bound to igb (network interface eth0)") != std::string::npos);
        CHECK(std::string(e.cause()).find("--take-over") != std::string::npos);
    }
    // Nothing was changed: still igb, PCI resets left on.
    CHECK(sriov::test::read_file(fs.attribute("0000:00:02.0", "reset_method")) == "flr bus\n");
    CHECK(std::filesystem::read_symlink(fs.device_dir("0000:00:02.0") / "driver").filename() == "igb");
}
