// TX queue 0 of a VF: its descriptor ring, the buffers the device still reads, and the send burst.
//
// Set-up (start) follows Linux igbvf's igbvf_configure_tx (sections 3.1, 4.3): queue disabled,
// ring base and length, head and tail 0, queue enabled and waited for.
//
// Every descriptor carries RS, so the device writes DD back into each one: reclaiming is then a
// walk over consecutive DDs with no bookkeeping of which descriptor reports for which, and the
// buffers return to the pool as early as possible. (An RS every Nth descriptor would save
// write-backs on real hardware; QEMU writes each back synchronously in the TDT write anyway.)
#pragma once

#include "dev/register_io.hpp"
#include "sriov/vf/packet_buffer.hpp"
#include "sriov/vf/queue_stats.hpp"
#include "vf/buffer_pool.hpp"
#include "vf/data_path.hpp"
#include "vf/descriptors.hpp"
#include "vf/dma_region.hpp"
#include "vf/doorbell.hpp"
#include "vf/mmio_count.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sriov::vf {

class TxQueue {
public:
    // ring: DMA memory for `size` descriptors (a power of two, see valid_ring_size; 128-byte
    // aligned). Sent buffers go back to `pool`. Throws sriov::Error(invalid_argument, subject = name).
    TxQueue(dev::RegisterIo& regs, Doorbell tail, const DmaRegion& ring, std::uint32_t size, BufferPool& pool,
            std::string name);
    TxQueue(const TxQueue&) = delete;
    TxQueue& operator=(const TxQueue&) = delete;

    // Programs and enables the queue. Call after the VF's reset handshake. Buffers still in the
    // ring from an earlier start go back to the pool. Throws sriov::Error(timeout, subject = name)
    // when TXDCTL.ENABLE does not read back within enable_timeout.
    void start(std::chrono::milliseconds enable_timeout);

    // Queues up to n frames (one buffer each, length 1..buffer capacity, from this queue's pool)
    // and writes TDT once; returns how many were taken, in order. The queue owns those buffers
    // and frees them once the device is done; the caller keeps the rest (counted as ring_full).
    std::uint32_t burst(PacketBuffer** bufs, std::uint32_t n);

    // Gives the buffers of completed descriptors back to the pool; returns how many. burst() calls
    // it; call it when idle to get buffers back sooner.
    std::uint32_t reclaim();

    // The implementation burst() and reclaim() run (data_path.hpp): best_data_path() when the
    // queue is built. set_data_path switches it between bursts; it throws
    // sriov::Error(invalid_argument) for a path this build or CPU cannot run.
    DataPath data_path() const { return path_; }
    void set_data_path(DataPath path);

    // Turns the queue off (TXDCTL 0): the device fetches no further descriptor.
    void disable();
    // Gives every buffer still in the ring back to the pool, sent or not, and empties the ring;
    // returns how many were not reclaimed as sent. start() does this first.
    std::uint32_t give_back();

    const TxStats& stats() const { return stats_; }
#ifdef SRIOV_COUNT_MMIO
    // Register accesses of this queue's data path (mmio_count.hpp).
    const MmioStats& mmio() const { return mmio_; }
#endif
    std::uint32_t size() const { return mask_ + 1; }
    // Descriptors written and not yet reclaimed.
    std::uint32_t in_flight() const { return (tail_index_ - clean_) & mask_; }

private:
    // burst() and reclaim() with or without the groups of four (tx_burst_sse41.cpp).
    template <bool Groups>
    std::uint32_t burst_with(PacketBuffer** bufs, std::uint32_t n);
    template <bool Groups>
    std::uint32_t reclaim_with();

    QueueRegisters regs_;  // the device (counted with SRIOV_COUNT_MMIO)
    Doorbell tail_;
    DmaRegion ring_memory_;
    TxDesc* ring_;
    std::uint32_t mask_;
    BufferPool& pool_;
    std::vector<PacketBuffer*> slots_;  // the buffer each descriptor sends
    std::uint32_t tail_index_ = 0;      // the next descriptor to write (TDT)
    std::uint32_t clean_ = 0;           // the oldest descriptor not yet reclaimed
    DataPath path_ = best_data_path();
    TxStats stats_;
#ifdef SRIOV_COUNT_MMIO
    MmioStats mmio_;
#endif
    std::string name_;
};

}  // namespace sriov::vf
