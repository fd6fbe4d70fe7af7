// The four-at-a-time halves of the SSE4.1 data path (issue 17, data_path.hpp): each works through
// whole groups of four descriptors that neither wrap around the ring nor need the scalar step's
// special cases, and stops at the first group that does; RxQueue and TxQueue then take one
// descriptor with their scalar step and try again. The queues' state goes in and comes back by
// value, so that the scalar loops around these calls keep theirs in registers.
//
// Each is compiled for SSE4.1 alone (target attribute), so the library still runs on any x86-64;
// the queues call them only when CPUID reports SSE4.1.
#pragma once

#if defined(__x86_64__)
#define SRIOV_VF_HAVE_SSE41 1

#include "sriov/vf/packet_buffer.hpp"
#include "vf/buffer_pool.hpp"
#include "vf/descriptors.hpp"

#include <cstdint>

namespace sriov::vf {

struct RxGroups {
    std::uint32_t next;    // the descriptor after the last group taken
    std::uint32_t frames;  // received: a multiple of 4, each descriptor one whole good frame
    std::uint64_t bytes;
};

// Receives groups of four complete, whole, error-free frames from descriptor `next` on, at most
// n frames, into bufs, each slot posted again with a fresh buffer from `pool`. Never called while
// the queue discards the rest of an oversized frame.
__attribute__((target("sse4.1"))) RxGroups rx_groups_sse41(RxDesc* ring, PacketBuffer** slots, std::uint32_t mask,
                                                            std::uint32_t next, BufferPool& pool,
                                                            PacketBuffer** bufs, std::uint32_t n);

struct TxGroups {
    std::uint32_t tail;    // the next descriptor to write
    std::uint32_t frames;  // queued: a multiple of 4
    std::uint64_t bytes;
};

// Writes data descriptors for groups of four of bufs[0..n) from descriptor `tail` on (the caller
// has checked there is room for all n).
__attribute__((target("sse4.1"))) TxGroups tx_groups_sse41(TxDesc* ring, PacketBuffer** slots, std::uint32_t mask,
                                                            std::uint32_t tail, PacketBuffer* const* bufs,
                                                            std::uint32_t n);

}  // namespace sriov::vf

#endif
