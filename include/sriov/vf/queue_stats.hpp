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

#ifdef SRIOV_COUNT_MMIO
// Device register accesses libvf itself made on one queue's data path (rx_burst, or tx_burst and
// the TX reclaim), counted only by a libvf built with SRIOV_COUNT_MMIO (Vf::rx_mmio, tx_mmio).
// The set-up of queues is not counted. By design a burst that moves frames writes the doorbell
// (RDT or TDT) once and reads no register.
struct MmioStats {
    std::uint64_t reads = 0;            // register reads (should stay 0)
    std::uint64_t doorbell_writes = 0;  // RDT or TDT writes
    std::uint64_t other_writes = 0;     // any other register write (should stay 0)
};
#endif

}  // namespace sriov::vf
