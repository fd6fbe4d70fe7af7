#include "vf/rx_queue.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vf/burst_sse41.hpp"
#include "vf/queue_enable.hpp"

#include <fmt/format.h>

#include <atomic>

namespace sriov::vf {

namespace e = e82576;

namespace {

// Linux igbvf's RXDCTL thresholds: prefetch 16, host 8, write-back 1.
constexpr std::uint32_t rxdctl_thresholds =
    16u << e::xdctl::PTHRESH_SHIFT | 8u << e::xdctl::HTHRESH_SHIFT | 1u << e::xdctl::WTHRESH_SHIFT;

// Gives descriptor `slot` to the device with buffer b, in read format (4.2).
inline void post_buffer(RxDesc* ring, PacketBuffer** slots, std::uint32_t slot, PacketBuffer* b)
{
    slots[slot] = b;
    ring[slot].read.pkt_addr = b->iova;
    ring[slot].read.hdr_addr = 0;  // also clears the write-back's status (DD) and length
}

}  // namespace

RxQueue::RxQueue(dev::RegisterIo& regs, Doorbell tail, const DmaRegion& ring, std::uint32_t size,
                 BufferPool& pool, std::string name)
    : regs_(regs), tail_(tail), ring_memory_(ring), ring_(static_cast<RxDesc*>(ring.virt)), mask_(size - 1),
      pool_(pool), slots_(size, nullptr), name_(std::move(name))
{
    if (!valid_ring_size(size))
        throw Error(Errc::invalid_argument, name_,
                    fmt::format("an RX ring of {} descriptors: need a power of two from {} to {}", size,
                                min_ring_size, max_ring_size));
    if (ring.size < std::size_t{size} * sizeof(RxDesc) || ring.iova % 128 != 0)
        throw Error(Errc::invalid_argument, name_,
                    "the RX ring's memory is too small or not 128-byte aligned");
    const std::uint32_t kib = pool.buffer_size() / e::srrctl::BSIZEPKT_UNIT;
    if (pool.buffer_size() % e::srrctl::BSIZEPKT_UNIT != 0 || kib == 0 || kib > e::srrctl::BSIZEPKT_MASK)
        throw Error(Errc::invalid_argument, name_,
                    fmt::format("RX buffers of {} bytes: SRRCTL needs a whole number of KiB, 1 to 127",
                                pool.buffer_size()));
}

void RxQueue::post(std::uint32_t slot, PacketBuffer* b)
{
    post_buffer(ring_, slots_.data(), slot, b);
}

void RxQueue::start(std::chrono::milliseconds enable_timeout)
{
    give_back();  // what a previous start posted
    if (pool_.available() < size())
        throw Error(
            Errc::invalid_argument, name_,
            fmt::format("the pool has {} free buffers; the RX ring needs {}", pool_.available(), size()));

    // igbvf_configure_rx: the queue is off while it is programmed.
    regs_.write32(e::VF_RXDCTL(0), 0);
    regs_.write32(e::VF_RDBAL(0), static_cast<std::uint32_t>(ring_memory_.iova));
    regs_.write32(e::VF_RDBAH(0), static_cast<std::uint32_t>(ring_memory_.iova >> 32));
    regs_.write32(e::VF_RDLEN(0), size() * static_cast<std::uint32_t>(sizeof(RxDesc)));
    regs_.write32(e::VF_RDH(0), 0);
    regs_.write32(e::VF_RDT(0), 0);
    // 4.1: one buffer per descriptor, advanced format, BSIZEPKT in KiB; DROP_EN as Linux sets it
    // with VFs, so that a VF without buffers does not hold up the others.
    regs_.write32(e::VF_SRRCTL(0), (pool_.buffer_size() / e::srrctl::BSIZEPKT_UNIT)
                                       | e::srrctl::DESCTYPE_ADV_ONEBUF | e::srrctl::DROP_EN);
    enable_queue(regs_, e::VF_RXDCTL(0), e::xdctl::ENABLE | rxdctl_thresholds, enable_timeout, name_,
                 "RXDCTL(0)");

    for (std::uint32_t slot = 0; slot < size(); ++slot)
        post(slot, pool_.alloc());
    next_ = 0;
    discarding_ = false;
    // The device may fill every slot but the one at RDT: RDH == RDT means "no free descriptor".
    tail_.ring(mask_);
}

void RxQueue::disable() { regs_.write32(e::VF_RXDCTL(0), 0); }

void RxQueue::give_back()
{
    for (PacketBuffer*& b : slots_) {
        if (b)
            pool_.free(b);
        b = nullptr;
    }
}

const PacketBuffer* RxQueue::peek()
{
    const RxDesc& d = ring_[next_];
    const volatile std::uint32_t& status_word = d.wb.status_error;
    const std::uint32_t status = status_word;
    if (!(status & rxd::STAT_DD) || !(status & rxd::STAT_EOP) || (status & rxd::ERR_RXE) || discarding_)
        return nullptr;
    std::atomic_thread_fence(std::memory_order_acquire);  // the rest of the write-back after DD
    const volatile std::uint16_t& length_word = d.wb.length;
    PacketBuffer* b = slots_[next_];
    b->length = length_word;
    return b;
}

bool RxQueue::pending() const
{
    const volatile std::uint32_t& status_word = ring_[next_].wb.status_error;
    return (status_word & rxd::STAT_DD) != 0;
}

void RxQueue::set_data_path(DataPath path)
{
    require_data_path(path, name_);
    path_ = path;
}

std::uint32_t RxQueue::burst(PacketBuffer** bufs, std::uint32_t n)
{
#if defined(SRIOV_VF_HAVE_SSE41)
    // Fewer than four frames make no group: the scalar loop alone, without the groups' calls.
    if (path_ == DataPath::sse41 && n >= 4)
        return burst_with<true>(bufs, n);
#endif
    return burst_with<false>(bufs, n);
}

// The loop works on local copies of the queue's state and counters, written back once: the
// compiler must otherwise assume that each store into the ring or a buffer may change them, and
// reload them every frame (tools/bench/bench_datapath.cpp counts the difference).
// With Groups, whole groups of four go through rx_groups_sse41 whenever at least four frames are
// still wanted and no oversized frame is being discarded; the scalar step takes what they leave.
template <bool Groups>
std::uint32_t RxQueue::burst_with(PacketBuffer** bufs, std::uint32_t n)
{
    SRIOV_MMIO_SCOPE(mmio_);  // counts register accesses (only with SRIOV_COUNT_MMIO)
    RxDesc* const ring = ring_;
    PacketBuffer** const slots = slots_.data();
    const std::uint32_t mask = mask_;
    std::uint32_t next = next_;
    bool discarding = discarding_;
    std::uint32_t received = 0;
    std::uint32_t completed = 0;
    std::uint64_t bytes = 0;
    while (received < n) {
#if defined(SRIOV_VF_HAVE_SSE41)
        if constexpr (Groups) {
            if (!discarding && n - received >= 4) {
                const RxGroups g = rx_groups_sse41(ring, slots, mask, next, pool_, bufs + received, n - received);
                next = g.next;
                received += g.frames;
                completed += g.frames;
                bytes += g.bytes;
                if (received == n)
                    break;
            }
        }
#endif
        RxDesc& d = ring[next];
        // The device writes the status dword (DD) last (4.2): read it first, through a volatile
        // access since the device, not this thread, changes it ...
        const volatile std::uint32_t& status_word = d.wb.status_error;
        const std::uint32_t status = status_word;
        if (!(status & rxd::STAT_DD))
            break;
        // ... and read the rest of the write-back only after DD was seen.
        std::atomic_thread_fence(std::memory_order_acquire);
        const volatile std::uint16_t& length_word = d.wb.length;
        const std::uint32_t length = length_word;
        PacketBuffer* filled = slots[next];

        PacketBuffer* fresh = nullptr;
        if (!(status & rxd::STAT_EOP)) {
            // A frame longer than one buffer: drop it whole, down to its last descriptor.
            if (!discarding)
                ++stats_.errors;
            discarding = true;
        } else if (discarding) {
            discarding = false;  // the last descriptor of a dropped frame
        } else if (status & rxd::ERR_RXE) {
            ++stats_.errors;
        } else if ((fresh = pool_.alloc()) == nullptr) {
            ++stats_.no_buffer;
        }

        if (fresh) {
            filled->length = length;
            bufs[received++] = filled;
            bytes += length;
            post_buffer(ring, slots, next, fresh);
        } else {
            post_buffer(ring, slots, next, filled);  // dropped: the same buffer goes back to the device
        }
        next = (next + 1) & mask;
        ++completed;
    }
    next_ = next;
    discarding_ = discarding;
    stats_.packets += received;
    stats_.bytes += bytes;
    // One doorbell per burst: the last slot handed back becomes the new RDT.
    if (completed)
        tail_.ring((next - 1) & mask);
    return received;
}

}  // namespace sriov::vf
