// A packet buffer of libvf: fixed-size, in memory the device reaches by DMA, handed between the
// application and the rings without copying.
#pragma once

#include <cstdint>

namespace sriov::vf {

struct PacketBuffer {
    std::uint8_t* data = nullptr;  // the frame's first byte (the buffer's start)
    std::uint64_t iova = 0;        // where the device sees `data`
    std::uint32_t capacity = 0;    // bytes available at `data`
    std::uint32_t length = 0;      // bytes of frame: set by rx_burst, by the caller before tx_burst
    std::uint32_t index = 0;       // the buffer's number in its pool (for the pool's bookkeeping)
};

}  // namespace sriov::vf
