// RX queue 0 of a VF: its descriptor ring, the buffers posted in it, and the receive burst.
//
// Set-up (start) follows Linux igbvf's igbvf_configure_rx and the fact sheet (sections 3.1, 4.1,
// 4.2): queue disabled, ring base and length, head and tail 0, SRRCTL one-buffer advanced with
// 2 KiB buffers and DROP_EN, queue enabled and waited for, every slot filled, RDT written.
// The burst reads only DMA memory (DD in the write-back) and writes RDT once.
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

class RxQueue {
public:
    // ring: DMA memory for `size` descriptors (a power of two, see valid_ring_size; the region
    // 128-byte aligned). Buffers come from `pool`, whose buffer size must be a multiple of 1 KiB
    // (SRRCTL.BSIZEPKT counts KiB). Throws sriov::Error(invalid_argument, subject = name) otherwise.
    RxQueue(dev::RegisterIo& regs, Doorbell tail, const DmaRegion& ring, std::uint32_t size, BufferPool& pool,
            std::string name);
    RxQueue(const RxQueue&) = delete;
    RxQueue& operator=(const RxQueue&) = delete;

    // Programs and enables the queue, then posts a buffer in every slot but one. Call after the VF's
    // reset handshake (a VF reset disables its queues). Throws sriov::Error (subject = name):
    // timeout (RXDCTL.ENABLE did not read back within enable_timeout), io (the pool has fewer free
    // buffers than the ring has slots).
    void start(std::chrono::milliseconds enable_timeout);

    // Receives up to n frames into bufs; returns how many. Each buffer's length is the frame's
    // length; the caller owns it and gives it back with BufferPool::free (or sends it). A frame
    // is dropped, its buffer reposted, when the pool has no buffer to post in its place (counted
    // as no_buffer) or when it spans more than one buffer or carries an error (counted as errors).
    std::uint32_t burst(PacketBuffer** bufs, std::uint32_t n);

    // The implementation burst() runs (data_path.hpp): best_data_path() when the queue is built.
    // set_data_path switches it at any time between bursts; it throws sriov::Error(invalid_argument)
    // for a path this build or CPU cannot run.
    DataPath data_path() const { return path_; }
    void set_data_path(DataPath path);

    // Turns the queue off (RXDCTL 0): the device completes no further descriptor; what it has
    // completed stays for burst(). For a switch of paths (failover port) and before closing.
    void disable();
    // Gives every buffer posted in the ring back to the pool; start() posts afresh. Call after
    // disable() and the last burst().
    void give_back();

    // The frame the next burst would return first, its length set, without taking it; nullptr
    // when the next descriptor is not complete or is not a whole, good frame. Reads DMA memory only.
    const PacketBuffer* peek();

    // Whether the device has completed the next descriptor (a frame waits for burst). Reads DMA
    // memory only, like burst.
    bool pending() const;

    const RxStats& stats() const { return stats_; }
#ifdef SRIOV_COUNT_MMIO
    // Register accesses of this queue's data path (mmio_count.hpp).
    const MmioStats& mmio() const { return mmio_; }
#endif
    std::uint32_t size() const { return mask_ + 1; }

private:
    void post(std::uint32_t slot, PacketBuffer* b);
    // burst() with or without the groups of four (rx_burst_sse41.cpp) between scalar steps.
    template <bool Groups>
    std::uint32_t burst_with(PacketBuffer** bufs, std::uint32_t n);

    QueueRegisters regs_;  // the device (counted with SRIOV_COUNT_MMIO)
    Doorbell tail_;
    DmaRegion ring_memory_;
    RxDesc* ring_;
    std::uint32_t mask_;
    BufferPool& pool_;
    std::vector<PacketBuffer*> slots_;  // the buffer posted in each descriptor
    std::uint32_t next_ = 0;            // the next descriptor the device will complete
    bool discarding_ = false;           // inside a frame that spans buffers, until its EOP
    DataPath path_ = best_data_path();
    RxStats stats_;
#ifdef SRIOV_COUNT_MMIO
    MmioStats mmio_;
#endif
    std::string name_;
};

}  // namespace sriov::vf
