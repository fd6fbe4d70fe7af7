// bench-datapath's stand-in for the plain sriov::vf::Vf's data path (issue 14's baseline).
//
// An application of a plain Vf calls Vf::rx_burst, tx_burst, alloc_buffer and free_buffer, which
// src/vf/libvf.cpp defines out of line as one forwarding call each (to the RxQueue, the TxQueue,
// the BufferPool, through pointers the Vf holds). A failover port's members are the same calls
// behind one branch. Comparing the port with the queues called directly would charge the port
// with the Vf's call layer as well as its own branch, so the port is compared with this class:
// the Vf's members, defined as libvf.cpp defines them, in a translation unit of their own
// (datapath_vf.cpp) and never inlined. A Vf itself cannot be opened on the register model (it
// needs VFIO and a PF to answer its mailbox), hence the stand-in. Keep it in step with libvf.cpp.
#pragma once

#include "vf/buffer_pool.hpp"
#include "vf/rx_queue.hpp"
#include "vf/tx_queue.hpp"

#include <cstdint>

namespace bench {

class PlainVf {
public:
    PlainVf(sriov::vf::RxQueue& rx, sriov::vf::TxQueue& tx, sriov::vf::BufferPool& pool)
        : rx_(&rx), tx_(&tx), pool_(&pool)
    {
    }

    std::uint32_t rx_burst(sriov::vf::PacketBuffer** bufs, std::uint32_t n);
    std::uint32_t tx_burst(sriov::vf::PacketBuffer** bufs, std::uint32_t n);
    sriov::vf::PacketBuffer* alloc_buffer();
    void free_buffer(sriov::vf::PacketBuffer* b);

private:
    sriov::vf::RxQueue* rx_;
    sriov::vf::TxQueue* tx_;
    sriov::vf::BufferPool* pool_;
};

}  // namespace bench
