// Runs in the testbed guest: the VFIO and PCI layer against the real kernel and the emulated 82576.
//
// Follows the foundation's acceptance: find the PF, bind it to vfio-pci, open it through VFIO, map
// BAR0 and read STATUS, map DMA memory, take an interrupt, set a VF token, enable 4 VFs, open one VF
// with the token and read its mailbox register (the PF-reset bits prove the mapping reaches the
// device: an unrouted BAR reads 0), fail clearly with a wrong or missing token, close the VF,
// disable the VFs, and leave no file descriptor or mapping behind.
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vfio/container.hpp"
#include "vfio/device.hpp"
#include "vfio/dma_memory.hpp"
#include "vfio/driver_binding.hpp"
#include "vfio/interrupts.hpp"
#include "vfio/pci_discovery.hpp"
#include "vfio/sriov_control.hpp"

#include <catch2/catch_test_macros.hpp>
#include <poll.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace e = sriov::e82576;
using namespace sriov;
using namespace std::chrono_literals;

namespace {

// What this process holds from VFIO: its open file descriptors and the mappings of device memory
// or shared anonymous (DMA) memory.
struct Holdings {
    std::size_t fds = 0;
    std::vector<std::string> vfio_maps;
};

Holdings holdings()
{
    Holdings h;
    for ([[maybe_unused]] const auto& fd : std::filesystem::directory_iterator("/proc/self/fd"))
        ++h.fds;
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);)
        if (line.find("vfio") != std::string::npos || line.find("/dev/zero") != std::string::npos)
            h.vfio_maps.push_back(line);
    return h;
}

// Waits up to `limit` for the eventfd to be signalled; true if it was.
bool wait_signalled(const vfio::EventFd& fd, std::chrono::milliseconds limit)
{
    pollfd p{fd.fd(), POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(limit.count())) == 1;
}

}  // namespace

