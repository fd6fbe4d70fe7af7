#include "vf/buffer_pool.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

namespace sriov::vf {

BufferPool::BufferPool(const DmaRegion& memory, std::uint32_t count, std::uint32_t buffer_size)
    : buffer_size_(buffer_size)
{
    if (count == 0 || buffer_size == 0 || buffer_size % 128 != 0)
        throw Error(Errc::invalid_argument, "buffer pool",
                    fmt::format("{} buffers of {} bytes: need at least one buffer and a size that is a "
                                "non-zero multiple of 128",
                                count, buffer_size));
    if (std::uint64_t{count} * buffer_size > memory.size)
        throw Error(Errc::invalid_argument, "buffer pool",
                    fmt::format("{} buffers of {} bytes do not fit in {} bytes of DMA memory", count,
                                buffer_size, memory.size));
    buffers_.resize(count);
    free_ = std::make_unique<PacketBuffer*[]>(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::size_t offset = std::size_t{i} * buffer_size;
        buffers_[i] = PacketBuffer{memory.bytes() + offset, memory.iova + offset, buffer_size, 0, i};
    }
    // The stack hands out buffer 0 first.
    for (std::uint32_t i = count; i-- > 0;)
        free_[free_count_++] = &buffers_[i];
}

}  // namespace sriov::vf
