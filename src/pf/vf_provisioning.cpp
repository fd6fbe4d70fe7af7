#include "pf/vf_provisioning.hpp"

#include "sriov/error.hpp"
#include "vfio/pci_discovery.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace sriov::pf {

VfProvisioner::VfProvisioner(pci::Sysfs sysfs, std::chrono::milliseconds timeout)
    : sysfs_(sysfs), binding_(sysfs), sriov_(sysfs), timeout_(timeout)
{
}

void VfProvisioner::claim_pf(const pci::Address& pf) const
{
    const auto driver = binding_.current_driver(pf);
    if (driver != "vfio-pci") {
        binding_.bind(pf, "vfio-pci");
        spdlog::info("PF {}: bound to vfio-pci (was {})", pf, driver.value_or("unbound"));
    }
    if (const unsigned n = sriov_.num_vfs(pf); n != 0) {
        spdlog::info("PF {}: removing the {} VFs it has, to bring it up first", pf, n);
        sriov_.set_num_vfs(pf, 0, timeout_);
    }
}

std::vector<pci::Address> VfProvisioner::create_vfs(const pci::Address& pf, unsigned num_vfs,
                                                    const std::vector<std::string>& drivers) const
{
    sriov_.set_num_vfs(pf, num_vfs, timeout_);
    const auto links = pci::virtfn_links(sysfs_, pf);
    std::vector<pci::Address> vfs;
    for (unsigned n = 0; n < num_vfs; ++n) {
        const auto it = links.find(n);
        if (it == links.end())
            throw Error(Errc::protocol, pf.to_string(),
                        fmt::format("the kernel enabled {} VFs but shows no virtfn{} link", num_vfs, n));
        vfs.push_back(it->second);
    }
    spdlog::info("PF {}: {} VFs created", pf, num_vfs);
    for (unsigned n = 0; n < num_vfs; ++n) {
        const std::string driver =
            n < drivers.size() && !drivers[n].empty() ? drivers[n] : std::string(default_vf_driver);
        binding_.bind(vfs[n], driver);
        spdlog::info("VF {} ({}) bound to {}", n, vfs[n], driver);
    }
    return vfs;
}

void VfProvisioner::remove_vfs(const pci::Address& pf) const
{
    sriov_.set_num_vfs(pf, 0, timeout_);
    spdlog::info("PF {}: VFs removed", pf);
}

}  // namespace sriov::pf