TEST_CASE("the VFIO and PCI layer drive a real PF and its VFs")
{
    const Holdings before = holdings();
    pci::Sysfs sysfs;
    pci::PciDiscovery discovery(sysfs);
    pci::DriverBinding binding(sysfs);

    // Discovery: the testbed's first 82576 sits at 00:02.0 with 8 VFs advertised.
    auto pfs = pci::find_pfs(discovery.list(), e::vendor_intel, e::device_pf);
    REQUIRE(!pfs.empty());
    const pci::Address pf_addr = pfs.front().address;
    CHECK(pf_addr.to_string() == "0000:00:02.0");
    REQUIRE(pfs.front().sriov.has_value());
    CHECK(pfs.front().sriov->total_vfs == 8);
    CHECK(pfs.front().sriov->vf_device_id == e::device_vf);
    REQUIRE(pfs.front().iommu_group.has_value());

    binding.bind(pf_addr, "vfio-pci");
    CHECK(binding.current_driver(pf_addr) == "vfio-pci");

    const auto token = vfio::VfToken::generate();
    std::vector<pci::Address> vf_addrs;
    {
        auto container = vfio::Container::open();
        auto pf = vfio::Device::open(container, pf_addr);
        CHECK(pf.config16(0x00) == e::vendor_intel);
        CHECK(pf.config16(0x02) == e::device_pf);

        // BAR0: 128 KiB of registers; STATUS reads back real bits (never 0 or all ones).
        auto bar0 = pf.map(vfio::PciRegion::bar0);
        CHECK(bar0.size() == 128 * 1024);
        const std::uint32_t status = bar0.read32(e::STATUS.offset);
        INFO("STATUS = " << std::hex << status);
        CHECK(status != 0);
        CHECK(status != 0xffffffffu);
        pf.enable_bus_master();

        // DMA memory: mapped at an IOVA, readable and writable by us.
        auto dma = vfio::DmaMemory::allocate(container, 64 * 1024);
        CHECK(dma.size() >= 64 * 1024);
        CHECK(dma.iova() != 0);
        std::memset(dma.virt(), 0xa5, dma.size());
        auto big = vfio::DmaMemory::allocate(container, 4 * 1024 * 1024);
        CHECK(big.iova() >= dma.iova() + dma.size());

        // An interrupt end to end: route the "other" causes to MSI-X vector 0 and raise LSC by
        // software (ICS); the eventfd of vector 0 must fire.
        {
            vfio::Interrupts msix(pf, vfio::PciIrq::msix, 1);
            vfio::Interrupts request(pf, vfio::PciIrq::request, 1);
            vfio::Interrupts error(pf, vfio::PciIrq::error, 1);
            bar0.write32(e::GPIE.offset, e::gpie::MSIX_MODE);
            bar0.write32(e::IVAR_MISC.offset, e::ivar::misc_other(0));
            bar0.write32(e::ICR.offset, ~0u);  // clear what is pending, so LSC rises 0 -> 1
            bar0.write32(e::IMS.offset, e::icr::LSC);
            bar0.write32(e::EIMS.offset, 1u << 0);
            bar0.write32(e::ICS.offset, e::icr::LSC);
            CHECK(wait_signalled(msix[0], 5000ms));
            CHECK(msix[0].drain() >= 1);
            bar0.write32(e::IMC.offset, ~0u);
            bar0.write32(e::EIMC.offset, 1u << 0);
        }

        // The VF token, then 4 VFs; each appears bound to vfio-pci.
        pf.set_vf_token(token);
        pci::SriovControl sriov(sysfs);
        sriov.set_num_vfs(pf_addr, 4, 30s);
        const auto pf_after = discovery.device(pf_addr);
        REQUIRE(pf_after.sriov.has_value());
        vf_addrs = pf_after.sriov->vfs;
        REQUIRE(vf_addrs.size() == 4);
        CHECK(vf_addrs[0].to_string() == "0000:00:12.0");
        CHECK(vf_addrs[3].to_string() == "0000:00:12.6");
        for (const auto& vf : vf_addrs) {
            const auto d = discovery.device(vf);
            CHECK(d.device_id == e::device_vf);
            CHECK(d.driver == "vfio-pci");
            CHECK(d.physfn == pf_addr);
        }

        // Opening VF 0 needs the token: without it, or with another one, the error says so.
        for (const auto& wrong : {std::optional<vfio::VfToken>{}, std::optional(vfio::VfToken::generate())}) {
            vfio::Device::Options options;
            options.vf_token = wrong;
            try {
                vfio::Device::open(container, vf_addrs[0], options);
                FAIL("VF 0 opened without the right token");
            } catch (const Error& err) {
                INFO(err.what());
                CHECK(err.code() == Errc::vf_token);
                CHECK(err.subject() == "0000:00:12.0");
            }
        }
        {
            vfio::Device::Options options;
            options.vf_token = token;
            auto vf = vfio::Device::open(container, vf_addrs[0], options);
            auto vf_bar0 = vf.map(vfio::PciRegion::bar0);
            CHECK(vf_bar0.size() == 16 * 1024);
            CHECK(vf.irq_info(vfio::PciIrq::msix).count == 3);
            // Nobody has written PFRSTD since the PF was reset, so the VF sees a PF reset.
            const std::uint32_t mbx = vf_bar0.read32(e::VFMAILBOX.offset);
            INFO("VFMAILBOX = " << std::hex << mbx);
            CHECK((mbx & (e::vfmailbox::RSTI | e::vfmailbox::RSTD)) != 0);
        }  // VF closed here

        sriov.set_num_vfs(pf_addr, 0, 30s);
        for (const auto& vf : vf_addrs)
            CHECK_FALSE(sysfs.exists(sysfs.device_dir(vf)));
    }  // PF, DMA memory and container closed here

    const Holdings after = holdings();
    CHECK(after.fds == before.fds);
    INFO("mappings left: " << after.vfio_maps.size());
    for (const auto& line : after.vfio_maps)
        UNSCOPED_INFO(line);
    CHECK(after.vfio_maps == before.vfio_maps);
}
