// Access to the kernel's sysfs: every sysfs path sriov-stack uses, and reading and writing attributes.
//
// The root ("/sys" by default) is a constructor parameter so that tests can point a Sysfs at a fake
// tree in a temporary directory. Errors name the file and the errno text, e.g.
// "/sys/bus/pci/devices/0000:00:02.0/sriov_numvfs: write \"4\": Device or resource busy".
#pragma once

#include "vfio/pci_address.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sriov::pci {

// Names of the per-device attributes, links and directories under /sys/bus/pci/devices/<address>/.
namespace attr {
inline constexpr std::string_view vendor = "vendor";                    // "0x8086"
inline constexpr std::string_view device = "device";                    // "0x10c9"
inline constexpr std::string_view class_code = "class";                 // "0x020000"
inline constexpr std::string_view config = "config";                    // raw config space
inline constexpr std::string_view driver = "driver";                    // link to the bound driver
inline constexpr std::string_view driver_override = "driver_override";  // "(null)" when unset
inline constexpr std::string_view iommu_group = "iommu_group";          // link to the IOMMU group
inline constexpr std::string_view physfn = "physfn";                    // on a VF: link to its PF
inline constexpr std::string_view vfio_dev = "vfio-dev";                // dir of VFIO cdev names
inline constexpr std::string_view sriov_totalvfs = "sriov_totalvfs";    // decimal
inline constexpr std::string_view sriov_numvfs = "sriov_numvfs";        // decimal; see sriov_control.hpp
inline constexpr std::string_view sriov_offset = "sriov_offset";        // decimal
inline constexpr std::string_view sriov_stride = "sriov_stride";        // decimal
inline constexpr std::string_view sriov_vf_device = "sriov_vf_device";  // hex without "0x", e.g. "10ca"
// "virtfn<n>" on a PF: link to VF n.
std::string virtfn(unsigned n);
}  // namespace attr

class Sysfs {
public:
    explicit Sysfs(std::filesystem::path root = "/sys");

    const std::filesystem::path& root() const noexcept { return root_; }

    // --- Paths. None of these touch the file system or throw (except std::bad_alloc). ---

    // <root>/bus/pci: what libpci calls its "sysfs.path".
    std::filesystem::path pci_bus_dir() const;
    // <root>/bus/pci/devices: one entry per PCI function.
    std::filesystem::path pci_devices_dir() const;
    // <root>/bus/pci/devices/<address>
    std::filesystem::path device_dir(const Address& address) const;
    // <root>/bus/pci/devices/<address>/<name>
    std::filesystem::path device_file(const Address& address, std::string_view name) const;
    // <root>/bus/pci/drivers/<driver>: exists only while that driver is registered (module loaded).
    std::filesystem::path driver_dir(std::string_view driver) const;
    // <root>/bus/pci/drivers/<driver>/unbind
    std::filesystem::path driver_unbind(std::string_view driver) const;
    // <root>/bus/pci/drivers_probe: writing an address makes the kernel probe drivers for it.
    std::filesystem::path drivers_probe() const;
    // <root>/module/<module>/parameters/<parameter>, e.g. ("vfio_pci", "enable_sriov").
    std::filesystem::path module_parameter(std::string_view module, std::string_view parameter) const;
    // <root>/kernel/iommu_groups
    std::filesystem::path iommu_groups_dir() const;

    // --- File access. ---

    // The whole content of a file with trailing white space (the kernel's newline) removed.
    // Throws sriov::Error (via system_error, subject = path): not_found if it does not exist,
    // permission if it may not be read, io for other read failures.
    std::string read(const std::filesystem::path& path) const;

    // Like read(), but returns nullopt if the file does not exist. Other failures throw as read().
    std::optional<std::string> read_if_exists(const std::filesystem::path& path) const;

    // A number written in hex, with or without "0x" (e.g. "0x10c9" or "10ca").
    // Throws as read(), and Errc::protocol if the content is not such a number.
    std::uint64_t read_hex(const std::filesystem::path& path) const;

    // A decimal number (e.g. "8"). Throws as read(), and Errc::protocol if it is not one.
    std::uint64_t read_decimal(const std::filesystem::path& path) const;

    // Writes value in a single write() call, as sysfs attributes expect (a store function sees
    // exactly one buffer). Throws sriov::Error (subject = path, cause names the value and errno):
    // not_found if the file does not exist, permission, busy (EBUSY), invalid_argument (EINVAL) or
    // io; a short write is io. Blocks as long as the kernel's store function does.
    void write(const std::filesystem::path& path, std::string_view value) const;

    // The target of a symbolic link as stored (often relative), or nullopt if path does not exist.
    // Throws sriov::Error (io) if path exists but is not a link or cannot be read.
    std::optional<std::filesystem::path> read_link(const std::filesystem::path& path) const;

    // The last component of a link's target, e.g. "vfio-pci" for a driver link or "7" for an
    // iommu_group link; nullopt if the link does not exist. Throws as read_link().
    std::optional<std::string> link_name(const std::filesystem::path& path) const;

    // Whether something (file, directory or link, even a dangling one) exists at path. Never throws.
    bool exists(const std::filesystem::path& path) const noexcept;

    // The names in a directory, sorted, without "." and "..".
    // Throws sriov::Error (via system_error, subject = path): not_found if it does not exist, etc.
    std::vector<std::string> list(const std::filesystem::path& dir) const;

private:
    std::filesystem::path root_;
};

}  // namespace sriov::pci
