#include "fake_sysfs.hpp"
#include "sriov/error.hpp"
#include "vfio/pci_discovery.hpp"
#include "vfio/sriov_capability.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <catch2/matchers/catch_matchers_vector.hpp>

#include <filesystem>

using Catch::Matchers::ContainsSubstring;
using sriov::pci::Address;
using sriov::pci::PciDiscovery;
using sriov::test::FakeSysfs;
namespace fs = std::filesystem;

namespace {

const Address pf_address = Address::parse("0000:00:02.0");
const Address vf0_address = Address::parse("0000:00:12.0");
const Address vf1_address = Address::parse("0000:00:12.2");
const Address virtio_address = Address::parse("0000:00:03.0");

// The testbed's view after "echo 2 > sriov_numvfs" with vfio-pci: an 82576 PF with two VFs, each in
// its own IOMMU group, plus an unrelated virtio NIC.
void add_testbed_devices(FakeSysfs& sysfs)
{
    sysfs.add_driver("vfio-pci");
    sysfs.add_driver("virtio-pci");
    sysfs.add_device("0000:00:02.0", 0x8086, 0x10c9, 0x020000, sriov::test::igb_pf_config({.num_vfs = 2}));
    sysfs.add_sriov_attributes("0000:00:02.0", 8, 2, 128, 2, 0x10ca);
    sysfs.bind("0000:00:02.0", "vfio-pci");
    sysfs.set_iommu_group("0000:00:02.0", 3);
    sysfs.add_vf("0000:00:02.0", 0, "0000:00:12.0");
    sysfs.add_vf("0000:00:02.0", 1, "0000:00:12.2");
    sysfs.bind("0000:00:12.0", "vfio-pci");
    sysfs.bind("0000:00:12.2", "vfio-pci");
    sysfs.set_iommu_group("0000:00:12.0", 7);
    sysfs.set_iommu_group("0000:00:12.2", 8);
    sysfs.add_device("0000:00:03.0", 0x1af4, 0x1041, 0x020000);
    sysfs.bind("0000:00:03.0", "virtio-pci");
}

fs::path write_ids(const FakeSysfs& sysfs)
{
    const fs::path ids = sysfs.root() / "pci.ids";
    sriov::test::write_file(ids, "8086  Intel Corporation\n"
                                 "\t10c9  82576 Gigabit Network Connection\n"
                                 "\t10ca  82576 Virtual Function\n");
    return ids;
}

}  // namespace

TEST_CASE("discovery finds the 82576 PF with its SR-IOV capability and its VFs")
{
    FakeSysfs sysfs;
    add_testbed_devices(sysfs);
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()), {.pci_ids = write_ids(sysfs)});

    const auto devices = discovery.list();
    REQUIRE(devices.size() == 4);
    CHECK(devices[0].address == pf_address);  // sorted by address
    CHECK(devices[1].address == virtio_address);

    const auto pfs = sriov::pci::find_pfs(devices, 0x8086, 0x10c9);
    REQUIRE(pfs.size() == 1);
    const auto& pf = pfs.front();
    CHECK(pf.address == pf_address);
    CHECK(pf.vendor_id == 0x8086);
    CHECK(pf.device_id == 0x10c9);
    CHECK(pf.class_code == 0x020000);
    CHECK(pf.vendor_name == "Intel Corporation");
    CHECK(pf.device_name == "82576 Gigabit Network Connection");
    CHECK(pf.driver == "vfio-pci");
    CHECK(pf.iommu_group == 3u);
    CHECK_FALSE(pf.is_vf());
    REQUIRE(pf.is_pf());
    const auto& sriov = *pf.sriov;
    CHECK(sriov.total_vfs == 8);
    CHECK(sriov.num_vfs == 2);
    CHECK(sriov.vf_offset == 128);
    CHECK(sriov.vf_stride == 2);
    CHECK(sriov.vf_device_id == 0x10ca);
    CHECK(sriov.initial_vfs == std::uint16_t{8});
    CHECK(sriov.cap_offset == std::uint16_t{0x160});
    CHECK(sriov.vfs == std::vector<Address>{vf0_address, vf1_address});
    CHECK(sriov.notes.empty());

    const auto vfs = sriov::pci::vfs_of(devices, pf);
    REQUIRE(vfs.size() == 2);
    CHECK(vfs[0].address == vf0_address);
    CHECK(vfs[0].is_vf());
    CHECK(vfs[0].physfn == pf_address);
    CHECK(vfs[0].device_id == 0x10ca);
    CHECK(vfs[0].device_name == "82576 Virtual Function");
    CHECK(vfs[0].iommu_group == 7u);
    CHECK(vfs[1].iommu_group == 8u);
    CHECK_FALSE(vfs[0].is_pf());

    // Asking for the VF's id as a PF finds nothing; by id finds both VFs.
    CHECK(sriov::pci::find_pfs(devices, 0x8086, 0x10ca).empty());
    CHECK(sriov::pci::find_by_id(devices, 0x8086, 0x10ca).size() == 2);
}

