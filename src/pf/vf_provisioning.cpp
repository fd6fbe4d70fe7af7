#include "pf/vf_provisioning.hpp"

#include "sriov/error.hpp"
#include "vfio/pci_discovery.hpp"
#include "vfio/root_files.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <thread>

namespace sriov::pf {

namespace {

// How long a VF's /dev/vfio/<group> may take to appear after vfio-pci bound it. devtmpfs creates
// the node before the bind returns; a /dev managed otherwise may be slower.
constexpr std::chrono::milliseconds device_file_wait{1000};
constexpr std::chrono::milliseconds device_file_poll{10};

}  // namespace

VfProvisioner::VfProvisioner(pci::Sysfs sysfs, std::chrono::milliseconds timeout, VfAccess access)
    : sysfs_(sysfs), binding_(sysfs), sriov_(sysfs), timeout_(timeout), access_(std::move(access))
{
}

void VfProvisioner::share_vf(const pci::Address& vf) const
{
    if (!access_.group)
        return;
    const auto iommu_group = sysfs_.link_name(sysfs_.device_file(vf, pci::attr::iommu_group));
    if (!iommu_group)
        throw Error(Errc::no_iommu, vf.to_string(),
                    "has no IOMMU group, so there is no VFIO device file to share with the operators' group");
    const std::filesystem::path file = access_.dev_root / "vfio" / *iommu_group;
    const auto give_up = std::chrono::steady_clock::now() + device_file_wait;
    while (!sysfs_.exists(file)) {
        if (std::chrono::steady_clock::now() >= give_up)
            throw Error(Errc::not_found, file.string(),
                        fmt::format("missing {} ms after VF {} was bound to vfio-pci", device_file_wait.count(), vf));
        std::this_thread::sleep_for(device_file_poll);
    }
    // Owner stays root; the group gets read and write, which is what opening a VFIO group takes.
    // Changed through a descriptor of the node, which must be the kernel's: a character device of
    // uid 0, not a symbolic link (files::share_node()).
    try {
        files::share_node(file, access_.device_type, access_.device_owner, access_.group, 0660);
    } catch (const Error& e) {
        throw Error(e.code(), e.subject(),
                    fmt::format("cannot give the operators' group the VF's device file: {}", e.cause()));
    }
    spdlog::info("VF {}: {} opened to gid {} (0660)", vf, file.string(), *access_.group);
}

// vfio-pci resets a device (FLR) when its user opens and closes it, kill -9 included. A PF's FLR
// clears its VF Enable: the VFs vanish from the bus, and although the kernel turns VF Enable on
// again, the VFs come back with a blank configuration space (no memory decoding, no bus mastering,
// no MSI-X), which their drivers never notice. Nothing in user space can repair that, so the PF's
// reset methods are switched off (an empty reset_method, Linux 5.15 and later) before vfio-pci
// first opens it; sriovd's own bring-up resets the chip's registers instead (CTRL.RST), which
// leaves the VFs' PCI state alone.
void VfProvisioner::disable_pf_reset(const pci::Address& pf) const
{
    const auto reset_method = sysfs_.device_file(pf, "reset_method");
    if (!sysfs_.exists(reset_method)) {
        spdlog::warn("PF {}: the kernel has no reset_method to switch off; if vfio-pci resets the PF, "
                     "its VFs die with it",
                     pf);
        return;
    }
    if (sysfs_.read(reset_method).find_first_not_of(" \n") == std::string::npos)
        return;
    sysfs_.write(reset_method, "\n");
    spdlog::info("PF {}: PCI resets switched off (reset_method), so that the VFs outlive sriovd", pf);
}

bool VfProvisioner::claim_pf(const pci::Address& pf, unsigned keep_num_vfs, bool take_over) const
{
    const auto driver = binding_.current_driver(pf);
    if (driver && *driver != "vfio-pci" && !take_over) {
        std::vector<std::string> netdevs;
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(sysfs_.device_dir(pf) / "net", ec))
            netdevs.push_back(entry.path().filename().string());
        std::sort(netdevs.begin(), netdevs.end());
        throw Error(Errc::busy, pf.to_string(),
                    fmt::format("bound to {}{}; sriovd needs it on vfio-pci, which takes it away from the host "
                                "(no network interface is left on it): run sriovd with --take-over to do that, "
                                "or unbind it first",
                                *driver,
                                netdevs.empty() ? std::string()
                                                : fmt::format(" (network interface {})", fmt::join(netdevs, ", "))));
    }
    disable_pf_reset(pf);
    if (driver != "vfio-pci") {
        binding_.bind(pf, "vfio-pci");
        spdlog::info("PF {}: bound to vfio-pci (was {})", pf, driver.value_or("unbound"));
    }
    const unsigned n = sriov_.num_vfs(pf);
    if (n != 0 && n == keep_num_vfs) {
        spdlog::info("PF {}: keeping the {} VFs it has; their drivers keep running", pf, n);
        return true;
    }
    if (n != 0) {
        spdlog::info("PF {}: removing the {} VFs it has ({} wanted), to bring it up first", pf, n,
                     keep_num_vfs);
        sriov_.set_num_vfs(pf, 0, timeout_);
    }
    return false;
}

