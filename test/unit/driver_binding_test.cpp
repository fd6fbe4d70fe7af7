#include "fake_sysfs.hpp"
#include "sriov/error.hpp"
#include "vfio/driver_binding.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <filesystem>

using Catch::Matchers::ContainsSubstring;
using sriov::pci::Address;
using sriov::pci::DriverBinding;
using sriov::test::FakeSysfs;
using sriov::test::FifoResponder;
using sriov::test::read_file;
namespace fs = std::filesystem;

namespace {

const Address pf = Address::parse("0000:00:02.0");
const Address vf = Address::parse("0000:00:12.0");

// Short, so that the tests where nothing binds do not wait long; not part of any assertion.
constexpr std::chrono::milliseconds settle{300};

// A PF bound to igb, with one VF that vfio-pci created (driver_override preset) and bound.
void add_devices(FakeSysfs& sysfs)
{
    sysfs.add_driver("igb");
    sysfs.add_driver("igbvf");
    sysfs.add_driver("vfio-pci");
    sysfs.add_device("0000:00:02.0", 0x8086, 0x10c9, 0x020000);
    sysfs.set_iommu_group("0000:00:02.0", 3);
    sysfs.bind("0000:00:02.0", "igb");
    sysfs.add_vf("0000:00:02.0", 0, "0000:00:12.0");
    sysfs.set_iommu_group("0000:00:12.0", 7);
    sysfs.bind("0000:00:12.0", "vfio-pci");
    sriov::test::write_file(sysfs.attribute("0000:00:12.0", "driver_override"), "vfio-pci\n");
}

// The kernel's drivers_probe: binds the written address to the driver its driver_override names.
std::function<void(const std::string&)> probe_by_override(FakeSysfs& sysfs)
{
    return [&sysfs](const std::string& address) {
        std::string name = read_file(sysfs.attribute(address, "driver_override"));
        while (!name.empty() && name.back() == '\n')
            name.pop_back();
        if (!name.empty() && name != "(null)" && fs::exists(sysfs.root() / "bus/pci/drivers" / name))
            sysfs.bind(address, name);
    };
}

// The kernel's <driver>/unbind: removes the written device's driver link.
std::function<void(const std::string&)> unbind_device(FakeSysfs& sysfs)
{
    return [&sysfs](const std::string& address) { fs::remove(sysfs.attribute(address, "driver")); };
}

}  // namespace

TEST_CASE("the current driver and driver_override are read from sysfs")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    sysfs.add_device("0000:00:03.0", 0x1af4, 0x1041, 0x020000);
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle);
    CHECK(binding.current_driver(pf) == "igb");
    CHECK(binding.current_driver(vf) == "vfio-pci");
    CHECK_FALSE(binding.current_driver(Address::parse("0000:00:03.0")).has_value());
    CHECK_FALSE(binding.driver_override(pf).has_value());  // "(null)"
    CHECK(binding.driver_override(vf) == "vfio-pci");
}

TEST_CASE("binding the PF to vfio-pci unbinds igb, probes, and ends bound to vfio-pci")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    FifoResponder probe(sysfs.drivers_probe(), probe_by_override(sysfs));
    FifoResponder igb_unbind(sysfs.root() / "bus/pci/drivers/igb/unbind", unbind_device(sysfs));
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle);

    binding.bind(pf, "vfio-pci");

    CHECK(binding.current_driver(pf) == "vfio-pci");
    CHECK(binding.driver_override(pf) == "vfio-pci");
    CHECK(igb_unbind.writes() == std::vector<std::string>{"0000:00:02.0"});
    CHECK(probe.writes() == std::vector<std::string>{"0000:00:02.0"});
}

TEST_CASE("a VF that vfio-pci claimed through driver_override can be handed to igbvf")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    FifoResponder probe(sysfs.drivers_probe(), probe_by_override(sysfs));
    FifoResponder vfio_unbind(sysfs.root() / "bus/pci/drivers/vfio-pci/unbind", unbind_device(sysfs));
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle);

    binding.bind(vf, "igbvf");

    CHECK(binding.current_driver(vf) == "igbvf");
    CHECK(binding.driver_override(vf) == "igbvf");
    CHECK(vfio_unbind.writes() == std::vector<std::string>{"0000:00:12.0"});
}

