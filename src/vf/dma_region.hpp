// A view of memory the device reaches by DMA: where the CPU sees it and where the device does.
// Rings and the buffer pool work on views, so that unit tests can give them ordinary memory that
// the register model reaches through its attach_dma(), and libvf gives them vfio::DmaMemory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sriov::vf {

struct DmaRegion {
    void* virt = nullptr;
    std::uint64_t iova = 0;
    std::size_t size = 0;

    std::uint8_t* bytes() const { return static_cast<std::uint8_t*>(virt); }
};

}  // namespace sriov::vf
