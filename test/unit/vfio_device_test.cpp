// What vfio::Device checks in sysfs before it touches VFIO (check_openable), against a fake sysfs:
// each mistake a user can make with a device address gets its own error, before any VFIO file is
// opened, so a machine without VFIO still says which device is wrong.
#include "fake_sysfs.hpp"
#include "sriov/error.hpp"
#include "vfio/device.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using Catch::Matchers::ContainsSubstring;
using sriov::Errc;
using sriov::pci::Address;
using sriov::test::FakeSysfs;
using sriov::vfio::Device;

namespace {

const Address vf_address = Address::parse("0000:00:12.0");

sriov::Error check_error(const FakeSysfs& fake)
{
    try {
        Device::check_openable(vf_address, sriov::pci::Sysfs(fake.root()));
    } catch (const sriov::Error& e) {
        return e;
    }
    return sriov::Error(Errc::io, "", "no error");
}

}  // namespace

TEST_CASE("a device to open through VFIO must exist, have an IOMMU group and be on vfio-pci")
{
    FakeSysfs fake;
    const auto missing = check_error(fake);
    CHECK(missing.code() == Errc::not_found);
    CHECK(missing.subject() == "0000:00:12.0");
    CHECK(missing.cause() == "no such PCI device");

    fake.add_device("0000:00:12.0", 0x8086, 0x10ca, 0x020000);
    const auto no_group = check_error(fake);
    CHECK(no_group.code() == Errc::no_iommu);
    CHECK_THAT(no_group.cause(), ContainsSubstring("intel_iommu=on"));

    fake.set_iommu_group("0000:00:12.0", 7);
    const auto unbound = check_error(fake);
    CHECK(unbound.code() == Errc::busy);
    CHECK(unbound.cause() == "not bound to any driver; bind it to vfio-pci first");

    fake.add_driver("igbvf");
    fake.bind("0000:00:12.0", "igbvf");
    const auto igbvf = check_error(fake);
    CHECK(igbvf.code() == Errc::busy);
    CHECK(igbvf.cause() == "bound to igbvf, not vfio-pci; bind it to vfio-pci first");
}

TEST_CASE("a device on vfio-pci is openable, and its IOMMU group is returned")
{
    FakeSysfs fake;
    fake.add_device("0000:00:12.0", 0x8086, 0x10ca, 0x020000);
    fake.set_iommu_group("0000:00:12.0", 7);
    fake.add_driver("vfio-pci");
    fake.bind("0000:00:12.0", "vfio-pci");
    CHECK(Device::check_openable(vf_address, sriov::pci::Sysfs(fake.root())) == 7);
}
