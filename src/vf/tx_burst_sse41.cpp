// TX four descriptors at a time (burst_sse41.hpp).
//
// Writing: the four lengths go into one vector, from which one OR and one shift make the four
// cmd_type_len and olinfo_status dwords (as the scalar step makes them: advanced data, IFCS, EOP,
// RS, DTALEN; PAYLEN, DD clear); each descriptor is then one 128-bit store of {buffer_addr,
// cmd_type_len, olinfo_status}.
// Reclaiming: a group goes back to the pool when all four descriptors carry DD (each was sent
// with RS, as in the scalar path, so each is checked on its own), with one copy onto the pool's
// stack.
#include "vf/burst_sse41.hpp"

#if defined(SRIOV_VF_HAVE_SSE41)

#include <immintrin.h>

#include <atomic>
#include <cstring>

namespace sriov::vf {

namespace {

constexpr std::uint32_t tx_command = txd::DTYP_DATA | txd::CMD_DEXT | txd::CMD_IFCS | txd::CMD_EOP | txd::CMD_RS;

__attribute__((target("sse4.1"))) inline __m128i iova_of(const PacketBuffer* b)
{
    return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(&b->iova));
}

__attribute__((target("sse4.1"))) inline std::uint32_t status_of(const TxDesc& d)
{
    const volatile std::uint32_t& status = d.olinfo_status;
    return status;
}

}  // namespace

__attribute__((target("sse4.1"))) TxGroups tx_groups_sse41(TxDesc* ring, PacketBuffer** slots, std::uint32_t mask,
                                                            std::uint32_t tail, PacketBuffer* const* bufs,
                                                            std::uint32_t n)
{
    const __m128i command = _mm_set1_epi32(static_cast<int>(tx_command));
    const __m128i dtalen = _mm_set1_epi32(txd::DTALEN_MASK);
    __m128i total = _mm_setzero_si128();  // bytes, per lane (a burst's lengths fit 32 bits)
    std::uint32_t done = 0;
    while (n - done >= 4 && tail + 3 <= mask) {
        PacketBuffer* const b0 = bufs[done];
        PacketBuffer* const b1 = bufs[done + 1];
        PacketBuffer* const b2 = bufs[done + 2];
        PacketBuffer* const b3 = bufs[done + 3];
        __m128i length = _mm_cvtsi32_si128(static_cast<int>(b0->length));
        length = _mm_insert_epi32(length, static_cast<int>(b1->length), 1);
        length = _mm_insert_epi32(length, static_cast<int>(b2->length), 2);
        length = _mm_insert_epi32(length, static_cast<int>(b3->length), 3);
        const __m128i cmd_type_len = _mm_or_si128(_mm_and_si128(length, dtalen), command);
        const __m128i olinfo_status = _mm_slli_epi32(length, txd::PAYLEN_SHIFT);
        // {cmd_type_len, olinfo_status} of descriptors 0 and 1, then of 2 and 3.
        const __m128i upper01 = _mm_unpacklo_epi32(cmd_type_len, olinfo_status);
        const __m128i upper23 = _mm_unpackhi_epi32(cmd_type_len, olinfo_status);
        auto* const d = reinterpret_cast<__m128i*>(ring + tail);
        _mm_store_si128(d, _mm_unpacklo_epi64(iova_of(b0), upper01));
        _mm_store_si128(d + 1, _mm_blend_epi16(upper01, iova_of(b1), 0x0F));  // low 64 bits: the IOVA
        _mm_store_si128(d + 2, _mm_unpacklo_epi64(iova_of(b2), upper23));
        _mm_store_si128(d + 3, _mm_blend_epi16(upper23, iova_of(b3), 0x0F));
        std::memcpy(slots + tail, bufs + done, 4 * sizeof(PacketBuffer*));
        total = _mm_add_epi32(total, length);
        tail = (tail + 4) & mask;
        done += 4;
    }
    alignas(16) std::uint32_t lanes[4];
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes), total);
    return {tail, done, std::uint64_t{lanes[0]} + lanes[1] + lanes[2] + lanes[3]};
}

__attribute__((target("sse4.1"))) std::uint32_t tx_reclaim_groups_sse41(const TxDesc* ring, PacketBuffer** slots,
                                                                         std::uint32_t mask, std::uint32_t clean,
                                                                         std::uint32_t tail, BufferPool& pool)
{
    while (((tail - clean) & mask) >= 4 && clean + 3 <= mask) {
        const TxDesc* const d = ring + clean;
        if (!(status_of(d[0]) & status_of(d[1]) & status_of(d[2]) & status_of(d[3]) & txd::STA_DD))
            break;
        // The device has read the buffers before it wrote DD.
        std::atomic_thread_fence(std::memory_order_acquire);
        pool.free_bulk(slots + clean, 4);
        clean = (clean + 4) & mask;
    }
    return clean;
}

}  // namespace sriov::vf

#endif
