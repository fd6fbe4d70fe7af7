#include "vf/rx_queue.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vf/queue_enable.hpp"

#include <fmt/format.h>

#include <atomic>

namespace sriov::vf {

namespace e = e82576;

namespace {

// Linux igbvf's RXDCTL thresholds: prefetch 16, host 8, write-back 1.
constexpr std::uint32_t rxdctl_thresholds =
    16u << e::xdctl::PTHRESH_SHIFT | 8u << e::xdctl::HTHRESH_SHIFT | 1u << e::xdctl::WTHRESH_SHIFT;

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
    slots_[slot] = b;
    ring_[slot].read.pkt_addr = b->iova;
    ring_[slot].read.hdr_addr = 0;  // also clears the write-back's status (DD) and length
}

void RxQueue::start(std::chrono::milliseconds enable_timeout)
{
    // Give back what a previous start posted.
    for (PacketBuffer*& b : slots_) {
        if (b)
            pool_.free(b);
        b = nullptr;
    }
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

bool RxQueue::pending() const
{
    const volatile std::uint32_t& status_word = ring_[next_].wb.status_error;
    return (status_word & rxd::STAT_DD) != 0;
}

std::uint32_t RxQueue::burst(PacketBuffer** bufs, std::uint32_t n)
{
    std::uint32_t received = 0;
    std::uint32_t completed = 0;
    while (received < n) {
        RxDesc& d = ring_[next_];
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
        PacketBuffer* filled = slots_[next_];

        PacketBuffer* fresh = nullptr;
        if (!(status & rxd::STAT_EOP)) {
            // A frame longer than one buffer: drop it whole, down to its last descriptor.
            if (!discarding_)
                ++stats_.errors;
            discarding_ = true;
        } else if (discarding_) {
            discarding_ = false;  // the last descriptor of a dropped frame
        } else if (status & rxd::ERR_RXE) {
            ++stats_.errors;
        } else if ((fresh = pool_.alloc()) == nullptr) {
            ++stats_.no_buffer;
        }

        if (fresh) {
            filled->length = length;
            bufs[received++] = filled;
            ++stats_.packets;
            stats_.bytes += length;
            post(next_, fresh);
        } else {
            post(next_, filled);  // dropped: the same buffer goes back to the device
        }
        next_ = (next_ + 1) & mask_;
        ++completed;
    }
    // One doorbell per burst: the last slot handed back becomes the new RDT.
    if (completed)
        tail_.ring((next_ - 1) & mask_);
    return received;
}

}  // namespace sriov::vf
