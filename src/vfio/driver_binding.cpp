#include "vfio/driver_binding.hpp"

#include "sriov/error.hpp"

#include <thread>

namespace sriov::pci {
namespace {

// Runs a sysfs operation and makes its errors about the device: the subject becomes the address
// and the file goes into the cause, which keeps the errno text.
template <typename F>
auto about(const Address& address, F&& operation)
{
    try {
        return operation();
    } catch (const Error& e) {
        if (e.subject() == address.to_string())
            throw;
        throw Error(e.code(), address.to_string(), fmt::format("{}: {}", e.subject(), e.cause()));
    }
}

std::string describe(const std::optional<std::string>& driver)
{
    return driver ? *driver : std::string("no driver");
}

}  // namespace

DriverBinding::DriverBinding(Sysfs sysfs, std::chrono::milliseconds settle, std::chrono::milliseconds load_wait)
    : sysfs_(std::move(sysfs)), settle_(settle), load_wait_(load_wait)
{
}

bool DriverBinding::wait_for_registration(const std::string& driver) const
{
    const auto deadline = std::chrono::steady_clock::now() + load_wait_;
    while (!sysfs_.exists(sysfs_.driver_dir(driver))) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

void DriverBinding::require_device(const Address& address) const
{
    if (!sysfs_.exists(sysfs_.device_dir(address)))
        throw Error(Errc::not_found, address.to_string(),
                    fmt::format("no such PCI device (nothing at {})", sysfs_.device_dir(address).string()));
}

std::optional<std::string> DriverBinding::current_driver(const Address& address) const
{
    require_device(address);
    return about(address, [&] { return sysfs_.link_name(sysfs_.device_file(address, attr::driver)); });
}

std::optional<std::string> DriverBinding::driver_override(const Address& address) const
{
    require_device(address);
    auto text =
        about(address, [&] { return sysfs_.read(sysfs_.device_file(address, attr::driver_override)); });
    if (text.empty() || text == "(null)")
        return std::nullopt;
    return text;
}

std::optional<std::string> DriverBinding::wait_for_driver(const Address& address,
                                                          const std::optional<std::string>& wanted) const
{
    const auto deadline = std::chrono::steady_clock::now() + settle_;
    for (;;) {
        auto driver = current_driver(address);
        if (driver == wanted || std::chrono::steady_clock::now() >= deadline)
            return driver;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void DriverBinding::bind(const Address& address, std::string_view driver) const
{
    require_device(address);
    const std::string name(driver);
    if (!wait_for_registration(name))
        throw Error(Errc::not_found, address.to_string(),
                    fmt::format("driver {} is not loaded (modprobe {})", name, name));
    if (name == "vfio-pci" && !sysfs_.exists(sysfs_.device_file(address, attr::iommu_group)))
        throw Error(Errc::no_iommu, address.to_string(),
                    "the device has no IOMMU group, so vfio-pci cannot take it (enable the IOMMU: "
                    "intel_iommu=on or amd_iommu=on on the kernel command line)");

    const auto before = current_driver(address);
    about(address, [&] { sysfs_.write(sysfs_.device_file(address, attr::driver_override), name); });
    if (before == name)
        return;
    if (before)
        unbind(address);

    about(address, [&] { sysfs_.write(sysfs_.drivers_probe(), address.to_string()); });
    const auto after = wait_for_driver(address, name);
    if (after == name)
        return;
    if (!after)
        throw Error(
            Errc::unsupported, address.to_string(),
            fmt::format("{} did not take the device after drivers_probe (it is now bound to no driver); "
                        "the kernel log (dmesg) says why",
                        name));
    throw Error(Errc::busy, address.to_string(),
                fmt::format("drivers_probe bound the device to {} instead of {}", *after, name));
}

void DriverBinding::unbind(const Address& address) const
{
    const auto driver = current_driver(address);
    if (!driver)
        return;
    about(address, [&] { sysfs_.write(sysfs_.driver_unbind(*driver), address.to_string()); });
    if (auto still = wait_for_driver(address, std::nullopt))
        throw Error(Errc::busy, address.to_string(),
                    fmt::format("still bound to {} after writing to {}", describe(still),
                                sysfs_.driver_unbind(*driver).string()));
}

void DriverBinding::clear_driver_override(const Address& address) const
{
    require_device(address);
    // The kernel clears the override when the written value is empty after dropping one newline.
    about(address, [&] { sysfs_.write(sysfs_.device_file(address, attr::driver_override), "\n"); });
}

}  // namespace sriov::pci
