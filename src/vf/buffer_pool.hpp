// A pool of fixed-size packet buffers carved out of one DMA region, with a stack of free ones.
//
// Everything is allocated by the constructor; alloc() and free() only move pointers on the
// stack, so the data path can use them (no allocation, no lock: one pool belongs to one thread).
#pragma once

#include "sriov/vf/packet_buffer.hpp"
#include "vf/dma_region.hpp"

#include <cstdint>
#include <vector>

namespace sriov::vf {

class BufferPool {
public:
    // Divides `memory` into `count` buffers of `buffer_size` bytes (a multiple of 128, so every
    // buffer is 128-byte aligned when the region is). Throws sriov::Error(invalid_argument) when
    // the region is too small, the size is not such a multiple, or count is 0.
    BufferPool(const DmaRegion& memory, std::uint32_t count, std::uint32_t buffer_size);
    BufferPool(const BufferPool&) = delete;
    BufferPool& operator=(const BufferPool&) = delete;

    // A free buffer with length 0, or nullptr when all are in use.
    PacketBuffer* alloc()
    {
        if (free_.empty())
            return nullptr;
        PacketBuffer* b = free_.back();
        free_.pop_back();  // never reallocates: capacity was reserved for every buffer
        b->length = 0;
        return b;
    }
    // Returns a buffer of this pool. A buffer freed twice or from another pool is a bug; debug
    // builds assert on it.
    void free(PacketBuffer* b);

    std::uint32_t size() const { return static_cast<std::uint32_t>(buffers_.size()); }
    std::uint32_t available() const { return static_cast<std::uint32_t>(free_.size()); }
    std::uint32_t buffer_size() const { return buffer_size_; }
    bool owns(const PacketBuffer* b) const
    {
        return b >= buffers_.data() && b < buffers_.data() + buffers_.size();
    }

private:
    std::vector<PacketBuffer> buffers_;
    std::vector<PacketBuffer*> free_;
    std::uint32_t buffer_size_;
};

}  // namespace sriov::vf
