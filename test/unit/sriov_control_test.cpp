#include "fake_sysfs.hpp"
#include "sriov/error.hpp"
#include "vfio/sriov_control.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <future>
#include <thread>

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;
using sriov::Errc;
using sriov::pci::Address;
using sriov::pci::SriovControl;
using sriov::test::FakeProc;
using sriov::test::FakeSysfs;
using sriov::test::FifoResponder;
namespace fs = std::filesystem;

namespace {

const Address pf = Address::parse("0000:00:02.0");
constexpr std::chrono::milliseconds bound{30000};  // only ever reached if something is broken

// The testbed's PF: an 82576 bound to vfio-pci loaded with enable_sriov=1, with vfs VFs enabled,
// VF n at 00:12.(2n) in IOMMU group 7 + n.
void add_pf(FakeSysfs& sysfs, unsigned vfs)
{
    sysfs.add_driver("vfio-pci");
    sysfs.set_module_parameter("vfio_pci", "enable_sriov", "Y");
    sysfs.add_device("0000:00:02.0", 0x8086, 0x10c9, 0x020000,
                     sriov::test::igb_pf_config({.num_vfs = static_cast<std::uint16_t>(vfs)}));
    sysfs.add_sriov_attributes("0000:00:02.0", 8, static_cast<std::uint16_t>(vfs), 128, 2, 0x10ca);
    sysfs.bind("0000:00:02.0", "vfio-pci");
    sysfs.set_iommu_group("0000:00:02.0", 3);
    for (unsigned n = 0; n < vfs; ++n) {
        const std::string vf = fmt::format("0000:00:12.{}", 2 * n);
        sysfs.add_vf("0000:00:02.0", n, vf);
        sysfs.bind(vf, "vfio-pci");
        sysfs.set_iommu_group(vf, 7 + n);
    }
}

// Runs f on another thread and gives back what it threw, failing the test if it has not returned
// within the bound (so a call that blocks for good fails instead of hanging the suite).
template <typename F>
std::exception_ptr call_within(std::chrono::milliseconds limit, F f)
{
    auto done = std::make_shared<std::promise<std::exception_ptr>>();
    auto result = done->get_future();
    std::thread([done, f]() mutable {
        try {
            f();
            done->set_value(nullptr);
        } catch (...) {
            done->set_value(std::current_exception());
        }
    }).detach();
    REQUIRE(result.wait_for(limit) == std::future_status::ready);
    return result.get();
}

sriov::Error error_of(std::exception_ptr e)
{
    REQUIRE(e != nullptr);
    try {
        std::rethrow_exception(e);
    } catch (const sriov::Error& error) {
        return error;
    }
}

// The values written to a FIFO-backed attribute, one per line. A FIFO's reader may see two quick
// writes as one, so the writes are told apart by the newline each ends with.
std::vector<std::string> values(const std::vector<std::string>& writes)
{
    std::string all;
    for (const auto& w : writes)
        all += w;
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t end; (end = all.find('\n', start)) != std::string::npos; start = end + 1)
        lines.push_back(all.substr(start, end - start));
    if (start < all.size())
        lines.push_back(all.substr(start) + " (no newline)");
    return lines;
}

// The values written to numvfs once there are count of them (or the bound passed).
std::vector<std::string> written_values(const FifoResponder& numvfs, std::size_t count)
{
    return values(
        numvfs.wait_for_writes([count](const auto& w) { return values(w).size() >= count; }, bound));
}

template <typename F>
sriov::Error expect_error(F f)
{
    try {
        f();
    } catch (const sriov::Error& e) {
        return e;
    }
    FAIL("no sriov::Error was thrown");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("the VF count is read from the virtfn links and the maximum from sriov_totalvfs")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 3);
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), sysfs.root() / "proc");
    CHECK(control.num_vfs(pf) == 3);
    CHECK(control.total_vfs(pf) == 8);
}

