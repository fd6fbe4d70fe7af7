// Which kernel driver owns a PCI device, and moving a device to another driver the way the kernel
// expects: driver_override, unbind, drivers_probe.
//
// vfio-pci sets driver_override of every VF it creates to "vfio-pci", so a VF of a vfio-pci PF comes
// back to vfio-pci on every probe until its driver_override is changed; bind() always writes it.
#pragma once

#include "vfio/pci_address.hpp"
#include "vfio/sysfs.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sriov::pci {

class DriverBinding {
public:
    // settle: how long bind() and unbind() wait for the driver link to show the outcome. The kernel
    // binds and unbinds synchronously inside the write, so the first look normally settles it; the
    // wait covers a driver that deferred its probe (EPROBE_DEFER), which the kernel retries later.
    // load_wait: how long bind() waits for a driver that is not registered yet. On a host with
    // udev a new device (a VF just created) makes udev load its driver's module, a moment after
    // the device appeared; sriovd itself may not load modules (its unit has ProtectKernelModules=).
    explicit DriverBinding(Sysfs sysfs = Sysfs(),
                           std::chrono::milliseconds settle = std::chrono::milliseconds(2000),
                           std::chrono::milliseconds load_wait = std::chrono::milliseconds(10000));

    // The name of the driver bound to the device, or nullopt if none.
    // Throws sriov::Error(subject = address): not_found if there is no such device; io if the
    // driver link cannot be read.
    std::optional<std::string> current_driver(const Address& address) const;

    // The device's driver_override, or nullopt if unset.
    // Throws sriov::Error(subject = address): not_found if there is no such device or the kernel
    // has no driver_override for it; permission or io if it cannot be read.
    std::optional<std::string> driver_override(const Address& address) const;

    // Binds the device to driver: writes driver_override, unbinds the current driver (if it is
    // another one), writes the address to drivers_probe, then checks the device's driver link.
    // Does nothing but write driver_override if the device is already bound to driver.
    // Throws sriov::Error(subject = address):
    //   not_found         no such device, or driver is still not registered after load_wait:
    //                     "driver vfio-pci is not loaded (modprobe vfio-pci)"; nothing was changed.
    //   no_iommu          driver is vfio-pci and the device has no IOMMU group; nothing was changed.
    //   unsupported       after drivers_probe no driver is bound: the driver refused the device.
    //   busy              after drivers_probe another driver is bound (driver_override was not
    //                     honoured), or the old driver did not let go.
    //   permission, io    a sysfs write failed (cause names the file and errno); not root, say.
    // On failure after driver_override was written, the device may be left unbound, with
    // driver_override naming driver.
    void bind(const Address& address, std::string_view driver) const;

    // Unbinds the device from its driver, if it has one; driver_override is left as it is (so a
    // later probe may bind it again to the same driver).
    // Throws sriov::Error(subject = address): not_found if there is no such device; busy if it is
    // still bound after the unbind write; permission or io if the write fails.
    void unbind(const Address& address) const;

    // Clears driver_override, so that the next probe matches drivers by device id again.
    // Throws sriov::Error(subject = address): not_found if there is no such device; permission or
    // io if the write fails.
    void clear_driver_override(const Address& address) const;

private:
    void require_device(const Address& address) const;
    // Whether driver is registered, or becomes so within load_wait (udev loading its module).
    bool wait_for_registration(const std::string& driver) const;
    std::optional<std::string> wait_for_driver(const Address& address,
                                               const std::optional<std::string>& wanted) const;

    Sysfs sysfs_;
    std::chrono::milliseconds settle_;
    std::chrono::milliseconds load_wait_;
};

}  // namespace sriov::pci
