#include "fake_sysfs.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace sriov::test {
namespace fs = std::filesystem;

TempDir::TempDir()
{
    std::string pattern = (fs::temp_directory_path() / "sriov-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::system_error(errno, std::generic_category(), "mkdtemp");
    path_ = pattern;
}

TempDir::~TempDir()
{
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void write_file(const fs::path& path, std::string_view content)
{
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void make_link(const fs::path& target, const fs::path& link)
{
    fs::create_directories(link.parent_path());
    std::error_code ec;
    fs::remove(link, ec);
    fs::create_symlink(target, link);
}

void ConfigSpace::put8(std::size_t offset, std::uint8_t value) { bytes_.at(offset) = value; }

void ConfigSpace::put16(std::size_t offset, std::uint16_t value)
{
    put8(offset, static_cast<std::uint8_t>(value & 0xff));
    put8(offset + 1, static_cast<std::uint8_t>(value >> 8));
}

void ConfigSpace::put32(std::size_t offset, std::uint32_t value)
{
    put16(offset, static_cast<std::uint16_t>(value & 0xffff));
    put16(offset + 2, static_cast<std::uint16_t>(value >> 16));
}

ConfigSpace plain_config(std::uint16_t vendor, std::uint16_t device, std::uint32_t class_code)
{
    ConfigSpace c;
    c.put16(0x00, vendor);
    c.put16(0x02, device);
    c.put8(0x09, static_cast<std::uint8_t>(class_code & 0xff));         // programming interface
    c.put8(0x0a, static_cast<std::uint8_t>((class_code >> 8) & 0xff));  // subclass
    c.put8(0x0b, static_cast<std::uint8_t>(class_code >> 16));          // base class
    c.put8(0x0e, 0x00);                                                 // header type 0
    return c;
}

ConfigSpace igb_pf_config(const SriovCapFields& f)
{
    ConfigSpace c = plain_config(0x8086, 0x10c9, 0x020000);
    c.put16(0x06, 0x0010);  // Status: Capabilities List
    c.put8(0x34, 0x40);     // Capabilities Pointer

    // Traditional capabilities: byte 0 id, byte 1 next.
    c.put8(0x40, 0x01);  // Power Management
    c.put8(0x41, 0x50);
    c.put8(0x50, 0x05);  // MSI
    c.put8(0x51, 0x70);
    c.put8(0x70, 0x11);  // MSI-X
    c.put8(0x71, 0xa0);
    c.put8(0xa0, 0x10);  // PCI Express
    c.put8(0xa1, 0x00);
    c.put16(0xa2, 0x0002);  // PCIe capability version 2, endpoint

    // Extended capabilities: bits 15:0 id, 19:16 version, 31:20 next.
    auto ext_header = [](std::uint32_t id, std::uint32_t version, std::uint32_t next) {
        return id | version << 16 | next << 20;
    };
    c.put32(0x100, ext_header(0x0001, 1, 0x140));  // AER
    c.put32(0x140, ext_header(0x0003, 1, 0x150));  // Device Serial Number
    c.put32(0x150, ext_header(0x000e, 1, 0x160));  // ARI
    c.put32(0x160, ext_header(0x0010, 1, 0x000));  // SR-IOV, last in the list

    // SR-IOV registers, offsets from the PCIe Base Specification.
    c.put32(0x164, 0x00000000);                   // SR-IOV Capabilities
    c.put16(0x168, f.num_vfs ? 0x0001 : 0x0000);  // SR-IOV Control: VF Enable
    c.put16(0x16a, 0x0000);                       // SR-IOV Status
    c.put16(0x16c, f.initial_vfs);                // InitialVFs
    c.put16(0x16e, f.total_vfs);                  // TotalVFs
    c.put16(0x170, f.num_vfs);                    // NumVFs
    c.put8(0x172, 0x00);                          // Function Dependency Link
    c.put16(0x174, f.vf_offset);                  // First VF Offset
    c.put16(0x176, f.vf_stride);                  // VF Stride
    c.put16(0x17a, f.vf_device_id);               // VF Device ID
    c.put32(0x17c, 0x00000553);                   // Supported Page Sizes
    c.put32(0x180, 0x00000001);                   // System Page Size: 4 KiB
    return c;
}

FakeSysfs::FakeSysfs()
{
    fs::create_directories(root() / "bus/pci/devices");
    fs::create_directories(root() / "bus/pci/drivers");
    fs::create_directories(root() / "devices/pci0000:00");
    fs::create_directories(root() / "kernel/iommu_groups");
    write_file(drivers_probe(), "");
}

fs::path FakeSysfs::device_dir(std::string_view address) const
{
    return root() / "devices/pci0000:00" / address;
}

fs::path FakeSysfs::attribute(std::string_view address, std::string_view name) const
{
    return device_dir(address) / name;
}

fs::path FakeSysfs::drivers_probe() const { return root() / "bus/pci/drivers_probe"; }

void FakeSysfs::add_device(std::string_view address, std::uint16_t vendor, std::uint16_t device,
                           std::uint32_t class_code, std::optional<ConfigSpace> config)
{
    const fs::path dir = device_dir(address);
    fs::create_directories(dir);
    write_file(dir / "vendor", fmt::format("0x{:04x}\n", vendor));
    write_file(dir / "device", fmt::format("0x{:04x}\n", device));
    write_file(dir / "class", fmt::format("0x{:06x}\n", class_code));
    write_file(dir / "revision", "0x01\n");
    write_file(dir / "irq", "0\n");
    write_file(dir / "driver_override", "(null)\n");
    std::string resource;
    for (int i = 0; i < 13; ++i)
        resource += "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
    write_file(dir / "resource", resource);
    const ConfigSpace c = config.value_or(plain_config(vendor, device, class_code));
    const auto& bytes = c.bytes();
    write_file(dir / "config", std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    make_link(fs::path("../../../devices/pci0000:00") / address, root() / "bus/pci/devices" / address);
}

void FakeSysfs::add_sriov_attributes(std::string_view pf, std::uint16_t total_vfs, std::uint16_t num_vfs,
                                     std::uint16_t offset, std::uint16_t stride, std::uint16_t vf_device)
{
    write_file(attribute(pf, "sriov_totalvfs"), fmt::format("{}\n", total_vfs));
    write_file(attribute(pf, "sriov_numvfs"), fmt::format("{}\n", num_vfs));
    write_file(attribute(pf, "sriov_offset"), fmt::format("{}\n", offset));
    write_file(attribute(pf, "sriov_stride"), fmt::format("{}\n", stride));
    write_file(attribute(pf, "sriov_vf_device"), fmt::format("{:x}\n", vf_device));
    write_file(attribute(pf, "sriov_drivers_autoprobe"), "1\n");
}

void FakeSysfs::add_vf(std::string_view pf, unsigned n, std::string_view vf, std::uint16_t vendor,
                       std::uint16_t device)
{
    // A VF's config space reads 0xffff for its vendor and device ids; the kernel fills in sysfs.
    ConfigSpace config = plain_config(0xffff, 0xffff, 0x020000);
    add_device(vf, vendor, device, 0x020000, config);
    make_link(fs::path("..") / vf, attribute(pf, fmt::format("virtfn{}", n)));
    make_link(fs::path("..") / pf, attribute(vf, "physfn"));
}

void FakeSysfs::add_driver(std::string_view name)
{
    const fs::path dir = root() / "bus/pci/drivers" / name;
    fs::create_directories(dir);
    write_file(dir / "bind", "");
    write_file(dir / "unbind", "");
}

void FakeSysfs::bind(std::string_view address, std::string_view driver)
{
    make_link(fs::path("../../../bus/pci/drivers") / driver, attribute(address, "driver"));
}

void FakeSysfs::set_iommu_group(std::string_view address, unsigned group)
{
    const fs::path group_dir = root() / "kernel/iommu_groups" / std::to_string(group);
    make_link(fs::path("../../../../devices/pci0000:00") / address, group_dir / "devices" / address);
    make_link(fs::path("../../../kernel/iommu_groups") / std::to_string(group),
              attribute(address, "iommu_group"));
}

void FakeSysfs::set_module_parameter(std::string_view module, std::string_view parameter,
                                     std::string_view value)
{
    write_file(root() / "module" / module / "parameters" / parameter, fmt::format("{}\n", value));
}

void FakeSysfs::make_fifo(std::string_view address, std::string_view name)
{
    const fs::path path = attribute(address, name);
    std::error_code ec;
    fs::remove(path, ec);
    if (::mkfifo(path.c_str(), 0600) != 0)
        throw std::system_error(errno, std::generic_category(), "mkfifo " + path.string());
}

namespace {
const std::string stop_word = "<stop fifo responder>";
}

FifoResponder::FifoResponder(fs::path path, std::function<void(const std::string&)> handler)
    : path_(std::move(path)), handler_(std::move(handler))
{
    std::error_code ec;
    fs::remove(path_, ec);
    if (::mkfifo(path_.c_str(), 0600) != 0)
        throw std::system_error(errno, std::generic_category(), "mkfifo " + path_.string());
    thread_ = std::thread([this] { serve(); });
}

FifoResponder::~FifoResponder()
{
    // The thread waits in open() for a writer; give it one that says stop.
    int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        [[maybe_unused]] auto n = ::write(fd, stop_word.data(), stop_word.size());
        ::close(fd);
    }
    thread_.join();
    std::error_code ec;
    fs::remove(path_, ec);
}

std::vector<std::string> FifoResponder::writes() const
{
    std::lock_guard lock(mutex_);
    return writes_;
}

std::vector<std::string>
FifoResponder::wait_for_writes(const std::function<bool(const std::vector<std::string>&)>& done,
                               std::chrono::milliseconds bound) const
{
    std::unique_lock lock(mutex_);
    written_.wait_for(lock, bound, [&] { return done(writes_); });
    return writes_;
}

// Each writer's session (open, write, close) is one write. The next read descriptor is opened
// before the last one is closed: a FIFO throws its buffered data away when its last reader closes
// it, so a writer that opened it between our end of file and our close (the reader still held it
// open, so its open did not wait) would otherwise lose what it wrote.
void FifoResponder::serve()
{
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);  // waits for the first writer
    while (fd >= 0) {
        std::string text;
        char buffer[256];
        ssize_t n;
        while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
            text.append(buffer, static_cast<std::size_t>(n));
        const int next = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        ::close(fd);
        fd = next;
        // The destructor's stop word may arrive in the same session as a last write.
        const bool stop = text.ends_with(stop_word);
        if (stop)
            text.resize(text.size() - stop_word.size());
        if (!text.empty()) {
            {
                std::lock_guard lock(mutex_);
                writes_.push_back(text);
            }
            written_.notify_all();
            handler_(text);
        }
        if (stop || fd < 0)
            break;
        // Until the next writer has written (or opened and closed); then read it to its end.
        pollfd p{fd, POLLIN, 0};
        while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
        }
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
    if (fd >= 0)
        ::close(fd);
}

void FakeProc::add_process(pid_t pid, std::string_view comm)
{
    const fs::path dir = root() / std::to_string(pid);
    write_file(dir / "comm", fmt::format("{}\n", comm));
    fs::create_directories(dir / "fd");
    fs::create_directories(dir / "fdinfo");
    write_file(dir / "maps", "");
}

void FakeProc::add_fd(pid_t pid, int fd, std::string_view target, std::string_view fdinfo_extra)
{
    const fs::path dir = root() / std::to_string(pid);
    make_link(fs::path(target), dir / "fd" / std::to_string(fd));
    write_file(dir / "fdinfo" / std::to_string(fd),
               fmt::format("pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\n{}", fdinfo_extra));
}

void FakeProc::set_maps(pid_t pid, std::string_view maps)
{
    write_file(root() / std::to_string(pid) / "maps", maps);
}

}  // namespace sriov::test
