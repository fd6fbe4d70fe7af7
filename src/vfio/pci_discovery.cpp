#include "vfio/pci_discovery.hpp"

#include "sriov/error.hpp"
#include "vfio/libpci_access.hpp"
#include "vfio/sriov_capability.hpp"

#include <algorithm>
#include <charconv>

namespace sriov::pci {
namespace {

std::optional<unsigned> parse_unsigned(std::string_view text)
{
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// A link under the device directory whose target must end in a PCI address (physfn, virtfn<n>).
std::optional<Address> address_link(const Sysfs& sysfs, const Address& device, std::string_view link)
{
    auto name = sysfs.link_name(sysfs.device_file(device, link));
    if (!name)
        return std::nullopt;
    if (auto a = Address::try_parse(*name))
        return a;
    throw Error(Errc::protocol, device.to_string(),
                fmt::format("{} points to \"{}\", which is not a PCI address", link, *name));
}

std::optional<unsigned> iommu_group_of(const Sysfs& sysfs, const Address& address)
{
    auto name = sysfs.link_name(sysfs.device_file(address, attr::iommu_group));
    if (!name)
        return std::nullopt;
    if (auto group = parse_unsigned(*name))
        return group;
    throw Error(Errc::protocol, address.to_string(),
                fmt::format("iommu_group points to \"{}\", which is not a group number", *name));
}

// One SR-IOV value: the kernel's (sysfs) if it has the attribute, else config space's.
std::uint16_t pick(const Sysfs& sysfs, const Address& pf, std::string_view attribute, bool hex,
                   std::optional<std::uint16_t> from_config, std::string_view register_name,
                   std::vector<std::string>& notes)
{
    const auto path = sysfs.device_file(pf, attribute);
    if (!sysfs.exists(path))
        return from_config.value_or(0);
    const auto value = static_cast<std::uint16_t>(hex ? sysfs.read_hex(path) : sysfs.read_decimal(path));
    if (from_config && *from_config != value)
        notes.push_back(fmt::format("{}: config space says {}, sysfs {} says {}", register_name, *from_config,
                                    attribute, value));
    return value;
}

std::optional<SriovInfo> sriov_info(const Sysfs& sysfs, const Address& pf,
                                    const std::optional<SriovRegisters>& regs)
{
    if (!regs && !sysfs.exists(sysfs.device_file(pf, attr::sriov_totalvfs)))
        return std::nullopt;

    auto reg = [&](std::uint16_t SriovRegisters::*field) -> std::optional<std::uint16_t> {
        if (!regs)
            return std::nullopt;
        return (*regs).*field;
    };

    SriovInfo info;
    info.cap_offset = reg(&SriovRegisters::cap_offset);
    info.initial_vfs = reg(&SriovRegisters::initial_vfs);
    info.total_vfs =
        pick(sysfs, pf, attr::sriov_totalvfs, false, reg(&SriovRegisters::total_vfs), "TotalVFs", info.notes);
    info.vf_offset = pick(sysfs, pf, attr::sriov_offset, false, reg(&SriovRegisters::vf_offset),
                          "First VF Offset", info.notes);
    info.vf_stride =
        pick(sysfs, pf, attr::sriov_stride, false, reg(&SriovRegisters::vf_stride), "VF Stride", info.notes);
    info.vf_device_id = pick(sysfs, pf, attr::sriov_vf_device, true, reg(&SriovRegisters::vf_device_id),
                             "VF Device ID", info.notes);

    const auto links = virtfn_links(sysfs, pf);
    info.num_vfs = static_cast<std::uint16_t>(links.size());
    if (regs && regs->num_vfs != info.num_vfs)
        info.notes.push_back(fmt::format("NumVFs: config space says {}, the kernel has {} virtfn links",
                                         regs->num_vfs, info.num_vfs));

    // The links are the kernel's list of VFs. While VFs are being removed they go one by one from
    // virtfn0 up, so the numbers need not start at 0.
    for (const auto& [n, linked] : links) {
        info.vfs.push_back(linked);
        try {
            const Address computed = sriov_cap::vf_address(pf, info.vf_offset, info.vf_stride, n);
            if (computed != linked)
                info.notes.push_back(
                    fmt::format("VF {}: offset {} and stride {} give {}, but {} points to {}", n,
                                info.vf_offset, info.vf_stride, computed, attr::virtfn(n), linked));
        } catch (const Error& e) {
            info.notes.push_back(e.cause());
        }
    }
    if (!links.empty() && links.rbegin()->first + 1 != links.size())
        info.notes.push_back(fmt::format(
            "the virtfn links are not numbered 0 to {} (VFs being added or removed?)", links.size() - 1));
    return info;
}

Device describe(const Sysfs& sysfs, LibPci& libpci, const Address& address)
{
    if (!sysfs.exists(sysfs.device_dir(address)))
        throw Error(Errc::not_found, address.to_string(),
                    fmt::format("no such PCI device (nothing at {})", sysfs.device_dir(address).string()));
    LibPciDevice identity = libpci.describe(address);

    Device d;
    d.address = address;
    d.vendor_id = identity.vendor_id;
    d.device_id = identity.device_id;
    d.class_code = identity.class_code;
    d.vendor_name = identity.vendor_name.value_or(fmt::format("{:04x}", identity.vendor_id));
    d.device_name = identity.device_name.value_or(fmt::format("{:04x}", identity.device_id));
    d.driver = sysfs.link_name(sysfs.device_file(address, attr::driver));
    d.iommu_group = iommu_group_of(sysfs, address);
    d.physfn = address_link(sysfs, address, attr::physfn);
    d.sriov = sriov_info(sysfs, address, identity.sriov);
    return d;
}

}  // namespace

PciDiscovery::PciDiscovery(Sysfs sysfs, DiscoveryOptions options)
    : sysfs_(std::move(sysfs)), options_(std::move(options))
{
}

std::vector<Device> PciDiscovery::list() const
{
    const auto dir = sysfs_.pci_devices_dir();
    if (!sysfs_.exists(dir))
        throw Error(
            Errc::not_found, dir.string(),
            fmt::format("no PCI devices directory (is sysfs mounted at {}?)", sysfs_.root().string()));
    std::vector<Address> addresses;
    for (const auto& name : sysfs_.list(dir)) {
        if (auto a = Address::try_parse(name))
            addresses.push_back(*a);
    }
    std::sort(addresses.begin(), addresses.end());

    LibPci libpci(sysfs_, options_.pci_ids);
    std::vector<Device> devices;
    for (const auto& a : addresses) {
        try {
            devices.push_back(describe(sysfs_, libpci, a));
        } catch (const Error& e) {
            // A device that went away while we looked (e.g. a VF being removed) is not an error.
            if (e.code() != Errc::not_found || sysfs_.exists(sysfs_.device_dir(a)))
                throw;
        }
    }
    return devices;
}

Device PciDiscovery::device(const Address& address) const
{
    LibPci libpci(sysfs_, options_.pci_ids);
    return describe(sysfs_, libpci, address);
}

std::map<unsigned, Address> virtfn_links(const Sysfs& sysfs, const Address& pf)
{
    if (!sysfs.exists(sysfs.device_dir(pf)))
        throw Error(Errc::not_found, pf.to_string(),
                    fmt::format("no such PCI device (nothing at {})", sysfs.device_dir(pf).string()));
    std::map<unsigned, Address> links;
    for (const auto& name : sysfs.list(sysfs.device_dir(pf))) {
        if (!name.starts_with("virtfn"))
            continue;
        if (auto n = parse_unsigned(std::string_view(name).substr(6))) {
            if (auto vf = address_link(sysfs, pf, name))
                links.emplace(*n, *vf);
        }
    }
    return links;
}

std::vector<Device> find_by_id(const std::vector<Device>& devices, std::uint16_t vendor_id,
                               std::uint16_t device_id)
{
    std::vector<Device> found;
    for (const auto& d : devices) {
        if (d.vendor_id == vendor_id && d.device_id == device_id)
            found.push_back(d);
    }
    return found;
}

std::vector<Device> find_pfs(const std::vector<Device>& devices, std::uint16_t vendor_id,
                             std::uint16_t device_id)
{
    std::vector<Device> found;
    for (const auto& d : find_by_id(devices, vendor_id, device_id)) {
        if (d.is_pf())
            found.push_back(d);
    }
    return found;
}

const Device* find_by_address(const std::vector<Device>& devices, const Address& address)
{
    auto it =
        std::find_if(devices.begin(), devices.end(), [&](const Device& d) { return d.address == address; });
    return it == devices.end() ? nullptr : &*it;
}

std::vector<Device> vfs_of(const std::vector<Device>& devices, const Device& pf)
{
    std::vector<Device> found;
    if (!pf.sriov)
        return found;
    for (const auto& vf : pf.sriov->vfs) {
        if (const Device* d = find_by_address(devices, vf))
            found.push_back(*d);
    }
    return found;
}

}  // namespace sriov::pci
