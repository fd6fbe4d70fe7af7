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

DmaMemory DmaMemory::allocate(const std::shared_ptr<Container>& container, std::size_t size)
{
    if (size == 0)
        throw Error(Errc::invalid_argument, "DMA memory", "cannot allocate 0 bytes");
    DmaMemory m;
    m.container_ = container;

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
    m.iova_ = container->reserve_iova(m.size_, m.huge_ ? huge_page : small_page);
    container->map_dma(m.virt_, m.iova_, m.size_);  // on failure, ~DmaMemory frees the pages
    m.mapped_ = true;
    spdlog::debug("vfio: DMA memory of {} bytes at IOVA {:#x}{}", m.size_, m.iova_, m.huge_ ? " (hugepages)" : "");
    return m;
}

DmaMemory::DmaMemory(DmaMemory&& other) noexcept
    : container_(std::move(other.container_)),
      virt_(std::exchange(other.virt_, nullptr)),
      iova_(std::exchange(other.iova_, 0)),
      size_(std::exchange(other.size_, 0)),
      huge_(std::exchange(other.huge_, false)),
      mapped_(std::exchange(other.mapped_, false))
{
}

DmaMemory& DmaMemory::operator=(DmaMemory&& other) noexcept
{
    if (this != &other) {
        release();
        container_ = std::move(other.container_);
        virt_ = std::exchange(other.virt_, nullptr);
        iova_ = std::exchange(other.iova_, 0);
        size_ = std::exchange(other.size_, 0);
        huge_ = std::exchange(other.huge_, false);
        mapped_ = std::exchange(other.mapped_, false);
    }
    return *this;
}

DmaMemory::~DmaMemory() { release(); }

void DmaMemory::release() noexcept
{
    if (mapped_)
        container_->unmap_dma(iova_, size_);  // the device must not touch the pages once they are freed
    if (virt_)
        ::munmap(virt_, size_);
    virt_ = nullptr;
    mapped_ = false;
    container_.reset();
}

}  // namespace sriov::vfio