TEST_CASE("a device the name database does not know is named by its hex ids")
{
    FakeSysfs sysfs;
    add_testbed_devices(sysfs);
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()), {.pci_ids = write_ids(sysfs)});
    const auto virtio = discovery.device(virtio_address);
    CHECK(virtio.vendor_name == "1af4");
    CHECK(virtio.device_name == "1041");
    CHECK(virtio.driver == "virtio-pci");
    CHECK_FALSE(virtio.iommu_group.has_value());
    CHECK_FALSE(virtio.is_pf());
    CHECK_FALSE(virtio.is_vf());
}

TEST_CASE("without a name database every device is named by its hex ids")
{
    FakeSysfs sysfs;
    add_testbed_devices(sysfs);
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()), {.pci_ids = sysfs.root() / "no-pci.ids"});
    const auto pf = discovery.device(pf_address);
    CHECK(pf.vendor_name == "8086");
    CHECK(pf.device_name == "10c9");
}

TEST_CASE("a PF whose config space cannot be read past the header still shows SR-IOV from sysfs")
{
    // Non-root users read only the first 64 bytes of config space, so the capability is invisible.
    FakeSysfs sysfs;
    sriov::test::ConfigSpace header(64);
    header.put16(0x00, 0x8086);
    header.put16(0x02, 0x10c9);
    header.put8(0x0b, 0x02);
    sysfs.add_device("0000:00:02.0", 0x8086, 0x10c9, 0x020000, header);
    sysfs.add_sriov_attributes("0000:00:02.0", 8, 0, 128, 2, 0x10ca);
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()), {.pci_ids = write_ids(sysfs)});

    const auto pf = discovery.device(pf_address);
    REQUIRE(pf.is_pf());
    CHECK(pf.sriov->total_vfs == 8);
    CHECK(pf.sriov->num_vfs == 0);
    CHECK(pf.sriov->vf_offset == 128);
    CHECK(pf.sriov->vf_device_id == 0x10ca);
    CHECK_FALSE(pf.sriov->cap_offset.has_value());
    CHECK_FALSE(pf.sriov->initial_vfs.has_value());
    CHECK(pf.sriov->vfs.empty());
    CHECK(pf.sriov->notes.empty());
}

TEST_CASE("a PF without sysfs SR-IOV attributes gets its values from config space")
{
    FakeSysfs sysfs;
    sysfs.add_device(
        "0000:00:02.0", 0x8086, 0x10c9, 0x020000,
        sriov::test::igb_pf_config({.initial_vfs = 4, .total_vfs = 7, .vf_offset = 0x180, .vf_stride = 1}));
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()), {.pci_ids = write_ids(sysfs)});
    const auto pf = discovery.device(pf_address);
    REQUIRE(pf.is_pf());
    CHECK(pf.sriov->initial_vfs == std::uint16_t{4});
    CHECK(pf.sriov->total_vfs == 7);
    CHECK(pf.sriov->vf_offset == 0x180);
    CHECK(pf.sriov->vf_stride == 1);
    CHECK(pf.sriov->vf_device_id == 0x10ca);
}

TEST_CASE("a device with neither the capability nor the attributes has no SR-IOV")
{
    FakeSysfs sysfs;
    add_testbed_devices(sysfs);
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()), {.pci_ids = write_ids(sysfs)});
    CHECK_FALSE(discovery.device(virtio_address).sriov.has_value());
}

TEST_CASE("disagreements between config space and sysfs are noted, and the kernel's view wins")
{
    FakeSysfs sysfs;
    sysfs.add_device("0000:00:02.0", 0x8086, 0x10c9, 0x020000, sriov::test::igb_pf_config({.num_vfs = 2}));
    sysfs.add_sriov_attributes("0000:00:02.0", 7, 2, 128, 2, 0x10ca);  // the driver capped TotalVFs
    sysfs.add_vf("0000:00:02.0", 0, "0000:00:12.0");
    sysfs.add_vf("0000:00:02.0", 1, "0000:00:13.0");  // not where offset and stride put VF 1
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()), {.pci_ids = write_ids(sysfs)});

    const auto pf = discovery.device(pf_address);
    REQUIRE(pf.is_pf());
    CHECK(pf.sriov->total_vfs == 7);
    CHECK(pf.sriov->vfs == std::vector<Address>{vf0_address, Address::parse("0000:00:13.0")});
    REQUIRE(pf.sriov->notes.size() == 2);
    CHECK_THAT(pf.sriov->notes[0], ContainsSubstring("TotalVFs") && ContainsSubstring("8") &&
                                       ContainsSubstring("sriov_totalvfs says 7"));
    CHECK_THAT(pf.sriov->notes[1], ContainsSubstring("0000:00:12.2") && ContainsSubstring("0000:00:13.0"));
}

