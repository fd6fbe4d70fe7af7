// Descriptor processing (fact sheet section 4), as QEMU's igb does it for the subset libvf uses:
// advanced one-buffer RX descriptors and advanced TX data descriptors.
//
// DMA: the test attaches host memory at IOVAs (attach_dma), standing for the IOMMU mappings;
// descriptors and buffers outside them throw sriov::Error (a DMA fault the test should see).
// TX: a TDT write sends every descriptor from TDH to TDT inside the write (4.5); frames go to the
// list of the pool that owns the queue (queue mod 8), which take_tx() empties. With defer_tx (a
// thread plays the device) the TDT write only stores the tail, and complete_tx() sends, keeping no
// frame; fill_rx() delivers copies of one frame as inject_rx() would, with one interrupt cause. Loopback through
// the VMDq switch is not modelled: a test moves frames itself (take_tx, then inject_rx).
// RX: inject_rx() delivers one frame to a pool's queue, as QEMU does after its filters chose the
// pool: padded to 60 bytes, 4 zero FCS bytes when RCTL.SECRC is 0, dropped unless the ring has
// enough free descriptors for the whole frame, descriptor written with DD last (4.2), then the
// queue's interrupt cause (IVAR) and ICR.RXDW raised as QEMU does. TX raises no interrupt here.
#include "model/device.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <utility>

