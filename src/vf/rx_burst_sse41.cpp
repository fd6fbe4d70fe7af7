// RX four descriptors at a time (burst_sse41.hpp).
//
// A group is taken only when all four descriptors carry DD and EOP and none RXE, and the pool
// has four buffers to post in their place: then each of the four frames is what the scalar step
// would make of it, and the group needs no branch per frame. The four status dwords are read
// first, each through a volatile load (the device writes DD last, 4.2); lengths only after the
// acquire fence that follows. The fresh buffers are posted with one 128-bit store per descriptor,
// {pkt_addr = iova, hdr_addr = 0}, the upper half zero from the 64-bit load.
#include "vf/burst_sse41.hpp"

#if defined(SRIOV_VF_HAVE_SSE41)

#include <immintrin.h>

#include <atomic>

namespace sriov::vf {

namespace {

__attribute__((target("sse4.1"))) inline std::uint32_t status_of(const RxDesc& d)
{
    const volatile std::uint32_t& status = d.wb.status_error;
    return status;
}

__attribute__((target("sse4.1"))) inline std::uint32_t length_of(const RxDesc& d)
{
    const volatile std::uint16_t& length = d.wb.length;
    return length;
}

// The read format of a descriptor posting buffer b: {pkt_addr = b->iova, hdr_addr = 0}.
__attribute__((target("sse4.1"))) inline void post(RxDesc* d, const PacketBuffer* b)
{
    _mm_store_si128(reinterpret_cast<__m128i*>(d), _mm_loadl_epi64(reinterpret_cast<const __m128i*>(&b->iova)));
}

}  // namespace

__attribute__((target("sse4.1"))) RxGroups rx_groups_sse41(RxDesc* ring, PacketBuffer** slots, std::uint32_t mask,
                                                            std::uint32_t next, BufferPool& pool,
                                                            PacketBuffer** bufs, std::uint32_t n)
{
    constexpr std::uint32_t whole = rxd::STAT_DD | rxd::STAT_EOP;
    std::uint32_t done = 0;
    std::uint64_t bytes = 0;
    // next + 3 <= mask: the group does not wrap (the ring is a multiple of 8 descriptors).
    while (n - done >= 4 && next + 3 <= mask) {
        RxDesc* const d = ring + next;
        const std::uint32_t s0 = status_of(d[0]), s1 = status_of(d[1]), s2 = status_of(d[2]),
                            s3 = status_of(d[3]);
        if ((s0 & s1 & s2 & s3 & whole) != whole || ((s0 | s1 | s2 | s3) & rxd::ERR_RXE))
            break;
        PacketBuffer** const s = slots + next;
        PacketBuffer* const b0 = s[0];
        PacketBuffer* const b1 = s[1];
        PacketBuffer* const b2 = s[2];
        PacketBuffer* const b3 = s[3];
        if (!pool.alloc_bulk(s, 4))
            break;
        PacketBuffer* const f0 = s[0];
        PacketBuffer* const f1 = s[1];
        PacketBuffer* const f2 = s[2];
        PacketBuffer* const f3 = s[3];
        // The rest of the write-back only after DD was seen in all four.
        std::atomic_thread_fence(std::memory_order_acquire);
        const std::uint32_t l0 = length_of(d[0]), l1 = length_of(d[1]), l2 = length_of(d[2]),
                            l3 = length_of(d[3]);
        // The descriptors ahead, which the device writes back next.
        _mm_prefetch(reinterpret_cast<const char*>(d + 4), _MM_HINT_T0);
        b0->length = l0;
        b1->length = l1;
        b2->length = l2;
        b3->length = l3;
        bufs[done] = b0;
        bufs[done + 1] = b1;
        bufs[done + 2] = b2;
        bufs[done + 3] = b3;
        post(d, f0);
        post(d + 1, f1);
        post(d + 2, f2);
        post(d + 3, f3);
        bytes += l0 + l1 + l2 + l3;
        next = (next + 4) & mask;
        done += 4;
    }
    return {next, done, bytes};
}

}  // namespace sriov::vf

#endif