TEST_CASE("NumVFs in config space that the kernel did not enable is noted")
{
    FakeSysfs sysfs;
    sysfs.add_device("0000:00:02.0", 0x8086, 0x10c9, 0x020000, sriov::test::igb_pf_config({.num_vfs = 3}));
    sysfs.add_sriov_attributes("0000:00:02.0", 8, 3, 128, 2, 0x10ca);
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()), {.pci_ids = write_ids(sysfs)});
    const auto pf = discovery.device(pf_address);
    CHECK(pf.sriov->num_vfs == 0);
    CHECK(pf.sriov->vfs.empty());
    REQUIRE(pf.sriov->notes.size() == 1);
    CHECK_THAT(pf.sriov->notes[0], ContainsSubstring("NumVFs") && ContainsSubstring("0 virtfn links"));
}

TEST_CASE("while VFs are being removed the remaining virtfn links still give the VFs")
{
    // The kernel removes virtfn0 first, then waits for VF 0 to be released; virtfn1 is still there.
    FakeSysfs sysfs;
    sysfs.add_device("0000:00:02.0", 0x8086, 0x10c9, 0x020000, sriov::test::igb_pf_config({.num_vfs = 2}));
    sysfs.add_sriov_attributes("0000:00:02.0", 8, 2, 128, 2, 0x10ca);
    sysfs.add_vf("0000:00:02.0", 1, "0000:00:12.2");
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()), {.pci_ids = write_ids(sysfs)});

    const auto pf = discovery.device(pf_address);
    CHECK(pf.sriov->num_vfs == 1);
    CHECK(pf.sriov->vfs == std::vector<Address>{vf1_address});
    REQUIRE(pf.sriov->notes.size() == 2);
    CHECK_THAT(pf.sriov->notes[0], ContainsSubstring("NumVFs: config space says 2"));
    CHECK_THAT(pf.sriov->notes[1], ContainsSubstring("not numbered 0 to 0"));
}

TEST_CASE("VF addresses follow from the PF's routing id, offset and stride")
{
    using sriov::pci::sriov_cap::vf_address;
    // The testbed: PF 00:02.0, offset 0x80, stride 2.
    CHECK(vf_address(pf_address, 0x80, 2, 0) == vf0_address);
    CHECK(vf_address(pf_address, 0x80, 2, 3) == Address::parse("0000:00:12.6"));
    CHECK(vf_address(pf_address, 0x80, 2, 4) == Address::parse("0000:00:13.0"));
    // With ARI, functions past 7 spill into the device field, and large offsets into the next bus.
    CHECK(vf_address(Address::parse("0000:05:00.0"), 1, 1, 9) == Address::parse("0000:05:01.2"));
    CHECK(vf_address(Address::parse("0000:03:00.0"), 0x180, 1, 0) == Address::parse("0000:04:10.0"));
    CHECK(vf_address(Address::parse("0002:03:00.0"), 0x180, 1, 0).domain == 2);
    try {
        vf_address(Address::parse("0000:ff:00.0"), 0x100, 1, 0);
        FAIL("a VF beyond bus 0xff was accepted");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::protocol);
        CHECK(e.subject() == "0000:ff:00.0");
    }
}

TEST_CASE("asking for a device that is not there names its address")
{
    FakeSysfs sysfs;
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()));
    try {
        discovery.device(pf_address);
        FAIL("found a device that does not exist");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::not_found);
        CHECK(e.subject() == "0000:00:02.0");
        CHECK_THAT(e.cause(), ContainsSubstring("no such PCI device"));
    }
}

TEST_CASE("listing a sysfs root without PCI says so")
{
    sriov::test::TempDir empty;
    PciDiscovery discovery(sriov::pci::Sysfs(empty.path()));
    try {
        discovery.list();
        FAIL("listed devices of an empty tree");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::not_found);
        CHECK_THAT(e.cause(), ContainsSubstring("is sysfs mounted at " + empty.path().string()));
    }
}

TEST_CASE("a device missing its vendor attribute is an error naming it, not an exit")
{
    // libpci treats a missing vendor file as fatal and would exit the process by default.
    FakeSysfs sysfs;
    add_testbed_devices(sysfs);
    fs::remove(sysfs.attribute("0000:00:03.0", "vendor"));
    PciDiscovery discovery(sriov::pci::Sysfs(sysfs.root()), {.pci_ids = write_ids(sysfs)});
    try {
        discovery.device(virtio_address);
        FAIL("described a device without a vendor");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::io);
        CHECK(e.subject() == "0000:00:03.0");
        CHECK_THAT(e.cause(), ContainsSubstring("libpci") && ContainsSubstring("vendor"));
    }
    // The other devices are still readable with a fresh look.
    CHECK(discovery.device(pf_address).is_pf());
}

TEST_CASE("find_by_address returns the device or nothing")
{
    FakeSysfs sysfs;
    add_testbed_devices(sysfs);
    const auto devices = PciDiscovery(sriov::pci::Sysfs(sysfs.root())).list();
    const auto* vf = sriov::pci::find_by_address(devices, vf1_address);
    REQUIRE(vf != nullptr);
    CHECK(vf->physfn == pf_address);
    CHECK(sriov::pci::find_by_address(devices, Address::parse("0000:00:1f.0")) == nullptr);
}