std::vector<pci::Address> VfProvisioner::adopt_vfs(const pci::Address& pf, unsigned num_vfs,
                                                   const std::vector<std::string>& drivers) const
{
    std::vector<pci::Address> vfs = vf_addresses(pf, num_vfs);
    for (unsigned n = 0; n < num_vfs; ++n) {
        if (const auto driver = binding_.current_driver(vfs[n])) {
            spdlog::info("VF {} ({}) kept, bound to {}", n, vfs[n], *driver);
            // Shared again: the group may be new since the VF was created.
            if (*driver == default_vf_driver)
                share_vf(vfs[n]);
            continue;
        }
        const std::string wanted =
            n < drivers.size() && !drivers[n].empty() ? drivers[n] : std::string(default_vf_driver);
        binding_.bind(vfs[n], wanted);
        spdlog::info("VF {} ({}) kept, had no driver, now bound to {}", n, vfs[n], wanted);
        if (wanted == default_vf_driver)
            share_vf(vfs[n]);
    }
    return vfs;
}

std::vector<pci::Address> VfProvisioner::vf_addresses(const pci::Address& pf, unsigned num_vfs) const
{
    const auto links = pci::virtfn_links(sysfs_, pf);
    std::vector<pci::Address> vfs;
    for (unsigned n = 0; n < num_vfs; ++n) {
        const auto it = links.find(n);
        if (it == links.end())
            throw Error(Errc::protocol, pf.to_string(),
                        fmt::format("the kernel enabled {} VFs but shows no virtfn{} link", num_vfs, n));
        vfs.push_back(it->second);
    }
    return vfs;
}

std::vector<pci::Address> VfProvisioner::create_vfs(const pci::Address& pf, unsigned num_vfs,
                                                    const std::vector<std::string>& drivers) const
{
    sriov_.set_num_vfs(pf, num_vfs, timeout_);
    const std::vector<pci::Address> vfs = vf_addresses(pf, num_vfs);
    spdlog::info("PF {}: {} VFs created", pf, num_vfs);
    for (unsigned n = 0; n < num_vfs; ++n) {
        const std::string driver =
            n < drivers.size() && !drivers[n].empty() ? drivers[n] : std::string(default_vf_driver);
        binding_.bind(vfs[n], driver);
        spdlog::info("VF {} ({}) bound to {}", n, vfs[n], driver);
        if (driver == default_vf_driver)
            share_vf(vfs[n]);
    }
    return vfs;
}

void VfProvisioner::remove_vfs(const pci::Address& pf) const
{
    sriov_.set_num_vfs(pf, 0, timeout_);
    spdlog::info("PF {}: VFs removed", pf);
}

}  // namespace sriov::pf
