#include "vfio/container.hpp"

#include "sriov/error.hpp"
#include "vfio/group.hpp"

#include <fcntl.h>
#include <linux/vfio.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>
#include <fmt/format.h>

namespace sriov::vfio {

namespace {

constexpr const char* container_path = "/dev/vfio/vfio";
// Start handing out IOVAs above the first 1 MiB; nothing needs low addresses.
constexpr std::uint64_t first_iova = 0x100000;

std::string group_path(int number) { return fmt::format("/dev/vfio/{}", number); }

// Who may open /dev/vfio/N, in words: "owner root:kvm, mode 0660".
std::string describe_mode(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return "cannot stat it";
    return fmt::format("owner uid {} gid {}, mode {:04o}", st.st_uid, st.st_gid, st.st_mode & 07777);
}

// For a non-viable group: the first device in it bound to a driver other than vfio-pci.
std::string non_vfio_member(int number, const pci::Sysfs& sysfs)
{
    try {
        const auto dir = sysfs.iommu_groups_dir() / std::to_string(number) / "devices";
        for (const auto& member : sysfs.list(dir)) {
            auto driver = sysfs.link_name(dir / member / "driver");
            if (driver && *driver != "vfio-pci")
                return fmt::format("{} (bound to {})", member, *driver);
        }
    } catch (const Error&) {
        // Only an explanation is lost; the caller still reports the group as not viable.
    }
    return "a device not bound to vfio-pci";
}

}  // namespace

std::shared_ptr<Container> Container::open()
{
    UniqueFd fd(::open(container_path, O_RDWR | O_CLOEXEC));
    if (!fd) {
        int err = errno;
        if (err == ENOENT)
            throw Error(Errc::not_found, container_path, "missing: the vfio module is not loaded (modprobe vfio-pci)");
        if (err == EACCES)
            throw Error(Errc::permission, container_path, "no permission to open it (run as root)");
        throw system_error(container_path, "open", err);
    }
    int version = ::ioctl(fd.get(), VFIO_GET_API_VERSION);
    if (version != VFIO_API_VERSION)
        throw Error(Errc::unsupported, container_path,
                    fmt::format("kernel VFIO API version {} differs from the expected {}", version, VFIO_API_VERSION));
    if (::ioctl(fd.get(), VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
        throw Error(Errc::unsupported, container_path,
                    "the kernel offers no type1v2 IOMMU (is vfio_iommu_type1 loaded?)");
    return std::shared_ptr<Container>(new Container(std::move(fd)));
}

Container::Container(UniqueFd fd) : fd_(std::move(fd)) {}

std::shared_ptr<Group> Container::attach_group(int number, const pci::Sysfs& sysfs,
                                               std::chrono::milliseconds busy_wait)
{
    std::erase_if(groups_, [](const auto& g) { return g.expired(); });
    for (const auto& weak : groups_) {
        auto g = weak.lock();
        if (g && g->number() == number)
            return g;
    }

    const std::string path = group_path(number);
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd && errno == EBUSY && busy_wait.count() > 0) {
        spdlog::warn("{}: open in another process; waiting up to {} ms for it to let go (a sriovd that "
                     "was killed and is still exiting?)",
                     path, busy_wait.count());
        const auto deadline = std::chrono::steady_clock::now() + busy_wait;
        const auto start = std::chrono::steady_clock::now();
        do {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            fd = UniqueFd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
        } while (!fd && errno == EBUSY && std::chrono::steady_clock::now() < deadline);
        if (fd)
            spdlog::info("{}: released after {} ms", path,
                         std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
                             .count());
    }
    if (!fd) {
        int err = errno;
        if (err == ENOENT)
            throw Error(Errc::not_found, path,
                        "missing: bind the group's devices to vfio-pci first (and boot with intel_iommu=on)");
        if (err == EACCES || err == EPERM)
            throw Error(Errc::permission, path,
                        fmt::format("no permission to open it ({}); run as root or join the group that owns it",
                                    describe_mode(path)));
        if (err == EBUSY)
            throw Error(Errc::busy, path, "already open in another process (is sriovd or another VFIO user running?)");
        throw system_error(path, "open", err);
    }

    vfio_group_status status{};
    status.argsz = sizeof status;
    if (::ioctl(fd.get(), VFIO_GROUP_GET_STATUS, &status) != 0)
        throw system_error(path, "VFIO_GROUP_GET_STATUS", errno);
    if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
        throw Error(Errc::not_viable, path,
                    fmt::format("IOMMU group {} is not viable: {} must be bound to vfio-pci or unbound", number,
                                non_vfio_member(number, sysfs)));

    int container_fd = fd_.get();
    if (::ioctl(fd.get(), VFIO_GROUP_SET_CONTAINER, &container_fd) != 0)
        throw system_error(path, "VFIO_GROUP_SET_CONTAINER", errno);
    // The first group decides the IOMMU type; later ones join the same address space.
    if (!iommu_set_)
        set_iommu_type();

    auto group = std::make_shared<Group>(number, std::move(fd), shared_from_this());
    groups_.push_back(group);
    spdlog::debug("vfio: attached group {}", number);
    return group;
}

void Container::set_iommu_type()
{
    if (::ioctl(fd_.get(), VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) != 0)
        throw system_error(container_path, "VFIO_SET_IOMMU(type1v2)", errno);
    iommu_set_ = true;
    read_iova_ranges();
}

// Reads the IOVA ranges the IOMMU accepts (the MSI window and reserved regions are holes).
// Kernels without the capability accept the whole 48-bit space minus nothing we know of.
void Container::read_iova_ranges()
{
    std::vector<std::uint8_t> buf(sizeof(vfio_iommu_type1_info));
    auto* info = reinterpret_cast<vfio_iommu_type1_info*>(buf.data());
    info->argsz = static_cast<std::uint32_t>(buf.size());
    if (::ioctl(fd_.get(), VFIO_IOMMU_GET_INFO, info) != 0)
        throw system_error(container_path, "VFIO_IOMMU_GET_INFO", errno);
    if (info->argsz > buf.size()) {
        buf.resize(info->argsz);
        info = reinterpret_cast<vfio_iommu_type1_info*>(buf.data());
        if (::ioctl(fd_.get(), VFIO_IOMMU_GET_INFO, info) != 0)
            throw system_error(container_path, "VFIO_IOMMU_GET_INFO", errno);
    }
    iova_ranges_.clear();
    if (info->flags & VFIO_IOMMU_INFO_CAPS) {
        std::uint32_t off = info->cap_offset;
        while (off != 0 && off + sizeof(vfio_info_cap_header) <= buf.size()) {
            auto* hdr = reinterpret_cast<vfio_info_cap_header*>(buf.data() + off);
            if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
                auto* cap = reinterpret_cast<vfio_iommu_type1_info_cap_iova_range*>(hdr);
                for (std::uint32_t i = 0; i < cap->nr_iovas; ++i)
                    iova_ranges_.push_back({cap->iova_ranges[i].start, cap->iova_ranges[i].end});
            }
            off = hdr->next;
        }
    }
    if (iova_ranges_.empty())
        iova_ranges_.push_back({0, (std::uint64_t{1} << 39) - 1});
    next_iova_ = first_iova;
}

std::uint64_t Container::reserve_iova(std::size_t size, std::size_t align)
{
    if (!iommu_set_)
        throw Error(Errc::unsupported, container_path, "no IOMMU group attached yet, so no IOVA space");
    for (const auto& r : iova_ranges_) {
        std::uint64_t start = std::max(next_iova_, r.start);
        start = (start + align - 1) & ~(std::uint64_t{align} - 1);
        if (start + size - 1 <= r.last && start + size > start) {
            next_iova_ = start + size;
            return start;
        }
    }
    throw Error(Errc::unsupported, container_path, fmt::format("no free IOVA range of {} bytes left", size));
}

std::uint64_t Container::reserve_iova_at(std::uint64_t iova, std::size_t size)
{
    if (!iommu_set_)
        throw Error(Errc::unsupported, container_path, "no IOMMU group attached yet, so no IOVA space");
    const bool fits = iova >= next_iova_ && iova + size > iova &&
                      std::any_of(iova_ranges_.begin(), iova_ranges_.end(),
                                  [&](const IovaRange& r) { return iova >= r.start && iova + size - 1 <= r.last; });
    if (!fits)
        throw Error(Errc::unsupported, container_path,
                    fmt::format("the IOVA range {:#x}+{:#x} is not free in this container", iova, size));
    next_iova_ = iova + size;
    return iova;
}

void Container::map_dma(const void* vaddr, std::uint64_t iova, std::size_t size)
{
    vfio_iommu_type1_dma_map map{};
    map.argsz = sizeof map;
    map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    map.vaddr = reinterpret_cast<std::uintptr_t>(vaddr);
    map.iova = iova;
    map.size = size;
    if (::ioctl(fd_.get(), VFIO_IOMMU_MAP_DMA, &map) != 0) {
        int err = errno;
        if (err == ENOMEM)
            throw Error(Errc::memlock, container_path,
                        fmt::format("pinning {} bytes of DMA memory was refused: RLIMIT_MEMLOCK is too small "
                                    "(raise it with 'ulimit -l' or LimitMEMLOCK= in the systemd unit)",
                                    size));
        throw system_error(container_path, fmt::format("VFIO_IOMMU_MAP_DMA of {} bytes at IOVA {:#x}", size, iova),
                           err);
    }
}

void Container::unmap_dma(std::uint64_t iova, std::size_t size) noexcept
{
    vfio_iommu_type1_dma_unmap unmap{};
    unmap.argsz = sizeof unmap;
    unmap.iova = iova;
    unmap.size = size;
    if (::ioctl(fd_.get(), VFIO_IOMMU_UNMAP_DMA, &unmap) != 0)
        spdlog::warn("vfio: unmapping IOVA {:#x} ({} bytes) failed: errno {}", iova, size, errno);
}

}  // namespace sriov::vfio