TEST_CASE("asking for more VFs than sriov_totalvfs names the maximum and writes nothing")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 0);
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), sysfs.root() / "proc");
    auto e = expect_error([&] { control.set_num_vfs(pf, 9); });
    CHECK(e.code() == Errc::invalid_argument);
    CHECK(e.subject() == "0000:00:02.0");
    CHECK(e.cause() == "asked for 9 VFs, but the PF supports at most 8 (sriov_totalvfs)");
    CHECK(sriov::test::read_file(sysfs.attribute("0000:00:02.0", "sriov_numvfs")) == "0\n");
}

TEST_CASE("a device without SR-IOV, a VF, and a missing device are refused")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 1);
    sysfs.add_device("0000:00:03.0", 0x1af4, 0x1041, 0x020000);
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), sysfs.root() / "proc");

    auto plain = expect_error([&] { control.set_num_vfs(Address::parse("0000:00:03.0"), 2); });
    CHECK(plain.code() == Errc::unsupported);
    CHECK_THAT(plain.cause(), ContainsSubstring("no SR-IOV capability"));

    auto vf = expect_error([&] { control.set_num_vfs(Address::parse("0000:00:12.0"), 2); });
    CHECK(vf.code() == Errc::unsupported);
    CHECK_THAT(vf.cause(), ContainsSubstring("this is a VF") && ContainsSubstring("0000:00:02.0"));

    auto missing = expect_error([&] { control.set_num_vfs(Address::parse("0000:00:1f.0"), 2); });
    CHECK(missing.code() == Errc::not_found);
    CHECK(missing.subject() == "0000:00:1f.0");
}

TEST_CASE("vfio-pci loaded without enable_sriov is named as the cause")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 0);
    sysfs.set_module_parameter("vfio_pci", "enable_sriov", "N");
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), sysfs.root() / "proc");
    auto e = expect_error([&] { control.set_num_vfs(pf, 2); });
    CHECK(e.code() == Errc::unsupported);
    CHECK_THAT(e.cause(), StartsWith("vfio-pci was loaded without enable_sriov=1"));
    CHECK(sriov::test::read_file(sysfs.attribute("0000:00:02.0", "sriov_numvfs")) == "0\n");
}

TEST_CASE("a PF without a driver cannot get VFs")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 0);
    fs::remove(sysfs.attribute("0000:00:02.0", "driver"));
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), sysfs.root() / "proc");
    auto e = expect_error([&] { control.set_num_vfs(pf, 2); });
    CHECK(e.code() == Errc::unsupported);
    CHECK_THAT(e.cause(), StartsWith("no driver is bound to the PF"));
}

TEST_CASE("enabling VFs from none writes the count once")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 0);
    FifoResponder numvfs(sysfs.attribute("0000:00:02.0", "sriov_numvfs"), [](const std::string&) {});
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), sysfs.root() / "proc");
    control.set_num_vfs(pf, 4, bound);
    CHECK(written_values(numvfs, 1) == std::vector<std::string>{"4"});
    CHECK_FALSE(control.change_pending(pf));
}

TEST_CASE("changing a non-zero VF count to another writes 0 first")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 2);
    FifoResponder numvfs(sysfs.attribute("0000:00:02.0", "sriov_numvfs"), [](const std::string&) {});
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), sysfs.root() / "proc");
    control.set_num_vfs(pf, 4, bound);
    CHECK(written_values(numvfs, 2) == std::vector<std::string>{"0", "4"});
}

TEST_CASE("disabling VFs writes 0 only, and asking for the current count writes nothing")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 2);
    FifoResponder numvfs(sysfs.attribute("0000:00:02.0", "sriov_numvfs"), [](const std::string&) {});
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), sysfs.root() / "proc");
    control.set_num_vfs(pf, 2, bound);
    CHECK(numvfs.writes().empty());
    control.set_num_vfs(pf, 0, bound);
    CHECK(written_values(numvfs, 1) == std::vector<std::string>{"0"});
}

