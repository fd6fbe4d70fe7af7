// What sriovd's "ready:" line says of the VFs: each with the driver the kernel shows bound to it,
// whoever chose it (pf_messages.hpp). Against a fake sysfs.
#include "sriovd/pf_messages.hpp"

#include "unit/fake_sysfs.hpp"

#include <catch2/catch_test_macros.hpp>

#include <string>
#include <vector>

using namespace sriov;
using sriov::test::FakeSysfs;

TEST_CASE("the ready line names the driver each VF is bound to, or says it has none yet")
{
    FakeSysfs fs;
    fs.add_driver("igbvf");
    fs.add_driver("vfio-pci");
    fs.add_device("0000:00:12.0", 0x8086, 0x10ca, 0x020000);
    fs.add_device("0000:00:12.2", 0x8086, 0x10ca, 0x020000);
    fs.add_device("0000:00:12.4", 0x8086, 0x10ca, 0x020000);
    fs.bind("0000:00:12.0", "igbvf");
    fs.bind("0000:00:12.2", "vfio-pci");
    const std::vector<pci::Address> vfs{pci::Address::parse("0000:00:12.0"), pci::Address::parse("0000:00:12.2"),
                                        pci::Address::parse("0000:00:12.4")};
    const auto drivers = sriovd::bound_drivers(vfs, pci::Sysfs(fs.root()));
    CHECK(drivers == std::vector<std::string>{"igbvf", "vfio-pci", "no driver yet"});
    CHECK(sriovd::describe_vfs(vfs, drivers) ==
          "VF 0 0000:00:12.0 (igbvf), VF 1 0000:00:12.2 (vfio-pci), VF 2 0000:00:12.4 (no driver yet)");
    CHECK(sriovd::describe_vfs({}, {}) == "no VFs");
}
