// TX four descriptors at a time (burst_sse41.hpp).
//
// Writing: the four lengths go into one vector, from which one OR and one shift make the four
// cmd_type_len and olinfo_status dwords (as the scalar step makes them: advanced data, IFCS, EOP,
// RS, DTALEN; PAYLEN, DD clear); each descriptor is then one 128-bit store of {buffer_addr,
// cmd_type_len, olinfo_status}.
#include "vf/burst_sse41.hpp"

#if defined(SRIOV_VF_HAVE_SSE41)

#include <immintrin.h>

#include <cstring>

namespace sriov::vf {

namespace {

__attribute__((target("sse4.1"))) inline __m128i iova_of(const PacketBuffer* b)
{
    return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(&b->iova));
}

}  // namespace

__attribute__((target("sse4.1"))) TxGroups tx_groups_sse41(TxDesc* ring, PacketBuffer** slots, std::uint32_t mask,
                                                            std::uint32_t tail, PacketBuffer* const* bufs,
                                                            std::uint32_t n)
{
    const __m128i command = _mm_set1_epi32(static_cast<int>(txd::FRAME_COMMAND));
    const __m128i dtalen = _mm_set1_epi32(txd::DTALEN_MASK);
    // Bytes, per lane: at most 1024 lengths each (a ring has 4096 descriptors), which fit 32 bits
    // while each length fits the descriptor's 16-bit DTALEN.
    __m128i total = _mm_setzero_si128();
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

}  // namespace sriov::vf

#endif
