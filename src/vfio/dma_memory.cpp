#include "vfio/dma_memory.hpp"

#include "sriov/error.hpp"
#include "vfio/container.hpp"

#include <linux/mman.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>

#include <cerrno>
#include <utility>

namespace sriov::vfio {

namespace {

constexpr std::size_t small_page = 4096;
constexpr std::size_t huge_page = 2 * 1024 * 1024;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

HostMemory HostMemory::allocate(std::size_t size)
{
    if (size == 0)
        throw Error(Errc::invalid_argument, "DMA memory", "cannot allocate 0 bytes");
    HostMemory m;
    // Shared mappings: a fork (e.g. a helper process) must never copy-on-write a page the device
    // writes into. Hugepages keep the IOMMU's page tables small; fall back silently when none are reserved.
    if (size >= huge_page / 2) {
        const std::size_t len = round_up(size, huge_page);
        void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB | MAP_POPULATE, -1, 0);
        if (p != MAP_FAILED) {
            m.virt_ = p;
            m.size_ = len;
            m.huge_ = true;
        }
    }
    if (!m.virt_) {
        const std::size_t len = round_up(size, small_page);
        void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED)
            throw system_error("DMA memory", "allocating " + std::to_string(len) + " bytes", errno);
        m.virt_ = p;
        m.size_ = len;
    }
    // A forked helper (see pci::BackgroundWrite) never needs the device's memory: keep it out.
    ::madvise(m.virt_, m.size_, MADV_DONTFORK);
    return m;
}

HostMemory::HostMemory(HostMemory&& other) noexcept
    : virt_(std::exchange(other.virt_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      huge_(std::exchange(other.huge_, false))
{
}

HostMemory& HostMemory::operator=(HostMemory&& other) noexcept
{
    if (this != &other) {
        release();
        virt_ = std::exchange(other.virt_, nullptr);
        size_ = std::exchange(other.size_, 0);
        huge_ = std::exchange(other.huge_, false);
    }
    return *this;
}

HostMemory::~HostMemory() { release(); }

std::size_t HostMemory::page_size() const { return huge_ ? huge_page : small_page; }

void HostMemory::release() noexcept
{
    if (virt_)
        ::munmap(virt_, size_);
    virt_ = nullptr;
}

DmaMapping::DmaMapping(std::shared_ptr<Container> container, const HostMemory& memory,
                       std::optional<std::uint64_t> iova)
    : container_(std::move(container)), size_(memory.size())
{
    iova_ = iova ? container_->reserve_iova_at(*iova, size_)
                 : container_->reserve_iova(size_, memory.page_size());
    try {
        container_->map_dma(memory.virt(), iova_, size_);
    } catch (...) {
        container_.reset();
        throw;
    }
    spdlog::debug("vfio: DMA memory of {} bytes at IOVA {:#x}{}", size_, iova_,
                  memory.on_hugepages() ? " (hugepages)" : "");
}

DmaMapping::DmaMapping(DmaMapping&& other) noexcept
    : container_(std::move(other.container_)),
      iova_(std::exchange(other.iova_, 0)),
      size_(std::exchange(other.size_, 0))
{
}

DmaMapping& DmaMapping::operator=(DmaMapping&& other) noexcept
{
    if (this != &other) {
        release();
        container_ = std::move(other.container_);
        iova_ = std::exchange(other.iova_, 0);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

DmaMapping::~DmaMapping() { release(); }

void DmaMapping::release() noexcept
{
    if (container_)
        container_->unmap_dma(iova_, size_);  // the device must not touch the pages once they are freed
    container_.reset();
}

DmaMemory DmaMemory::allocate(const std::shared_ptr<Container>& container, std::size_t size)
{
    auto memory = HostMemory::allocate(size);
    DmaMapping mapping(container, memory);
    return DmaMemory(std::move(memory), std::move(mapping));
}

}  // namespace sriov::vfio
