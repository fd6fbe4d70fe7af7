// Fake sysfs and /proc trees in a temporary directory, laid out the way Linux lays them out, for
// unit tests of the sysfs, discovery, binding and SR-IOV code.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sriov::test {

// A fresh directory under the system's temp dir, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Writes content to path (creating parent directories), replacing what was there.
void write_file(const std::filesystem::path& path, std::string_view content);
// The content of a file; empty if it does not exist.
std::string read_file(const std::filesystem::path& path);
// Creates (or replaces) a symbolic link at link pointing to target, creating parent directories.
void make_link(const std::filesystem::path& target, const std::filesystem::path& link);

// Config space built byte by byte, little endian, as the device would present it.
class ConfigSpace {
public:
    explicit ConfigSpace(std::size_t size = 4096) : bytes_(size, 0) {}
    void put8(std::size_t offset, std::uint8_t value);
    void put16(std::size_t offset, std::uint16_t value);
    void put32(std::size_t offset, std::uint32_t value);
    const std::vector<std::uint8_t>& bytes() const { return bytes_; }

private:
    std::vector<std::uint8_t> bytes_;
};

// The standard type 0 header: ids, class, header type; no capabilities.
ConfigSpace plain_config(std::uint16_t vendor, std::uint16_t device, std::uint32_t class_code);

// What the SR-IOV capability of a fake PF holds.
struct SriovCapFields {
    std::uint16_t initial_vfs = 8;
    std::uint16_t total_vfs = 8;
    std::uint16_t num_vfs = 0;
    std::uint16_t vf_offset = 0x80;  // the 82576 in QEMU: PF 00:02.0 -> VF 0 at 00:12.0
    std::uint16_t vf_stride = 2;
    std::uint16_t vf_device_id = 0x10ca;
};

// Config space shaped like an 82576 PF: PM, MSI, MSI-X and PCIe capabilities, then the extended
// capabilities AER (0x100), DSN (0x140), ARI (0x150) and SR-IOV (0x160) holding fields.
ConfigSpace igb_pf_config(const SriovCapFields& fields);

class FakeSysfs {
public:
    FakeSysfs();
    const std::filesystem::path& root() const { return dir_.path(); }

    // A device at <root>/devices/pci0000:00/<address>, linked from bus/pci/devices, with vendor,
    // device, class, config (plain_config unless given), driver_override "(null)" and resource.
    void add_device(std::string_view address, std::uint16_t vendor, std::uint16_t device,
                    std::uint32_t class_code, std::optional<ConfigSpace> config = std::nullopt);
    // The sriov_* attributes the kernel gives an SR-IOV PF (sriov_numvfs as a regular file).
    void add_sriov_attributes(std::string_view pf, std::uint16_t total_vfs, std::uint16_t num_vfs,
                              std::uint16_t offset, std::uint16_t stride, std::uint16_t vf_device);
    // A VF device plus the PF's virtfn<n> link and the VF's physfn link.
    void add_vf(std::string_view pf, unsigned n, std::string_view vf, std::uint16_t vendor = 0x8086,
                std::uint16_t device = 0x10ca);
    // A registered driver: bus/pci/drivers/<name> with bind and unbind files.
    void add_driver(std::string_view name);
    // Links the device's driver to bus/pci/drivers/<name> (which add_driver must have made).
    void bind(std::string_view address, std::string_view driver);
    // Puts the device in IOMMU group n (kernel/iommu_groups/<n> and the device's iommu_group link).
    void set_iommu_group(std::string_view address, unsigned group);
    // <root>/module/<module>/parameters/<parameter>
    void set_module_parameter(std::string_view module, std::string_view parameter, std::string_view value);
    // Replaces a device attribute with a FIFO nobody reads, so that opening it for writing blocks.
    void make_fifo(std::string_view address, std::string_view attribute);

    std::filesystem::path device_dir(std::string_view address) const;
    std::filesystem::path attribute(std::string_view address, std::string_view name) const;
    std::filesystem::path drivers_probe() const;

private:
    TempDir dir_;
};

// Plays the kernel's part for one sysfs attribute: replaces the file at path with a FIFO and runs
// handler(text) in a thread for what each writer writes between its open and close, as a store
// function would. Unlike the kernel the handler runs after the writer's write() returned, so code
// under test must look for the outcome with a bounded wait, and so must tests (wait_for_writes).
// Two writers in quick succession may be seen as one. Stops and removes the FIFO on destruction.
class FifoResponder {
public:
    FifoResponder(std::filesystem::path path, std::function<void(const std::string&)> handler);
    ~FifoResponder();
    FifoResponder(const FifoResponder&) = delete;
    FifoResponder& operator=(const FifoResponder&) = delete;

    // Every value written so far, in order.
    std::vector<std::string> writes() const;

    // Waits until done(writes()) holds or the bound passes, and returns writes() either way.
    std::vector<std::string> wait_for_writes(const std::function<bool(const std::vector<std::string>&)>& done,
                                             std::chrono::milliseconds bound) const;

private:
    void serve();

    std::filesystem::path path_;
    std::function<void(const std::string&)> handler_;
    mutable std::mutex mutex_;
    mutable std::condition_variable written_;
    std::vector<std::string> writes_;
    std::thread thread_;
};

class FakeProc {
public:
    FakeProc() = default;
    const std::filesystem::path& root() const { return dir_.path(); }

    // <root>/<pid>/comm and empty fd/ and fdinfo/ directories.
    void add_process(pid_t pid, std::string_view comm);
    // <root>/<pid>/fd/<fd> -> target, and <root>/<pid>/fdinfo/<fd> with the usual lines plus extra.
    void add_fd(pid_t pid, int fd, std::string_view target, std::string_view fdinfo_extra = "");
    // <root>/<pid>/maps
    void set_maps(pid_t pid, std::string_view maps);

private:
    TempDir dir_;
};

}  // namespace sriov::test
