// Descriptor processing (fact sheet section 4), as QEMU's igb does it for the subset libvf uses:
// advanced one-buffer RX descriptors and advanced TX data descriptors.
//
// DMA: the test attaches host memory at IOVAs (attach_dma), standing for the IOMMU mappings;
// descriptors and buffers outside them throw sriov::Error (a DMA fault the test should see).
// TX: a TDT write sends every descriptor from TDH to TDT inside the write (4.5); frames go to the
// list of the pool that owns the queue (queue mod 8), which take_tx() empties. Loopback through
// the VMDq switch is not modelled: a test moves frames itself (take_tx, then inject_rx).
// RX: inject_rx() delivers one frame to a pool's queue, as QEMU does after its filters chose the
// pool: padded to 60 bytes, 4 zero FCS bytes when RCTL.SECRC is 0, dropped unless the ring has
// enough free descriptors for the whole frame, descriptor written with DD last (4.2), then the
// queue's interrupt cause (IVAR) and ICR.RXDW raised as QEMU does. TX raises no interrupt here.
#include "model/device.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

#include <algorithm>
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

}  // namespace

void Device::attach_dma(std::uint64_t iova, void* host, std::size_t size)
{
    dma_.push_back({iova, static_cast<std::uint8_t*>(host), size});
}

std::uint8_t* Device::dma(std::uint64_t iova, std::size_t size)
{
    for (const DmaWindow& w : dma_)
        if (iova >= w.iova && iova - w.iova <= w.size && size <= w.size - (iova - w.iova))
            return w.host + (iova - w.iova);
    throw Error(Errc::invalid_argument, "82576 model DMA",
                fmt::format("{} bytes at IOVA {:#x} are not in any attached DMA memory", size, iova));
}

bool Device::vmdq() const
{
    return reg(MRQC) & 1;  // section 6: MRQC b0 selects the pool path
}

// 4.5: the queue runs only with TCTL.EN, TXDCTL.ENABLE and, in VMDq mode, its pool's VFTE bit.
void Device::process_tx(unsigned queue)
{
    const unsigned pool = queue % num_pools;
    if (!(reg(TCTL) & tctl::EN) || !(reg(TXDCTL(queue)) & xdctl::ENABLE))
        return;
    if (vmdq() && !(reg(VFTE) & (1u << pool)))
        return;
    const std::uint32_t count = reg(TDLEN(queue)) / desc_size;
    if (count == 0)
        return;
    const std::uint64_t base = std::uint64_t{reg(TDBAH(queue))} << 32 | reg(TDBAL(queue));
    std::vector<std::uint8_t> frame;
    std::uint32_t head = reg(TDH(queue));
    while (head != reg(TDT(queue)) && head < count) {
        std::uint8_t* d = dma(base + std::uint64_t{head} * desc_size, desc_size);
        const std::uint64_t addr = load64(d);
        const std::uint32_t cmd_type_len = load32(d + 8);
        const std::uint32_t length = cmd_type_len & tx_dtalen_mask;
        const std::uint8_t* data = dma(addr, length);
        frame.insert(frame.end(), data, data + length);
        if (cmd_type_len & tx_eop) {
            if (vmdq()) {
                ++reg(PVFGPTC(pool));
                reg(PVFGOTC(pool)) += static_cast<std::uint32_t>(frame.size());
            }
            tx_frames_[pool].push_back(std::move(frame));
            frame.clear();
        }
        if (cmd_type_len & tx_rs)
            store32(d + 12, load32(d + 12) | tx_sta_dd);  // write-back: DD OR-ed into dword 3, as QEMU does
        head = (head + 1) % count;
        reg(TDH(queue)) = head;
    }
}

std::vector<std::vector<std::uint8_t>> Device::take_tx(unsigned pool)
{
    return std::exchange(tx_frames_.at(pool), {});
}

// 2.2 and 4.2: dropped while RCTL.EN is 0 or the link is down, when the queue is off, when the
// pool is not enabled in VFRE (VMDq), and unless enough descriptors are free for the whole frame.
bool Device::inject_rx(unsigned pool, std::span<const std::uint8_t> frame)
{
    const unsigned queue = pool;  // RX for a pool goes to its first queue only (3.2)
    auto drop = [&] {
        ++rx_dropped_.at(pool);
        return false;
    };
    if (!(reg(RCTL) & rctl::EN) || !(reg(STATUS) & status::LU) || !(reg(RXDCTL(queue)) & xdctl::ENABLE))
        return drop();
    if (vmdq() && !(reg(VFRE) & (1u << pool)))
        return drop();

    std::vector<std::uint8_t> data(frame.begin(), frame.end());
    if (data.size() < min_frame)
        data.resize(min_frame, 0);
    if (!(reg(RCTL) & rctl::SECRC))
        data.resize(data.size() + fcs_size, 0);  // QEMU's stand-in for the FCS

    const std::uint32_t count = reg(RDLEN(queue)) / desc_size;
    const std::uint32_t head = reg(RDH(queue));
    const std::uint32_t tail = reg(RDT(queue));
    if (count == 0 || head == tail || tail >= count)
        return drop();
    std::uint32_t bufsize = (reg(SRRCTL(queue)) & srrctl::BSIZEPKT_MASK) * srrctl::BSIZEPKT_UNIT;
    if (bufsize == 0)
        bufsize = 2048;  // RCTL.BSIZE's reset meaning
    const std::uint32_t free = (tail + count - head) % count;
    const std::size_t needed = (data.size() + bufsize - 1) / bufsize;
    if (needed > free)
        return drop();

    const std::uint64_t base = std::uint64_t{reg(RDBAH(queue))} << 32 | reg(RDBAL(queue));
    std::uint32_t h = head;
    for (std::size_t done = 0; done < data.size();) {
        std::uint8_t* d = dma(base + std::uint64_t{h} * desc_size, desc_size);
        const std::uint64_t addr = load64(d);
        const std::size_t chunk = std::min<std::size_t>(bufsize, data.size() - done);
        if (addr != 0)  // 4.2: no data for a zero address, but the descriptor is consumed
            std::memcpy(dma(addr, chunk), data.data() + done, chunk);
        done += chunk;
        // Write-back: everything with DD clear, then the status dword with DD (4.2).
        std::memset(d, 0, desc_size);
        store32(d + 12, static_cast<std::uint32_t>(chunk));  // PKT_LEN b15:0, VLAN 0
        store32(d + 8, rx_dd | (done == data.size() ? rx_eop : 0));
        h = (h + 1) % count;
    }
    reg(RDH(queue)) = h;
    raise_rx_queue(queue);
    if (vmdq()) {
        ++reg(PVFGPRC(pool));
        reg(PVFGORC(pool))
            += static_cast<std::uint32_t>(data.size() + (reg(RCTL) & rctl::SECRC ? fcs_size : 0));
    }
    return true;
}

}  // namespace sriov::model::detail
