// Memory that a device reads and writes by DMA: allocated, pinned and mapped at an IOVA through the
// container's IOMMU, unmapped and freed on destruction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace sriov::vfio {

class Container;

class DmaMemory {
public:
    // Allocates at least `size` bytes, zeroed, on 2 MiB hugepages when the system has free ones
    // and the size is worth it, otherwise on 4 KiB pages; maps them for DMA at a fresh IOVA.
    // Throws sriov::Error: memlock (pinning refused: names RLIMIT_MEMLOCK), io (out of memory).
    static DmaMemory allocate(const std::shared_ptr<Container>& container, std::size_t size);

    DmaMemory(DmaMemory&& other) noexcept;
    DmaMemory& operator=(DmaMemory&& other) noexcept;
    DmaMemory(const DmaMemory&) = delete;
    DmaMemory& operator=(const DmaMemory&) = delete;
    ~DmaMemory();

    void* virt() const { return virt_; }
    std::uint64_t iova() const { return iova_; }
    std::size_t size() const { return size_; }
    bool on_hugepages() const { return huge_; }

    // The IOVA of the byte at `offset`.
    std::uint64_t iova_at(std::size_t offset) const { return iova_ + offset; }

private:
    DmaMemory() = default;
    void release() noexcept;

    std::shared_ptr<Container> container_;
    void* virt_ = nullptr;
    std::uint64_t iova_ = 0;
    std::size_t size_ = 0;
    bool huge_ = false;
    bool mapped_ = false;
};

}  // namespace sriov::vfio
