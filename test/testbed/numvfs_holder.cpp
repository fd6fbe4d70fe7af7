// Runs in the testbed guest: changing the VF count while a VF is held open through VFIO.
//
// The kernel's write to sriov_numvfs waits, without limit, for every VF to be released. A child
// process holds VF 0 open (group fd, device fd and a BAR mapping) and ignores the kernel's request
// to let go. Lowering the VF count must then come back within its timeout with an error naming the
// child and the VF, refuse a second change while the first is pending, and finish by itself once
// the child is gone.
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vfio/container.hpp"
#include "vfio/device.hpp"
#include "vfio/driver_binding.hpp"
#include "vfio/pci_discovery.hpp"
#include "vfio/sriov_control.hpp"
#include "vfio/unique_fd.hpp"

#include <catch2/catch_test_macros.hpp>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace e = sriov::e82576;
using namespace sriov;
using namespace std::chrono_literals;

namespace {

// The holder: opens the VF, maps its BAR, says "ready" on `ready_fd`, then waits until `hold_fd`
// is closed (or the process is killed). Never returns.
[[noreturn]] void hold_vf(const pci::Address& vf, const vfio::VfToken& token, int ready_fd, int hold_fd)
{
    char status = 'x';
    try {
        auto container = vfio::Container::open();
        vfio::Device::Options options;
        options.vf_token = token;
        auto device = vfio::Device::open(container, vf, options);
        auto bar0 = device.map(vfio::PciRegion::bar0);
        status = 'r';
        [[maybe_unused]] auto n = ::write(ready_fd, &status, 1);
        char c;
        while (::read(hold_fd, &c, 1) > 0) {
        }
    } catch (const Error& err) {
        fprintf(stderr, "holder: %s\n", err.what());
        [[maybe_unused]] auto n = ::write(ready_fd, &status, 1);
    }
    ::_exit(0);
}

struct Pipe {
    UniqueFd read_end, write_end;
    Pipe()
    {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        read_end.reset(fds[0]);
        write_end.reset(fds[1]);
    }
};

}  // namespace

TEST_CASE("lowering the VF count while a VF is held open times out naming the holder")
{
    pci::Sysfs sysfs;
    pci::PciDiscovery discovery(sysfs);
    pci::DriverBinding binding(sysfs);
    pci::SriovControl sriov(sysfs);

    auto pfs = pci::find_pfs(discovery.list(), e::vendor_intel, e::device_pf);
    REQUIRE(!pfs.empty());
    const pci::Address pf = pfs.front().address;
    binding.bind(pf, "vfio-pci");
    // With the PF on vfio-pci, a VF opens only with the PF's token, so someone must set one.
    auto container = vfio::Container::open();
    auto pf_device = vfio::Device::open(container, pf);
    const auto token = vfio::VfToken::generate();
    pf_device.set_vf_token(token);
    sriov.set_num_vfs(pf, 2, 30s);
    const auto vfs = discovery.device(pf).sriov->vfs;
    REQUIRE(vfs.size() == 2);

    Pipe ready, hold;
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ready.read_end.reset();
        hold.write_end.reset();
        hold_vf(vfs[0], token, ready.write_end.get(), hold.read_end.get());
    }
    ready.write_end.reset();
    hold.read_end.reset();
    char status = 0;
    REQUIRE(::read(ready.read_end.get(), &status, 1) == 1);
    REQUIRE(status == 'r');

    // The change cannot finish while the child holds VF 0: a timeout that names it.
    try {
        sriov.set_num_vfs(pf, 0, 3s);
        FAIL("the VF count changed while a VF was held open");
    } catch (const Error& err) {
        INFO(err.what());
        CHECK(err.code() == Errc::timeout);
        CHECK(err.subject() == pf.to_string());
        const std::string text = err.what();
        CHECK(text.find("pid " + std::to_string(child)) != std::string::npos);
        CHECK(text.find(vfs[0].to_string()) != std::string::npos);
    }
    CHECK(sriov.change_pending(pf));

    // A second change is refused while the first waits in the kernel, again naming the holder.
    try {
        sriov.set_num_vfs(pf, 1, 1s);
        FAIL("a second change started behind a pending one");
    } catch (const Error& err) {
        INFO(err.what());
        CHECK(err.code() == Errc::busy);
    }

    // Once the holder lets go (here: it is killed), the pending change completes by itself.
    ::kill(child, SIGKILL);
    int wstatus = 0;
    REQUIRE(::waitpid(child, &wstatus, 0) == child);
    CHECK(sriov.wait_for_pending_change(pf, 30s));
    CHECK(sriov.num_vfs(pf) == 0);
    for (const auto& vf : vfs)
        CHECK_FALSE(sysfs.exists(sysfs.device_dir(vf)));
}
