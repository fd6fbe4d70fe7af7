#include "fake_sysfs.hpp"
#include "vfio/vfio_holders.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using Catch::Matchers::ContainsSubstring;
using sriov::pci::Address;
using sriov::pci::VfioTarget;
using sriov::test::FakeProc;

namespace {

const Address vf0 = Address::parse("0000:00:12.0");
const Address vf1 = Address::parse("0000:00:12.2");
const Address vf2 = Address::parse("0000:00:12.4");

std::vector<VfioTarget> targets() { return {{vf0, 7u, {}}, {vf1, 8u, {}}, {vf2, 9u, {"vfio3"}}}; }

}  // namespace

TEST_CASE("holders are found by group file, cdev and fdinfo syspath; unnamed device fds are possible holders")
{
    FakeProc proc;
    proc.add_process(4242, "qemu-system-x86");
    proc.add_fd(4242, 5, "/dev/vfio/vfio");  // the container holds no device
    proc.add_fd(4242, 6, "/dev/vfio/7");
    proc.add_fd(4242, 7, "anon_inode:[vfio-device]");  // its device fd: explained by the group
    proc.add_process(4343, "bash");
    proc.add_fd(4343, 0, "/dev/pts/0");
    proc.add_fd(4343, 3, "/dev/vfio/70");  // another group
    proc.add_process(4444, "sriovd");      // closed the group fd after getting the device fd
    proc.add_fd(4444, 9, "anon_inode:[vfio-device]");
    proc.set_maps(4444, "7f0000000000-7f0000004000 rw-s 00000000 00:0e 1057  anon_inode:[vfio-device]\n");
    proc.add_process(4545, "newer-kernel");
    proc.add_fd(4545, 4, "anon_inode:[vfio-device]",
                "vfio-device-syspath: /sys/devices/pci0000:00/0000:00:12.2\n");
    proc.add_process(4646, "mapper");  // only a mapping left
    proc.set_maps(4646, "7f0000000000-7f0000004000 rw-s 00000000 00:0e 1057  anon_inode:[vfio-device]\n");
    proc.add_process(4747, "iommufd-user");
    proc.add_fd(4747, 3, "/dev/vfio/devices/vfio3");
    proc.add_process(4848, "other");  // a device fd that fdinfo says is some other device
    proc.add_fd(4848, 3, "anon_inode:[vfio-device]",
                "vfio-device-syspath: /sys/devices/pci0000:00/0000:00:03.0\n");
    sriov::test::write_file(proc.root() / "self" / "comm", "not a pid\n");

    const auto scan = sriov::pci::find_vfio_holders(proc.root(), targets());
    REQUIRE(scan.holders.size() == 5);
    CHECK(to_string(scan.holders[0]) == "pid 4242 (qemu-system-x86) holds 0000:00:12.0 (/dev/vfio/7)");
    CHECK(to_string(scan.holders[1]) == "pid 4545 (newer-kernel) holds 0000:00:12.2 (a VFIO device fd)");
    CHECK(to_string(scan.holders[2]) ==
          "pid 4747 (iommufd-user) holds 0000:00:12.4 (/dev/vfio/devices/vfio3)");
    CHECK(scan.holders[3].pid == 4444);
    CHECK_FALSE(scan.holders[3].device.has_value());
    CHECK(to_string(scan.holders[3]) ==
          "pid 4444 (sriovd) has a VFIO device fd and mapping whose device the kernel does not name");
    CHECK(to_string(scan.holders[4]) ==
          "pid 4646 (mapper) has a VFIO device mapped whose device the kernel does not name");
    CHECK(scan.uninspectable == 0);

    const auto text = describe(scan);
    CHECK_THAT(text,
               ContainsSubstring("pid 4242 (qemu-system-x86) holds 0000:00:12.0 (/dev/vfio/7); pid 4545"));
    CHECK_THAT(text, !ContainsSubstring("4343") && !ContainsSubstring("4848"));
}

TEST_CASE("a process holding a VF through several fds is named once per VF")
{
    FakeProc proc;
    proc.add_process(10, "twice");
    proc.add_fd(10, 3, "/dev/vfio/7");
    proc.add_fd(10, 4, "/dev/vfio/7");
    proc.add_fd(10, 5, "/dev/vfio/8");
    const auto scan = sriov::pci::find_vfio_holders(proc.root(), targets());
    REQUIRE(scan.holders.size() == 2);
    CHECK(scan.holders[0].device == vf0);
    CHECK(scan.holders[1].device == vf1);
}

TEST_CASE("with no holders the description says so")
{
    FakeProc proc;
    proc.add_process(1, "init");
    const auto scan = sriov::pci::find_vfio_holders(proc.root(), targets());
    CHECK(scan.holders.empty());
    CHECK(describe(scan) == "no process found holding them");
}

TEST_CASE("a VFIO target gets its group and cdev names from sysfs")
{
    sriov::test::FakeSysfs sysfs;
    sysfs.add_device("0000:00:12.0", 0x8086, 0x10ca, 0x020000);
    sysfs.set_iommu_group("0000:00:12.0", 7);
    sriov::test::write_file(sysfs.attribute("0000:00:12.0", "vfio-dev/vfio0/dev"), "511:0\n");
    sysfs.add_device("0000:00:12.2", 0x8086, 0x10ca, 0x020000);

    const sriov::pci::Sysfs s(sysfs.root());
    const auto t = sriov::pci::vfio_target(s, vf0);
    CHECK(t.address == vf0);
    CHECK(t.iommu_group == 7u);
    CHECK(t.cdevs == std::vector<std::string>{"vfio0"});
    const auto bare = sriov::pci::vfio_target(s, vf1);
    CHECK_FALSE(bare.iommu_group.has_value());
    CHECK(bare.cdevs.empty());
}
