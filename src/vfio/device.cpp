#include "vfio/device.hpp"

#include "sriov/error.hpp"
#include "vfio/container.hpp"
#include "vfio/group.hpp"

#include <linux/vfio.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <fmt/format.h>

namespace sriov::vfio {

namespace {

// Explains why opening a device fd failed, using what sysfs says about the device. The kernel
// answers EACCES both for a missing and for a wrong VF token. A token is needed whenever the PF is
// bound to vfio-pci, even while nobody holds the PF open (its token is then a random one).
Error open_failure(const std::string& name, bool is_vf, bool has_token, const Error& cause)
{
    if (cause.code() == Errc::permission && is_vf)
        return Error(Errc::vf_token, name,
                     has_token ? "the VF token was rejected: it differs from the one the PF's owner set"
                               : "a VF token is required: the PF is bound to vfio-pci (pass the token its owner set)");
    return Error(cause.code(), name, "opening the device through VFIO failed: " + cause.cause());
}

}  // namespace

int Device::check_openable(const pci::Address& address, const pci::Sysfs& sysfs)
{
    const std::string name = address.to_string();
    if (!sysfs.exists(sysfs.device_dir(address)))
        throw Error(Errc::not_found, name, "no such PCI device");
    const auto group_name = sysfs.link_name(sysfs.device_file(address, pci::attr::iommu_group));
    if (!group_name)
        throw Error(Errc::no_iommu, name,
                    "the device has no IOMMU group: the kernel runs without an IOMMU (boot with intel_iommu=on)");
    const auto driver = sysfs.link_name(sysfs.device_file(address, pci::attr::driver));
    if (driver != "vfio-pci")
        throw Error(Errc::busy, name,
                    driver ? fmt::format("bound to {}, not vfio-pci; bind it to vfio-pci first", *driver)
                           : "not bound to any driver; bind it to vfio-pci first");
    return std::stoi(*group_name);
}

Device Device::open(const std::shared_ptr<Container>& container, const pci::Address& address, const Options& options)
{
    const auto& sysfs = options.sysfs;
    const std::string name = address.to_string();
    const int group = check_openable(address, sysfs);

    Device d;
    d.address_ = address;
    d.name_ = name;
    d.group_ = container->attach_group(group, sysfs, options.busy_wait);
    const std::string vfio_name =
        options.vf_token ? fmt::format("{} vf_token={}", name, options.vf_token->to_string()) : name;
    try {
        d.fd_ = d.group_->open_device_fd(vfio_name);
    } catch (const Error& e) {
        const bool is_vf = sysfs.exists(sysfs.device_file(address, pci::attr::physfn));
        throw open_failure(name, is_vf, options.vf_token.has_value(), e);
    }

    vfio_device_info info{};
    info.argsz = sizeof info;
    if (::ioctl(d.fd_.get(), VFIO_DEVICE_GET_INFO, &info) != 0)
        throw system_error(name, "VFIO_DEVICE_GET_INFO", errno);
    if (!(info.flags & VFIO_DEVICE_FLAGS_PCI))
        throw Error(Errc::unsupported, name, "VFIO says this is not a PCI device");
    d.num_regions_ = info.num_regions;
    d.num_irqs_ = info.num_irqs;
    d.can_reset_ = (info.flags & VFIO_DEVICE_FLAGS_RESET) != 0;
    spdlog::debug("vfio: opened {} (group {}, {} regions, {} irq types)", name, group, d.num_regions_,
                  d.num_irqs_);
    return d;
}

Device::~Device() = default;

RegionInfo Device::region_info(PciRegion region) const
{
    const auto index = static_cast<unsigned>(region);
    if (index >= num_regions_)
        throw Error(Errc::invalid_argument, name_, fmt::format("has no region {}", index));
    vfio_region_info info{};
    info.argsz = sizeof info;
    info.index = index;
    if (::ioctl(fd_.get(), VFIO_DEVICE_GET_REGION_INFO, &info) != 0)
        throw system_error(name_, fmt::format("VFIO_DEVICE_GET_REGION_INFO({})", index), errno);
    return RegionInfo{index,
                      info.size,
                      info.offset,
                      (info.flags & VFIO_REGION_INFO_FLAG_READ) != 0,
                      (info.flags & VFIO_REGION_INFO_FLAG_WRITE) != 0,
                      (info.flags & VFIO_REGION_INFO_FLAG_MMAP) != 0};
}

IrqInfo Device::irq_info(PciIrq irq) const
{
    const auto index = static_cast<unsigned>(irq);
    if (index >= num_irqs_)
        throw Error(Errc::invalid_argument, name_, fmt::format("has no interrupt index {}", index));
    vfio_irq_info info{};
    info.argsz = sizeof info;
    info.index = index;
    if (::ioctl(fd_.get(), VFIO_DEVICE_GET_IRQ_INFO, &info) != 0)
        throw system_error(name_, fmt::format("VFIO_DEVICE_GET_IRQ_INFO({})", index), errno);
    return IrqInfo{index, info.count, (info.flags & VFIO_IRQ_INFO_EVENTFD) != 0,
                   (info.flags & VFIO_IRQ_INFO_MASKABLE) != 0};
}

MappedRegion Device::map(PciRegion bar) const
{
    const RegionInfo info = region_info(bar);
    const std::string what = fmt::format("{} BAR{}", name_, info.index);
    if (info.size == 0)
        throw Error(Errc::unsupported, what, "the BAR is not implemented");
    if (!info.mappable)
        throw Error(Errc::unsupported, what, "VFIO does not allow mapping this BAR");
    return MappedRegion(fd_.get(), info.offset, info.size, what);
}

void Device::read_config(std::uint32_t offset, void* data, std::size_t size) const
{
    const RegionInfo info = region_info(PciRegion::config);
    ssize_t n = ::pread(fd_.get(), data, size, static_cast<off_t>(info.offset + offset));
    if (n != static_cast<ssize_t>(size))
        throw system_error(name_, fmt::format("reading config space at {:#x}", offset), n < 0 ? errno : EIO);
}

void Device::write_config(std::uint32_t offset, const void* data, std::size_t size)
{
    const RegionInfo info = region_info(PciRegion::config);
    ssize_t n = ::pwrite(fd_.get(), data, size, static_cast<off_t>(info.offset + offset));
    if (n != static_cast<ssize_t>(size))
        throw system_error(name_, fmt::format("writing config space at {:#x}", offset), n < 0 ? errno : EIO);
}

std::uint16_t Device::config16(std::uint32_t offset) const
{
    std::uint16_t v = 0;
    read_config(offset, &v, sizeof v);
    return v;  // PCI configuration space is little-endian, like the host
}

std::uint32_t Device::config32(std::uint32_t offset) const
{
    std::uint32_t v = 0;
    read_config(offset, &v, sizeof v);
    return v;
}

void Device::set_config16(std::uint32_t offset, std::uint16_t value) { write_config(offset, &value, sizeof value); }

void Device::enable_bus_master()
{
    set_config16(pci_command, static_cast<std::uint16_t>(config16(pci_command) | pci_command_memory |
                                                         pci_command_master));
}

void Device::set_vf_token(const VfToken& token)
{
    alignas(vfio_device_feature) std::uint8_t buf[sizeof(vfio_device_feature) + sizeof(VfToken::Bytes)]{};
    auto* feature = reinterpret_cast<vfio_device_feature*>(buf);
    feature->argsz = sizeof buf;
    feature->flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
    std::copy(token.bytes().begin(), token.bytes().end(), feature->data);
    if (::ioctl(fd_.get(), VFIO_DEVICE_FEATURE, feature) != 0) {
        int err = errno;
        if (err == ENOTTY || err == EINVAL)
            throw Error(Errc::unsupported, name_,
                        "cannot set a VF token: not an SR-IOV PF, or vfio-pci was loaded without enable_sriov=1");
        throw system_error(name_, "setting the VF token", err);
    }
}

void Device::reset()
{
    if (::ioctl(fd_.get(), VFIO_DEVICE_RESET) != 0)
        throw system_error(name_, "VFIO_DEVICE_RESET", errno);
}

}  // namespace sriov::vfio
