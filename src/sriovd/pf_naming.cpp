#include "pf_naming.hpp"

#include "options.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

namespace sriov::sriovd {

std::optional<std::string> interface_of(const pci::Address& address, const pci::Sysfs& sysfs)
{
    const auto net = sysfs.device_dir(address) / "net";
    if (!sysfs.exists(net))
        return std::nullopt;
    try {
        const auto names = sysfs.list(net);
        if (!names.empty())
            return names.front();
    } catch (const Error&) {
        // gone while we looked: no interface
    }
    return std::nullopt;
}

NamedPf find_named_pf(const DaemonConfig& config, const pci::Sysfs& sysfs)
{
    NamedPf named;
    if (!config.pf.empty()) {
        named.address = pf_config(config).pf;
    } else {
        const auto device = sysfs.root() / "class" / "net" / config.interface / "device";
        const auto name = sysfs.link_name(device);
        const auto address = name ? pci::Address::try_parse(*name) : std::nullopt;
        if (!address)
            throw Error(Errc::not_found, config.interface,
                        "no PCI network interface of that name (ip -br link lists them; the name may have "
                        "changed: name the PF by pci = \"...\" instead)");
        named.address = *address;
    }
    named.driver = sysfs.link_name(sysfs.device_file(named.address, pci::attr::driver)).value_or("");
    named.interface = interface_of(named.address, sysfs).value_or("");
    named.owner = config.owner;
    if (named.owner.empty())
        named.owner = !named.interface.empty() && named.driver != "vfio-pci" ? owner_kernel : owner_sriovd;
    return named;
}

}  // namespace sriov::sriovd
