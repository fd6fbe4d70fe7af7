// Memory that a device reads and writes by DMA, in two parts that can live apart:
//   HostMemory  the pages: allocated, zeroed, pinned on demand, freed on destruction;
//   DmaMapping  those pages mapped at an IOVA through one container's IOMMU, unmapped on
//               destruction.
// A DmaMemory is the two together, for memory that lives and dies with one device. libvf's
// failover port keeps its packet buffers in a HostMemory that outlives the VF: each time the VF is
// opened again (in a new container) the same pages are mapped at the same IOVA, so buffers the
// application holds stay valid on both paths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace sriov::vfio {

class Container;

class HostMemory {
public:
    // At least `size` bytes, zeroed, on 2 MiB hugepages when the system has free ones and the size
    // is worth it, otherwise on 4 KiB pages. Throws sriov::Error: invalid_argument (size 0), io
    // (out of memory).
    static HostMemory allocate(std::size_t size);
    HostMemory() = default;  // none yet

    HostMemory(HostMemory&& other) noexcept;
    HostMemory& operator=(HostMemory&& other) noexcept;
    HostMemory(const HostMemory&) = delete;
    HostMemory& operator=(const HostMemory&) = delete;
    ~HostMemory();

    void* virt() const { return virt_; }
    std::size_t size() const { return size_; }
    bool on_hugepages() const { return huge_; }
    std::size_t page_size() const;

private:
    void release() noexcept;

    void* virt_ = nullptr;
    std::size_t size_ = 0;
    bool huge_ = false;
};

class DmaMapping {
public:
    // Maps all of `memory` for DMA in `container`: at `iova` when given (it must lie in the IOMMU's
    // ranges above every IOVA handed out so far), else at a fresh IOVA. `memory` must outlive the
    // mapping. Throws sriov::Error: memlock (pinning refused: names RLIMIT_MEMLOCK), unsupported
    // (no such IOVA range), io.
    DmaMapping(std::shared_ptr<Container> container, const HostMemory& memory,
               std::optional<std::uint64_t> iova = std::nullopt);
    DmaMapping(DmaMapping&& other) noexcept;
    DmaMapping& operator=(DmaMapping&& other) noexcept;
    DmaMapping(const DmaMapping&) = delete;
    DmaMapping& operator=(const DmaMapping&) = delete;
    ~DmaMapping();

    std::uint64_t iova() const { return iova_; }
    std::size_t size() const { return size_; }

private:
    void release() noexcept;

    std::shared_ptr<Container> container_;
    std::uint64_t iova_ = 0;
    std::size_t size_ = 0;
};

class DmaMemory {
public:
    // HostMemory::allocate(size) mapped at a fresh IOVA of `container`. Throws as those do.
    static DmaMemory allocate(const std::shared_ptr<Container>& container, std::size_t size);

    void* virt() const { return memory_.virt(); }
    std::uint64_t iova() const { return mapping_.iova(); }
    std::size_t size() const { return memory_.size(); }
    bool on_hugepages() const { return memory_.on_hugepages(); }

    // The IOVA of the byte at `offset`.
    std::uint64_t iova_at(std::size_t offset) const { return iova() + offset; }

private:
    DmaMemory(HostMemory memory, DmaMapping mapping) : memory_(std::move(memory)), mapping_(std::move(mapping)) {}

    // Declared in this order so that the mapping goes first: the device must not reach pages
    // that are freed.
    HostMemory memory_;
    DmaMapping mapping_;
};

}  // namespace sriov::vfio
