// Per-queue counters of libvf, kept by the data path itself (no register reads).
#pragma once

#include <cstdint>

namespace sriov::vf {

struct RxStats {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;      // frame bytes handed to the application
    std::uint64_t no_buffer = 0;  // frames dropped because the pool had no fresh buffer to post
    std::uint64_t errors = 0;     // frames dropped because they spanned buffers or had an error bit
};

struct TxStats {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    std::uint64_t ring_full = 0;  // frames tx_burst could not take because the ring was full
};

}  // namespace sriov::vf