TEST_CASE("binding to a driver that is not loaded says to load it and changes nothing")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    fs::remove_all(sysfs.root() / "bus/pci/drivers/vfio-pci");
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle, settle);
    try {
        binding.bind(pf, "vfio-pci");
        FAIL("bound to a driver that is not loaded");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::not_found);
        CHECK(e.subject() == "0000:00:02.0");
        CHECK(e.cause() == "driver vfio-pci is not loaded (modprobe vfio-pci)");
    }
    CHECK(binding.current_driver(pf) == "igb");
    CHECK_FALSE(binding.driver_override(pf).has_value());
    CHECK(read_file(sysfs.drivers_probe()).empty());
}

TEST_CASE("vfio-pci is refused for a device without an IOMMU group")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    sysfs.add_device("0000:00:04.0", 0x8086, 0x10c9, 0x020000);
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle);
    try {
        binding.bind(Address::parse("0000:00:04.0"), "vfio-pci");
        FAIL("bound a device without an IOMMU group to vfio-pci");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::no_iommu);
        CHECK_THAT(e.cause(), ContainsSubstring("intel_iommu=on"));
    }
}

TEST_CASE("a driver that does not take the device after drivers_probe is reported")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    // drivers_probe stays a plain file: the write succeeds but nothing binds.
    FifoResponder igb_unbind(sysfs.root() / "bus/pci/drivers/igb/unbind", unbind_device(sysfs));
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle);
    try {
        binding.bind(pf, "vfio-pci");
        FAIL("bind reported success though nothing bound");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::unsupported);
        CHECK(e.subject() == "0000:00:02.0");
        CHECK_THAT(e.cause(),
                   ContainsSubstring("vfio-pci did not take the device") && ContainsSubstring("dmesg"));
    }
    CHECK(read_file(sysfs.drivers_probe()) == "0000:00:02.0");
    CHECK(binding.driver_override(pf) == "vfio-pci");
}

TEST_CASE("a device already bound to the driver is left alone")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle);
    binding.bind(vf, "vfio-pci");
    CHECK(binding.current_driver(vf) == "vfio-pci");
    CHECK(read_file(sysfs.drivers_probe()).empty());
    CHECK(read_file(sysfs.root() / "bus/pci/drivers/vfio-pci/unbind").empty());
}

TEST_CASE("unbind writes the address to the current driver's unbind file")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    FifoResponder igb_unbind(sysfs.root() / "bus/pci/drivers/igb/unbind", unbind_device(sysfs));
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle);
    binding.unbind(pf);
    CHECK_FALSE(binding.current_driver(pf).has_value());
    CHECK(igb_unbind.writes() == std::vector<std::string>{"0000:00:02.0"});
    binding.unbind(pf);  // nothing bound: nothing to do
    CHECK(igb_unbind.writes().size() == 1);
}

TEST_CASE("a driver that keeps the device after unbind is reported")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle);
    try {
        binding.unbind(pf);  // the unbind file is plain: the link stays
        FAIL("unbind reported success though the driver stayed");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::busy);
        CHECK_THAT(e.cause(), ContainsSubstring("still bound to igb"));
    }
}

TEST_CASE("clearing driver_override writes a lone newline, which the kernel takes as unset")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle);
    binding.clear_driver_override(vf);
    CHECK(read_file(sysfs.attribute("0000:00:12.0", "driver_override")) == "\n");
    CHECK_FALSE(binding.driver_override(vf).has_value());
}

TEST_CASE("operations on a missing device name it")
{
    FakeSysfs sysfs;
    add_devices(sysfs);
    DriverBinding binding(sriov::pci::Sysfs(sysfs.root()), settle);
    const Address missing = Address::parse("0000:00:1f.0");
    for (auto op : {+[](const DriverBinding&b, const Address&a) { b.bind(a, "igb"); },
                    +[](const DriverBinding&b, const Address&a) { b.unbind(a); },
                    +[](const DriverBinding&b, const Address&a) { b.clear_driver_override(a); },
                    +[](const DriverBinding&b, const Address&a) { (void)b.current_driver(a); }}) {
        try {
            op(binding, missing);
            FAIL("an operation on a missing device succeeded");
        } catch (const sriov::Error& e) {
            CHECK(e.code() == sriov::Errc::not_found);
            CHECK(e.subject() == "0000:00:1f.0");
        }
    }
}