TEST_CASE("a failed write is reported with its cause")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 0);
    fs::remove(sysfs.attribute("0000:00:02.0", "sriov_numvfs"));
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), sysfs.root() / "proc");
    auto e = expect_error([&] { control.set_num_vfs(pf, 2, bound); });
    CHECK(e.code() == Errc::not_found);
    CHECK_THAT(e.cause(), ContainsSubstring("no sriov_numvfs"));
    CHECK_FALSE(control.change_pending(pf));
}

TEST_CASE("a write the kernel holds up times out naming who holds the VFs, and stays pending")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 2);
    // The kernel waits for the VFs to be released: here, opening the FIFO blocks until a reader.
    sysfs.make_fifo("0000:00:02.0", "sriov_numvfs");
    FakeProc proc;
    proc.add_process(4242, "qemu-system-x86");
    proc.add_fd(4242, 12, "/dev/vfio/7");  // VF 0's group
    proc.add_process(4343, "bash");
    proc.add_fd(4343, 1, "/dev/pts/0");
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), proc.root());

    auto timed_out =
        error_of(call_within(bound, [&] { control.set_num_vfs(pf, 0, std::chrono::milliseconds(200)); }));
    CHECK(timed_out.code() == Errc::timeout);
    CHECK(timed_out.subject() == "0000:00:02.0");
    CHECK_THAT(timed_out.cause(),
               StartsWith("changing the VF count from 2 to 0 did not finish within 200 ms"));
    CHECK_THAT(timed_out.cause(),
               ContainsSubstring("pid 4242 (qemu-system-x86) holds 0000:00:12.0 (/dev/vfio/7)"));
    CHECK_THAT(timed_out.cause(), !ContainsSubstring("bash"));
    CHECK_THAT(timed_out.cause(), ContainsSubstring("stays pending"));
    CHECK(control.change_pending(pf));

    // A second change is refused, not queued behind the first, also through another object.
    auto busy = error_of(call_within(bound, [&] { control.set_num_vfs(pf, 1, bound); }));
    CHECK(busy.code() == Errc::busy);
    CHECK_THAT(busy.cause(), ContainsSubstring("still pending") &&
                                 ContainsSubstring("pid 4242 (qemu-system-x86) holds 0000:00:12.0"));
    SriovControl other(sriov::pci::Sysfs(sysfs.root()), proc.root());
    CHECK(error_of(call_within(bound, [&] { other.set_num_vfs(pf, 0, bound); })).code() == Errc::busy);
    CHECK_FALSE(control.wait_for_pending_change(pf, std::chrono::milliseconds(0)));

    // The holder lets go: the kernel's write goes through, and the change is no longer pending.
    int fd = ::open(sysfs.attribute("0000:00:02.0", "sriov_numvfs").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    std::string written;
    char buffer[16];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        written.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    CHECK(written == "0\n");
    CHECK(control.wait_for_pending_change(pf, bound));
    CHECK_FALSE(control.change_pending(pf));
}

TEST_CASE("a timed-out change with no holder to be found says so")
{
    FakeSysfs sysfs;
    add_pf(sysfs, 1);
    sysfs.make_fifo("0000:00:02.0", "sriov_numvfs");
    FakeProc proc;
    proc.add_process(1, "init");
    SriovControl control(sriov::pci::Sysfs(sysfs.root()), proc.root());

    auto e = error_of(call_within(bound, [&] { control.set_num_vfs(pf, 0, std::chrono::milliseconds(50)); }));
    CHECK(e.code() == Errc::timeout);
    CHECK_THAT(e.cause(), ContainsSubstring("no process found holding them"));

    // Let the pending write finish so that no process is left behind.
    int fd = ::open(sysfs.attribute("0000:00:02.0", "sriov_numvfs").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    char buffer[16];
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
    ::close(fd);
    CHECK(control.wait_for_pending_change(pf, bound));
}
