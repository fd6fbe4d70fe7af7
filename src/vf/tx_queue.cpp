#include "vf/tx_queue.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vf/burst_sse41.hpp"
#include "vf/queue_enable.hpp"

#include <fmt/format.h>

#include <atomic>

namespace sriov::vf {

namespace e = e82576;

namespace {

#if defined(SRIOV_VF_HAVE_SSE41)
// The SSE4.1 path's reclaim (which needs no SSE4.1 instruction, and is inline to save a call per
// burst): groups of four completed descriptors from `clean` on, short of `tail`, whose buffers go
// back to the pool with one copy; a group is taken when all four carry DD (each was sent with RS,
// so each is checked on its own, as in the scalar loop). Returns the new oldest unreclaimed one.
inline std::uint32_t reclaim_groups(const TxDesc* ring, PacketBuffer* const* slots, std::uint32_t mask,
                                    std::uint32_t clean, std::uint32_t tail, BufferPool& pool)
{
    auto status = [](const TxDesc& d) {
        const volatile std::uint32_t& s = d.olinfo_status;
        return s;
    };
    while (((tail - clean) & mask) >= 4 && clean + 3 <= mask) {
        const TxDesc* const d = ring + clean;
        if (!(status(d[0]) & status(d[1]) & status(d[2]) & status(d[3]) & txd::STA_DD))
            break;
        // The device has read the buffers before it wrote DD.
        std::atomic_thread_fence(std::memory_order_acquire);
        pool.free_bulk(slots + clean, 4);
        clean = (clean + 4) & mask;
    }
    return clean;
}
#endif

}  // namespace

TxQueue::TxQueue(dev::RegisterIo& regs, Doorbell tail, const DmaRegion& ring, std::uint32_t size,
                 BufferPool& pool, std::string name)
    : regs_(regs), tail_(tail), ring_memory_(ring), ring_(static_cast<TxDesc*>(ring.virt)), mask_(size - 1),
      pool_(pool), slots_(size, nullptr), name_(std::move(name))
{
    if (!valid_ring_size(size))
        throw Error(Errc::invalid_argument, name_,
                    fmt::format("a TX ring of {} descriptors: need a power of two from {} to {}", size,
                                min_ring_size, max_ring_size));
    if (ring.size < std::size_t{size} * sizeof(TxDesc) || ring.iova % 128 != 0)
        throw Error(Errc::invalid_argument, name_,
                    "the TX ring's memory is too small or not 128-byte aligned");
}

void TxQueue::start(std::chrono::milliseconds enable_timeout)
{
    give_back();

    // igbvf_configure_tx: the queue is off while it is programmed.
    regs_.write32(e::VF_TXDCTL(0), 0);
    regs_.write32(e::VF_TDBAL(0), static_cast<std::uint32_t>(ring_memory_.iova));
    regs_.write32(e::VF_TDBAH(0), static_cast<std::uint32_t>(ring_memory_.iova >> 32));
    regs_.write32(e::VF_TDLEN(0), size() * static_cast<std::uint32_t>(sizeof(TxDesc)));
    regs_.write32(e::VF_TDH(0), 0);
    regs_.write32(e::VF_TDT(0), 0);
    enable_queue(regs_, e::VF_TXDCTL(0), e::xdctl::ENABLE, enable_timeout, name_, "TXDCTL(0)");
}

void TxQueue::disable() { regs_.write32(e::VF_TXDCTL(0), 0); }

std::uint32_t TxQueue::give_back()
{
    reclaim();
    // The descriptors from clean_ to tail_index_ still hold their buffers (reclaim leaves a
    // reclaimed slot's pointer behind, unused).
    const std::uint32_t unsent = in_flight();
    for (std::uint32_t i = clean_; i != tail_index_; i = (i + 1) & mask_)
        pool_.free(slots_[i]);
    for (PacketBuffer*& b : slots_)
        b = nullptr;
    for (std::uint32_t i = 0; i < size(); ++i)
        ring_[i] = TxDesc{};
    tail_index_ = clean_ = 0;
    return unsent;
}

void TxQueue::set_data_path(DataPath path)
{
    require_data_path(path, name_);
    path_ = path;
}

std::uint32_t TxQueue::reclaim()
{
#if defined(SRIOV_VF_HAVE_SSE41)
    if (path_ == DataPath::sse41)
        return reclaim_with<true>();
#endif
    return reclaim_with<false>();
}

std::uint32_t TxQueue::burst(PacketBuffer** bufs, std::uint32_t n)
{
#if defined(SRIOV_VF_HAVE_SSE41)
    // Fewer than four frames make no group, and reclaim as the scalar loop does.
    if (path_ == DataPath::sse41 && n >= 4)
        return burst_with<true>(bufs, n);
#endif
    return burst_with<false>(bufs, n);
}

// Both loops work on local copies of the queue's state, written back once (see RxQueue::burst).
// With Groups, whole groups of four go through the SSE4.1 functions first, the scalar steps take
// the rest (and the descriptors at the ring's wrap, after which groups resume).
template <bool Groups>
std::uint32_t TxQueue::reclaim_with()
{
    SRIOV_MMIO_SCOPE(mmio_);  // counts register accesses (only with SRIOV_COUNT_MMIO)
    const TxDesc* const ring = ring_;
    PacketBuffer* const* const slots = slots_.data();
    const std::uint32_t mask = mask_;
    const std::uint32_t tail = tail_index_;
    std::uint32_t clean = clean_;
    std::uint32_t freed = 0;
#if defined(SRIOV_VF_HAVE_SSE41)
    if constexpr (Groups) {
        const std::uint32_t grouped = reclaim_groups(ring, slots, mask, clean, tail, pool_);
        freed = (grouped - clean) & mask;
        clean = grouped;
    }
#endif
    while (clean != tail) {
        const volatile std::uint32_t& status = ring[clean].olinfo_status;
        if (!(status & txd::STA_DD))
            break;
        // The device has read the buffer before it wrote DD.
        std::atomic_thread_fence(std::memory_order_acquire);
        pool_.free(slots[clean]);
        clean = (clean + 1) & mask;
        ++freed;
    }
    clean_ = clean;
    return freed;
}

template <bool Groups>
std::uint32_t TxQueue::burst_with(PacketBuffer** bufs, std::uint32_t n)
{
    SRIOV_MMIO_SCOPE(mmio_);  // counts register accesses (only with SRIOV_COUNT_MMIO)
    reclaim_with<Groups>();
    // One slot stays empty: TDH == TDT means "nothing to send".
    const std::uint32_t room = mask_ - in_flight();
    const std::uint32_t count = n < room ? n : room;
    TxDesc* const ring = ring_;
    PacketBuffer** const slots = slots_.data();
    const std::uint32_t mask = mask_;
    std::uint32_t tail = tail_index_;
    std::uint64_t bytes = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
#if defined(SRIOV_VF_HAVE_SSE41)
        if constexpr (Groups) {
            if (count - i >= 4) {
                const TxGroups g = tx_groups_sse41(ring, slots, mask, tail, bufs + i, count - i);
                tail = g.tail;
                i += g.frames;
                bytes += g.bytes;
                if (i == count)
                    break;
            }
        }
#endif
        PacketBuffer* b = bufs[i];
        const std::uint32_t length = b->length;
        TxDesc& d = ring[tail];
        d.buffer_addr = b->iova;
        d.cmd_type_len = txd::FRAME_COMMAND | (length & txd::DTALEN_MASK);
        d.olinfo_status = length << txd::PAYLEN_SHIFT;  // STA (DD) clear until the device is done
        slots[tail] = b;
        tail = (tail + 1) & mask;
        bytes += length;
    }
    tail_index_ = tail;
    stats_.packets += count;
    stats_.bytes += bytes;
    stats_.ring_full += n - count;
    if (count)
        tail_.ring(tail);  // release fence inside: the descriptors before the tail
    return count;
}

}  // namespace sriov::vf