namespace sriov::model::detail {

using namespace e82576;

namespace {

constexpr std::uint32_t desc_size = 16;
constexpr std::size_t min_frame = 60;   // without FCS (4.2)
constexpr std::size_t fcs_size = 4;

// Advanced descriptor fields this model reads or writes (4.2, 4.3).
constexpr std::uint32_t tx_dtalen_mask = 0xFFFF;
constexpr std::uint32_t tx_eop = 1u << 24;
constexpr std::uint32_t tx_rs = 1u << 27;
constexpr std::uint32_t tx_sta_dd = 1u << 0;
constexpr std::uint32_t rx_dd = 1u << 0;
constexpr std::uint32_t rx_eop = 1u << 1;

std::uint64_t load64(const std::uint8_t* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::uint32_t load32(const std::uint8_t* p)
{
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

void store32(std::uint8_t* p, std::uint32_t v)
{
    std::memcpy(p, &v, sizeof v);
}

// The dword that hands a descriptor back (DD): every store before it is visible first to a driver
// on another thread that sees DD (device_thread mode; also right, if needless, in_access).
void store32_release(std::uint8_t* p, std::uint32_t v)
{
    std::atomic_ref<std::uint32_t>(*reinterpret_cast<std::uint32_t*>(p)).store(v, std::memory_order_release);
}

}  // namespace

void Device::attach_dma(std::uint64_t iova, void* host, std::size_t size)
{
    dma_.push_back({iova, static_cast<std::uint8_t*>(host), size});
}

// The host memory at [iova, iova + size), or nullptr when no window holds all of it. The window
// that answered last is tried first (a device thread asks for one buffer after another).
std::uint8_t* Device::find_dma(std::uint64_t iova, std::size_t size)
{
    auto inside = [&](const DmaWindow& w) {
        return w.host && iova >= w.iova && iova - w.iova <= w.size && size <= w.size - (iova - w.iova);
    };
    if (inside(last_dma_))
        return last_dma_.host + (iova - last_dma_.iova);
    for (const DmaWindow& w : dma_)
        if (inside(w)) {
            last_dma_ = w;
            return w.host + (iova - w.iova);
        }
    return nullptr;
}

namespace {

[[noreturn]] void dma_fault(std::uint64_t iova, std::size_t size)
{
    throw Error(Errc::invalid_argument, "82576 model DMA",
                fmt::format("{} bytes at IOVA {:#x} are not in any attached DMA memory", size, iova));
}

}  // namespace

std::uint8_t* Device::dma(std::uint64_t iova, std::size_t size)
{
    std::uint8_t* host = find_dma(iova, size);
    if (!host)
        dma_fault(iova, size);
    return host;
}

// Descriptor `index` of a ring at `base`: from `whole` (the ring's host memory, when one window
// holds all of it: one look-up per call) or else looked up alone, so that only a descriptor the
// device really reaches outside the attached memory faults.
std::uint8_t* Device::descriptor(std::uint8_t* whole, std::uint64_t base, std::uint32_t index)
{
    return whole ? whole + std::size_t{index} * desc_size : dma(base + std::uint64_t{index} * desc_size, desc_size);
}

bool Device::vmdq() const
{
    return reg(MRQC) & 1;  // section 6: MRQC b0 selects the pool path
}

// 4.5: the queue runs only with TCTL.EN, TXDCTL.ENABLE and, in VMDq mode, its pool's VFTE bit.
// Returns the descriptors completed; the frames go to take_tx()'s list when keep_frames.
std::uint32_t Device::process_tx(unsigned queue, bool keep_frames)
{
    const unsigned pool = queue % num_pools;
    if (!(reg(TCTL) & tctl::EN) || !(reg(TXDCTL(queue)) & xdctl::ENABLE))
        return 0;
    const bool pool_counters = vmdq();
    if (pool_counters && !(reg(VFTE) & (1u << pool)))
        return 0;
    const std::uint32_t count = reg(TDLEN(queue)) / desc_size;
    if (count == 0)
        return 0;
    const std::uint64_t base = std::uint64_t{reg(TDBAH(queue))} << 32 | reg(TDBAL(queue));
    std::uint8_t* const ring = find_dma(base, std::size_t{count} * desc_size);
    const std::uint32_t tail = reg(TDT(queue));
    std::vector<std::uint8_t> frame;
    std::uint32_t frame_bytes = 0;
    std::uint32_t completed = 0;
    std::uint32_t head = reg(TDH(queue));
    while (head != tail && head < count) {
        std::uint8_t* d = descriptor(ring, base, head);
        const std::uint64_t addr = load64(d);
        const std::uint32_t cmd_type_len = load32(d + 8);
        const std::uint32_t length = cmd_type_len & tx_dtalen_mask;
        const std::uint8_t* data = dma(addr, length);
        if (keep_frames)
            frame.insert(frame.end(), data, data + length);
        frame_bytes += length;
        if (cmd_type_len & tx_eop) {
            if (pool_counters) {
                ++reg(PVFGPTC(pool));
                reg(PVFGOTC(pool)) += frame_bytes;
            }
            if (keep_frames)
                tx_frames_[pool].push_back(std::move(frame));
            frame.clear();
            frame_bytes = 0;
        }
        if (cmd_type_len & tx_rs)  // write-back: DD OR-ed into dword 3, as QEMU does
            store32_release(d + 12, load32(d + 12) | tx_sta_dd);
        if (++head == count)
            head = 0;
        reg(TDH(queue)) = head;
        ++completed;
    }
    return completed;
}

std::vector<std::vector<std::uint8_t>> Device::take_tx(unsigned pool)
{
    return std::exchange(tx_frames_.at(pool), {});
}

// 2.2 and 4.2: nothing is received while RCTL.EN is 0 or the link is down, when the queue is off,
// or when the pool is not enabled in VFRE (VMDq).
bool Device::rx_open(unsigned pool) const
{
    const unsigned queue = pool;  // RX for a pool goes to its first queue only (3.2)
    if (!(reg(RCTL) & rctl::EN) || !(reg(STATUS) & status::LU) || !(reg(RXDCTL(queue)) & xdctl::ENABLE))
        return false;
    return !vmdq() || (reg(VFRE) & (1u << pool));
}

// The frame as the device stores it: padded to 60 bytes, plus 4 zero FCS bytes (QEMU's stand-in)
// when RCTL.SECRC is 0.
const std::vector<std::uint8_t>& Device::as_stored(std::span<const std::uint8_t> frame)
{
    rx_frame_.assign(frame.begin(), frame.end());
    if (rx_frame_.size() < min_frame)
        rx_frame_.resize(min_frame, 0);
    if (!(reg(RCTL) & rctl::SECRC))
        rx_frame_.resize(rx_frame_.size() + fcs_size, 0);
    return rx_frame_;
}

// Writes up to `copies` copies of one stored frame into the queue's posted descriptors from RDH,
// each only if enough are free for the whole frame, with the write-back of 4.2 and the pool's
// counters; returns how many it wrote.
std::uint32_t Device::receive(unsigned queue, std::span<const std::uint8_t> data, std::uint32_t copies)
{
    const std::uint32_t count = reg(RDLEN(queue)) / desc_size;
    std::uint32_t head = reg(RDH(queue));
    const std::uint32_t tail = reg(RDT(queue));
    if (count == 0 || head == tail || tail >= count)
        return 0;
    std::uint32_t bufsize = (reg(SRRCTL(queue)) & srrctl::BSIZEPKT_MASK) * srrctl::BSIZEPKT_UNIT;
    if (bufsize == 0)
        bufsize = 2048;  // RCTL.BSIZE's reset meaning
    std::uint32_t free = (tail + count - head) % count;
    const std::size_t needed = (data.size() + bufsize - 1) / bufsize;
    const std::uint64_t base = std::uint64_t{reg(RDBAH(queue))} << 32 | reg(RDBAL(queue));
    std::uint8_t* const ring = find_dma(base, std::size_t{count} * desc_size);
    const bool pool_counters = vmdq();
    std::uint32_t written = 0;
    for (; written < copies && needed <= free; ++written) {
        for (std::size_t done = 0; done < data.size();) {
            std::uint8_t* d = descriptor(ring, base, head);
            const std::uint64_t addr = load64(d);
            const std::size_t chunk = std::min<std::size_t>(bufsize, data.size() - done);
            if (addr != 0)  // 4.2: no data for a zero address, but the descriptor is consumed
                std::memcpy(dma(addr, chunk), data.data() + done, chunk);
            done += chunk;
            // Write-back: everything with DD clear, then the status dword with DD (4.2).
            std::memset(d, 0, desc_size);
            store32(d + 12, static_cast<std::uint32_t>(chunk));  // PKT_LEN b15:0, VLAN 0
            store32_release(d + 8, rx_dd | (done == data.size() ? rx_eop : 0));
            if (++head == count)
                head = 0;
        }
        free -= static_cast<std::uint32_t>(needed);
        reg(RDH(queue)) = head;
        if (pool_counters) {
            const unsigned pool = queue % num_pools;
            ++reg(PVFGPRC(pool));
            reg(PVFGORC(pool))
                += static_cast<std::uint32_t>(data.size() + (reg(RCTL) & rctl::SECRC ? fcs_size : 0));
        }
    }
    return written;
}

// Dropped (and counted) when rx_open or receive says no; else the queue's interrupt cause (IVAR)
// and ICR.RXDW, as QEMU raises them.
bool Device::inject_rx(unsigned pool, std::span<const std::uint8_t> frame)
{
    if (!rx_open(pool) || receive(pool, as_stored(frame), 1) == 0) {
        ++rx_dropped_.at(pool);
        return false;
    }
    raise_rx_queue(pool);
    return true;
}

std::uint32_t Device::fill_rx(unsigned pool, std::span<const std::uint8_t> frame, std::uint32_t max)
{
    if (!rx_open(pool))
        return 0;
    const std::uint32_t delivered = receive(pool, as_stored(frame), max);
    if (delivered)
        raise_rx_queue(pool);
    return delivered;
}

}  // namespace sriov::model::detail
