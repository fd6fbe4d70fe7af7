// sriov-probe: shows what the VFIO and PCI layer sees of an SR-IOV PF and its VFs.
//
// It finds the PF (the first 82576 unless --pf is given), binds it to vfio-pci, opens it through
// VFIO, reads its registers, sets a VF token, enables VFs, opens one VF with the token, reads the
// VF's mailbox register, shows that a wrong token is refused, and puts everything back. It is the
// testbed demo for now and a diagnostic for operators: each step says what it found or why it
// failed, and the exit status is non-zero on the first failure.
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vfio/container.hpp"
#include "vfio/device.hpp"
#include "vfio/dma_memory.hpp"
#include "vfio/driver_binding.hpp"
#include "vfio/pci_discovery.hpp"
#include "vfio/sriov_control.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <string>

namespace e = sriov::e82576;
using namespace sriov;

namespace {

struct Options {
    std::string pf;        // empty: the first 82576 found
    unsigned vfs = 4;
    unsigned timeout = 30;  // seconds for a change of the VF count
    bool keep = false;      // leave the VFs enabled and the PF on vfio-pci
    bool verbose = false;
};

void say(const std::string& text) { fmt::print("{}\n", text); }

std::string describe_status(std::uint32_t status)
{
    return fmt::format("{:#010x} (link {}, {} duplex)", status, status & e::status::LU ? "up" : "down",
                       status & e::status::FD ? "full" : "half");
}

std::string describe_vfmailbox(std::uint32_t v)
{
    std::string bits;
    auto add = [&](std::uint32_t bit, const char* name) {
        if (v & bit)
            bits += bits.empty() ? name : std::string(" ") + name;
    };
    add(e::vfmailbox::RSTI, "RSTI");
    add(e::vfmailbox::RSTD, "RSTD");
    add(e::vfmailbox::PFSTS, "PFSTS");
    add(e::vfmailbox::PFACK, "PFACK");
    add(e::vfmailbox::PFU, "PFU");
    std::string meaning = (v & e::vfmailbox::RSTI) ? "the PF is in reset and has not said it is ready"
                          : (v & e::vfmailbox::RSTD) ? "the PF finished a reset"
                                                      : "no reset pending";
    return fmt::format("{:#010x} [{}]: {}", v, bits.empty() ? "none" : bits, meaning);
}

pci::Device choose_pf(const pci::PciDiscovery& discovery, const Options& opt)
{
    if (!opt.pf.empty()) {
        auto d = discovery.device(pci::Address::parse(opt.pf));
        if (!d.is_pf())
            throw Error(Errc::unsupported, d.address.to_string(), "has no SR-IOV capability");
        return d;
    }
    auto pfs = pci::find_pfs(discovery.list(), e::vendor_intel, e::device_pf);
    if (pfs.empty())
        throw Error(Errc::not_found, "8086:10c9", "no Intel 82576 with SR-IOV found (use --pf to name another PF)");
    return pfs.front();
}

int run(const Options& opt)
{
    pci::Sysfs sysfs;
    pci::PciDiscovery discovery(sysfs);
    pci::DriverBinding binding(sysfs);
    pci::SriovControl sriov(sysfs);
    const auto timeout = std::chrono::seconds(opt.timeout);

    const pci::Device pf_info = choose_pf(discovery, opt);
    const pci::Address pf_addr = pf_info.address;
    const auto& cap = *pf_info.sriov;
    say(fmt::format("PF {}  {:04x}:{:04x}  {} {}", pf_addr, pf_info.vendor_id, pf_info.device_id,
                    pf_info.vendor_name, pf_info.device_name));
    say(fmt::format("  driver {}, IOMMU group {}", pf_info.driver.value_or("none"),
                    pf_info.iommu_group ? std::to_string(*pf_info.iommu_group) : "none"));
    say(fmt::format("  SR-IOV: {} VFs at most, {} enabled, VF offset {:#x}, stride {}, VF device {:04x}",
                    cap.total_vfs, cap.num_vfs, cap.vf_offset, cap.vf_stride, cap.vf_device_id));
    if (opt.vfs == 0 || opt.vfs > cap.total_vfs)
        throw Error(Errc::invalid_argument, pf_addr.to_string(),
                    fmt::format("--vfs must be between 1 and {}", cap.total_vfs));

    if (pf_info.driver != "vfio-pci") {
        binding.bind(pf_addr, "vfio-pci");
        say(fmt::format("  bound to vfio-pci (was {})", pf_info.driver.value_or("unbound")));
    }
    if (cap.num_vfs != 0) {
        sriov.set_num_vfs(pf_addr, 0, timeout);
        say(fmt::format("  disabled the {} VFs that were enabled", cap.num_vfs));
    }

    auto container = vfio::Container::open();
    auto pf = vfio::Device::open(container, pf_addr);
    auto bar0 = pf.map(vfio::PciRegion::bar0);
    say(fmt::format("  opened through VFIO: BAR0 {} KiB mapped, STATUS {}", bar0.size() / 1024,
                    describe_status(bar0.read32(e::STATUS.offset))));
    auto dma = vfio::DmaMemory::allocate(container, 2 * 1024 * 1024);
    say(fmt::format("  DMA memory: {} KiB at IOVA {:#x}{}", dma.size() / 1024, dma.iova(),
                    dma.on_hugepages() ? " on hugepages" : " on 4 KiB pages"));

    const auto token = vfio::VfToken::generate();
    pf.set_vf_token(token);
    say(fmt::format("  VF token set: {}", token.to_string()));

    sriov.set_num_vfs(pf_addr, opt.vfs, timeout);
    const auto vfs = discovery.device(pf_addr).sriov->vfs;
    say(fmt::format("  enabled {} VFs:", vfs.size()));
    for (const auto& addr : vfs) {
        const auto vf = discovery.device(addr);
        say(fmt::format("    {}  {:04x}:{:04x}  driver {}, IOMMU group {}", addr, vf.vendor_id, vf.device_id,
                        vf.driver.value_or("none"), vf.iommu_group ? std::to_string(*vf.iommu_group) : "none"));
    }

    {
        vfio::Device::Options with_token;
        with_token.vf_token = token;
        auto vf = vfio::Device::open(container, vfs.front(), with_token);
        auto vf_bar0 = vf.map(vfio::PciRegion::bar0);
        say(fmt::format("  VF {} opened with the token: BAR0 {} KiB, {} MSI-X vectors", vfs.front(),
                        vf_bar0.size() / 1024, vf.irq_info(vfio::PciIrq::msix).count));
        say(fmt::format("    VFMAILBOX {}", describe_vfmailbox(vf_bar0.read32(e::VFMAILBOX.offset))));
        say(fmt::format("    VTSTATUS {}", describe_status(vf_bar0.read32(e::VTSTATUS.offset))));
    }
    try {
        vfio::Device::Options wrong;
        wrong.vf_token = vfio::VfToken::generate();
        vfio::Device::open(container, vfs.front(), wrong);
        throw Error(Errc::protocol, vfs.front().to_string(), "opened with a wrong VF token: the kernel did not check it");
    } catch (const Error& err) {
        if (err.code() != Errc::vf_token)
            throw;
        say(fmt::format("  a wrong token is refused: {}", err.what()));
    }

    if (opt.keep) {
        say("  --keep: the VFs stay enabled and the PF stays on vfio-pci");
        return 0;
    }
    sriov.set_num_vfs(pf_addr, 0, timeout);
    say("  VFs disabled; closing the PF");
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    Options opt;
    CLI::App app{"sriov-probe: show what VFIO sees of an SR-IOV PF and its VFs (needs root)"};
    app.add_option("--pf", opt.pf, "PCI address of the PF (default: the first Intel 82576)");
    app.add_option("--vfs", opt.vfs, "number of VFs to enable")->capture_default_str();
    app.add_option("--timeout", opt.timeout, "seconds to wait for a change of the VF count")->capture_default_str();
    app.add_flag("--keep", opt.keep, "leave the VFs enabled and the PF bound to vfio-pci");
    app.add_flag("-v,--verbose", opt.verbose, "log what the VFIO layer does");
    CLI11_PARSE(app, argc, argv);
    spdlog::set_level(opt.verbose ? spdlog::level::debug : spdlog::level::warn);

    try {
        return run(opt);
    } catch (const Error& err) {
        fmt::print(stderr, "sriov-probe: {}\n", err.what());
        return 1;
    }
}
