// A pool of fixed-size packet buffers carved out of one DMA region, with a stack of free ones.
//
// Everything is allocated by the constructor; alloc() and free() only move pointers on the
// stack, so the data path can use them (no allocation, no lock: one pool belongs to one thread).
// Both are inline and the stack is a plain array sized for every buffer, so that each costs a
// handful of instructions (tools/bench/bench_datapath.cpp counts them).
#pragma once

#include "sriov/vf/packet_buffer.hpp"
#include "vf/dma_region.hpp"

#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
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
        if (free_count_ == 0)
            return nullptr;
        PacketBuffer* b = free_[--free_count_];
        b->length = 0;
        return b;
    }
    // Returns a buffer of this pool. A buffer freed twice or from another pool is a bug; debug
    // builds assert on it (a double free shows as more frees than buffers).
    void free(PacketBuffer* b)
    {
        assert(owns(b));
        assert(free_count_ < size());
        free_[free_count_++] = b;
    }

    // The bulk forms for bursts (issue 17): one bounds check and one copy for n buffers.
    // alloc_bulk moves n free buffers to out[0..n), or none (false) when fewer are free. Unlike
    // alloc() it leaves their length as it was: RX posts them, and the device's write-back sets
    // the length of whatever they receive. They are the buffers n alloc() calls would return, in
    // the opposite order.
    bool alloc_bulk(PacketBuffer** out, std::uint32_t n)
    {
        if (free_count_ < n)
            return false;
        free_count_ -= n;
        std::memcpy(out, &free_[free_count_], n * sizeof(PacketBuffer*));
        return true;
    }
    // Returns n buffers of this pool at once, as n calls of free() in order would.
    void free_bulk(PacketBuffer* const* bufs, std::uint32_t n)
    {
        assert(free_count_ + n <= size());
        std::memcpy(&free_[free_count_], bufs, n * sizeof(PacketBuffer*));
        free_count_ += n;
    }

    std::uint32_t size() const { return static_cast<std::uint32_t>(buffers_.size()); }
    std::uint32_t available() const { return free_count_; }
    std::uint32_t buffer_size() const { return buffer_size_; }
    bool owns(const PacketBuffer* b) const
    {
        return b >= buffers_.data() && b < buffers_.data() + buffers_.size();
    }

private:
    std::vector<PacketBuffer> buffers_;
    std::unique_ptr<PacketBuffer*[]> free_;  // the stack of free buffers, room for all of them
    std::uint32_t free_count_ = 0;
    std::uint32_t buffer_size_;
};

}  // namespace sriov::vf
