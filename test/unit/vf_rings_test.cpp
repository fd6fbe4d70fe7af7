// libvf's rings and buffer pool through the 82576 register model: queue set-up, RX and TX bursts,
// pool exhaustion. Expected register and descriptor values are written out from the fact sheet
// (../shared/reference/igb-82576.md sections 3.1, 4.1-4.3), not read back from the code.
#include "model/e82576_model.hpp"
#include "model/register_spy.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vf/buffer_pool.hpp"
#include "vf/data_path.hpp"
#include "vf/rx_queue.hpp"
#include "vf/tx_queue.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_adapters.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

using namespace sriov;
using namespace sriov::e82576;
using namespace std::chrono_literals;
using sriov::model::E82576Model;
using sriov::vf::BufferPool;
using sriov::vf::DataPath;
using sriov::vf::DmaRegion;
using sriov::vf::Doorbell;
using sriov::vf::PacketBuffer;
using sriov::vf::RxQueue;
using sriov::vf::TxQueue;

namespace {

// Page-aligned test memory at a made-up IOVA, attached to the model as an IOMMU mapping would be.
class FakeDma {
public:
    FakeDma(E82576Model& model, std::uint64_t iova, std::size_t size) : storage_(size + 4096)
    {
        auto addr = reinterpret_cast<std::uintptr_t>(storage_.data());
        region_ = DmaRegion{storage_.data() + ((4096 - addr % 4096) % 4096), iova, size};
        model.attach_dma(iova, region_.virt, size);
    }
    const DmaRegion& region() const { return region_; }

private:
    std::vector<std::uint8_t> storage_;
    DmaRegion region_;
};

// A PF as sriovd leaves it for VF traffic: link up, RCTL.EN with SECRC, TCTL.EN (section 2.3).
// VMDq (MRQC) stays off, so VFRE/VFTE do not gate the queues here.
void pf_ready_for_traffic(E82576Model& m)
{
    m.set_num_vfs(2);
    m.pf().write32(MDIC.offset, mdic::PHY_ADDR << mdic::PHY_SHIFT | phy::BMCR << mdic::REG_SHIFT
                                    | mdic::OP_WRITE | phy::BMCR_ANENABLE | phy::BMCR_ANRESTART);
    m.pf().write32(RCTL.offset, rctl::EN | rctl::SECRC | rctl::BAM);
    m.pf().write32(TCTL.offset, tctl::EN | tctl::PSP);
}

struct Rig {
    static constexpr unsigned vf_index = 1;
    E82576Model model;
    FakeDma rx_ring_mem{model, 0x100000, 4096};
    FakeDma tx_ring_mem{model, 0x200000, 4096};
    FakeDma buffer_mem;
    BufferPool pool;
    RxQueue rx;
    TxQueue tx;

    Rig(std::uint32_t ring_size, std::uint32_t buffers, std::uint32_t buffer_size = 2048)
        : buffer_mem(model, 0x1000000, std::size_t{buffers} * buffer_size),
          pool(buffer_mem.region(), buffers, buffer_size),
          rx(model.vf(vf_index), Doorbell(model.vf(vf_index), VF_RDT(0)), rx_ring_mem.region(), ring_size,
             pool, "VF 1 RX"),
          tx(model.vf(vf_index), Doorbell(model.vf(vf_index), VF_TDT(0)), tx_ring_mem.region(), ring_size,
             pool, "VF 1 TX")
    {
        pf_ready_for_traffic(model);
        // Every test of a Rig runs once per data path this CPU has (issue 17): the same
        // expectations for the scalar path and the four-at-a-time one.
        const DataPath path = GENERATE(filter([](DataPath p) { return sriov::vf::data_path_supported(p); },
                                              values({DataPath::scalar, DataPath::sse41})));
        UNSCOPED_INFO("data path " << sriov::vf::data_path_name(path));
        rx.set_data_path(path);
        tx.set_data_path(path);
    }

    void start()
    {
        rx.start(100ms);
        tx.start(100ms);
    }

    // VF 1's queue 0 is PF queue 1 (section 3.2).
    std::uint32_t pf_reg(std::uint32_t pf_offset) { return model.peek(pf_offset); }
};

std::vector<std::uint8_t> test_frame(std::size_t size, std::uint8_t seed)
{
    std::vector<std::uint8_t> f(size);
    for (std::size_t i = 0; i < size; ++i)
        f[i] = static_cast<std::uint8_t>(seed + i);
    return f;
}

PacketBuffer* filled(BufferPool& pool, const std::vector<std::uint8_t>& frame)
{
    PacketBuffer* b = pool.alloc();
    REQUIRE(b != nullptr);
    std::memcpy(b->data, frame.data(), frame.size());
    b->length = static_cast<std::uint32_t>(frame.size());
    return b;
}

}  // namespace

TEST_CASE("buffer pool hands out every buffer once, then none, and takes them back")
{
    std::vector<std::uint8_t> mem(4 * 2048 + 4096);
    BufferPool pool(DmaRegion{mem.data(), 0x40000, 4 * 2048}, 4, 2048);
    CHECK(pool.available() == 4);
    std::vector<PacketBuffer*> taken;
    for (int i = 0; i < 4; ++i) {
        PacketBuffer* b = pool.alloc();
        REQUIRE(b != nullptr);
        CHECK(b->capacity == 2048);
        CHECK(b->iova == 0x40000 + std::uint64_t{b->index} * 2048);
        CHECK(b->data == mem.data() + std::size_t{b->index} * 2048);
        taken.push_back(b);
    }
    CHECK(pool.alloc() == nullptr);
    CHECK(pool.available() == 0);
    pool.free(taken[2]);
    CHECK(pool.alloc() == taken[2]);
    for (PacketBuffer* b : taken)
        pool.free(b);
    CHECK(pool.available() == 4);
}

TEST_CASE("buffer pool refuses sizes the device cannot use and memory too small")
{
    std::vector<std::uint8_t> mem(8192);
    CHECK_THROWS_AS(BufferPool(DmaRegion{mem.data(), 0, 8192}, 5, 2048), Error);
    CHECK_THROWS_AS(BufferPool(DmaRegion{mem.data(), 0, 8192}, 2, 1000), Error);
    CHECK_THROWS_AS(BufferPool(DmaRegion{mem.data(), 0, 8192}, 0, 2048), Error);
}

TEST_CASE("ring sizes must be powers of two from 8 descriptors")
{
    E82576Model model;
    std::vector<std::uint8_t> mem(4096 * 2);
    BufferPool pool(DmaRegion{mem.data(), 0, 8192}, 4, 2048);
    const DmaRegion ring{mem.data(), 0x1000, 4096};
    CHECK_THROWS_AS(RxQueue(model.vf(0), Doorbell(model.vf(0), VF_RDT(0)), ring, 12, pool, "rx"), Error);
    CHECK_THROWS_AS(TxQueue(model.vf(0), Doorbell(model.vf(0), VF_TDT(0)), ring, 4, pool, "tx"), Error);
}

TEST_CASE("RX set-up programs queue 0 as igbvf does and posts a buffer in every slot")
{
    Rig rig(16, 64);
    rig.start();
    // VF 1 queue 0 = PF queue 1; ring at IOVA 0x100000, 16 descriptors of 16 bytes.
    CHECK(rig.pf_reg(RDBAL(1)) == 0x100000);
    CHECK(rig.pf_reg(RDBAH(1)) == 0);
    CHECK(rig.pf_reg(RDLEN(1)) == 256);
    // 4.1: BSIZEPKT 2 (KiB) | DESCTYPE advanced one-buffer (0x02000000) | DROP_EN (b31).
    CHECK(rig.pf_reg(SRRCTL(1)) == 0x82000002);
    CHECK((rig.pf_reg(RXDCTL(1)) & 0x02000000) != 0);
    CHECK(rig.pf_reg(RDH(1)) == 0);
    CHECK(rig.pf_reg(RDT(1)) == 15);  // all but one slot belong to the device
    CHECK(rig.pool.available() == 64 - 16);
    CHECK(rig.pf_reg(TDBAL(1)) == 0x200000);
    CHECK(rig.pf_reg(TDLEN(1)) == 256);
    CHECK((rig.pf_reg(TXDCTL(1)) & 0x02000000) != 0);

    // Read format (4.2): packet buffer address in qword 0, header address 0.
    const auto* ring = static_cast<const std::uint64_t*>(rig.rx_ring_mem.region().virt);
    for (unsigned slot = 0; slot < 16; ++slot) {
        CHECK(ring[2 * slot] >= 0x1000000);
        CHECK(ring[2 * slot] % 2048 == 0);
        CHECK(ring[2 * slot + 1] == 0);
    }
}

TEST_CASE("RX set-up fails with a clear error when the pool cannot fill the ring")
{
    Rig rig(16, 8);
    CHECK_THROWS_AS(rig.rx.start(100ms), Error);
}

TEST_CASE("a received frame comes out of rx_burst with its length, and RDT moves once")
{
    Rig rig(16, 64);
    rig.start();
    const auto frame = test_frame(100, 7);
    REQUIRE(rig.model.inject_rx(Rig::vf_index, frame));

    // The device's write-back (4.2): DD|EOP in dword 2, PKT_LEN in dword 3; RDH moved by one.
    const auto* words = static_cast<const std::uint32_t*>(rig.rx_ring_mem.region().virt);
    CHECK(words[2] == 0x3);
    CHECK(words[3] == 100);
    CHECK(rig.pf_reg(RDH(1)) == 1);

    PacketBuffer* got[8] = {};
    REQUIRE(rig.rx.burst(got, 8) == 1);
    CHECK(got[0]->length == 100);
    CHECK(std::memcmp(got[0]->data, frame.data(), frame.size()) == 0);
    CHECK(rig.rx.stats().packets == 1);
    CHECK(rig.rx.stats().bytes == 100);
    CHECK(rig.pf_reg(RDT(1)) == 0);  // slot 0, refilled, is the new hole
    // Slot 0 holds a fresh buffer in read format again.
    const auto* ring = static_cast<const std::uint64_t*>(rig.rx_ring_mem.region().virt);
    CHECK(ring[0] != got[0]->iova);
    CHECK(ring[1] == 0);
    CHECK(rig.rx.burst(got, 8) == 0);
    rig.pool.free(got[0]);
}

TEST_CASE("short frames are padded to 60 bytes and carry 4 FCS bytes without SECRC")
{
    Rig rig(16, 64);
    rig.model.pf().write32(RCTL.offset, rctl::EN);  // SECRC off
    rig.start();
    REQUIRE(rig.model.inject_rx(Rig::vf_index, test_frame(42, 1)));
    PacketBuffer* got[1] = {};
    REQUIRE(rig.rx.burst(got, 1) == 1);
    CHECK(got[0]->length == 64);
}

TEST_CASE("RX keeps going around the ring many times")
{
    Rig rig(8, 32);
    rig.start();
    PacketBuffer* got[4] = {};
    std::uint64_t received = 0;
    for (int i = 0; i < 100; ++i) {
        REQUIRE(rig.model.inject_rx(Rig::vf_index, test_frame(64 + i, static_cast<std::uint8_t>(i))));
        REQUIRE(rig.rx.burst(got, 4) == 1);
        CHECK(got[0]->length == 64u + i);
        CHECK(got[0]->data[0] == static_cast<std::uint8_t>(i));
        rig.pool.free(got[0]);
        ++received;
    }
    CHECK(rig.rx.stats().packets == received);
    CHECK(rig.pool.available() == 32 - 8);
}

TEST_CASE("the device drops frames when every posted slot is full; rx_burst then frees them")
{
    Rig rig(8, 16);
    rig.start();
    for (int i = 0; i < 7; ++i)
        REQUIRE(rig.model.inject_rx(Rig::vf_index, test_frame(80, 0)));
    CHECK_FALSE(rig.model.inject_rx(Rig::vf_index, test_frame(80, 0)));  // RDH == RDT: no slot
    CHECK(rig.model.rx_dropped(Rig::vf_index) == 1);
    PacketBuffer* got[16] = {};
    REQUIRE(rig.rx.burst(got, 16) == 7);
    CHECK(rig.model.inject_rx(Rig::vf_index, test_frame(80, 0)));
    for (std::uint32_t i = 0; i < 7; ++i)
        rig.pool.free(got[i]);
}

TEST_CASE("with no buffer to post, rx_burst drops the frame and reuses its buffer")
{
    Rig rig(8, 8);  // every buffer is in the ring
    rig.start();
    REQUIRE(rig.pool.available() == 0);
    REQUIRE(rig.model.inject_rx(Rig::vf_index, test_frame(80, 0)));
    PacketBuffer* got[4] = {};
    CHECK(rig.rx.burst(got, 4) == 0);
    CHECK(rig.rx.stats().no_buffer == 1);
    CHECK(rig.rx.stats().packets == 0);
    // The slot is posted again and the ring keeps working.
    REQUIRE(rig.model.inject_rx(Rig::vf_index, test_frame(80, 0)));
    CHECK(rig.rx.burst(got, 4) == 0);
    CHECK(rig.rx.stats().no_buffer == 2);
}

TEST_CASE("a frame longer than one buffer is dropped whole and counted as an error")
{
    Rig rig(16, 32, 1024);
    rig.start();
    REQUIRE(rig.model.inject_rx(Rig::vf_index, test_frame(1500, 0)));  // two descriptors
    REQUIRE(rig.model.inject_rx(Rig::vf_index, test_frame(200, 0)));
    PacketBuffer* got[4] = {};
    REQUIRE(rig.rx.burst(got, 4) == 1);
    CHECK(got[0]->length == 200);
    CHECK(rig.rx.stats().errors == 1);
    rig.pool.free(got[0]);
}

TEST_CASE("tx_burst writes advanced data descriptors and the model sends the frames")
{
    Rig rig(16, 64);
    rig.start();
    const auto f1 = test_frame(60, 1);
    const auto f2 = test_frame(1514, 2);
    PacketBuffer* bufs[2] = {filled(rig.pool, f1), filled(rig.pool, f2)};
    const std::uint64_t iova0 = bufs[0]->iova;
    REQUIRE(rig.tx.burst(bufs, 2) == 2);

    // 4.3: DTYP data 0x00300000 | EOP b24 | IFCS b25 | RS b27 | DEXT b29 = 0x2B300000, length in
    // b15:0; PAYLEN in olinfo b31:14, to which the device OR-ed DD (b0) on write-back (4.5).
    const auto* words = static_cast<const std::uint32_t*>(rig.tx_ring_mem.region().virt);
    CHECK((std::uint64_t{words[1]} << 32 | words[0]) == iova0);
    CHECK(words[2] == (0x2B300000u | 60));
    CHECK(words[3] == (60u << 14 | 0x1));
    CHECK(words[6] == (0x2B300000u | 1514));
    CHECK(rig.pf_reg(TDT(1)) == 2);
    CHECK(rig.pf_reg(TDH(1)) == 2);

    const auto sent = rig.model.take_tx(Rig::vf_index);
    REQUIRE(sent.size() == 2);
    CHECK(sent[0] == f1);
    CHECK(sent[1] == f2);
    CHECK(rig.tx.stats().packets == 2);
    CHECK(rig.tx.stats().bytes == 60 + 1514);

    // The buffers come back to the pool once their DD is seen.
    CHECK(rig.tx.reclaim() == 2);
    CHECK(rig.pool.available() == 64 - 16);
}

TEST_CASE("tx_burst takes no more than the ring holds and counts the rest")
{
    Rig rig(8, 64);
    rig.start();
    rig.model.pf().write32(TCTL.offset, 0);  // the device stops sending: descriptors stay pending
    std::vector<PacketBuffer*> bufs;
    for (int i = 0; i < 10; ++i)
        bufs.push_back(filled(rig.pool, test_frame(60, 0)));
    CHECK(rig.tx.burst(bufs.data(), 10) == 7);
    CHECK(rig.tx.stats().ring_full == 3);
    CHECK(rig.tx.in_flight() == 7);
    CHECK(rig.tx.reclaim() == 0);
    CHECK(rig.model.take_tx(Rig::vf_index).empty());
    for (std::size_t i = 7; i < bufs.size(); ++i)
        rig.pool.free(bufs[i]);
}

TEST_CASE("frames go around the TX ring and every buffer comes back")
{
    Rig rig(8, 32);
    rig.start();
    for (int round = 0; round < 50; ++round) {
        PacketBuffer* bufs[3];
        for (auto& b : bufs)
            b = filled(rig.pool, test_frame(100, static_cast<std::uint8_t>(round)));
        REQUIRE(rig.tx.burst(bufs, 3) == 3);
    }
    rig.tx.reclaim();
    CHECK(rig.model.take_tx(Rig::vf_index).size() == 150);
    CHECK(rig.pool.available() == 32 - 8);
    CHECK(rig.tx.in_flight() == 0);
}

TEST_CASE("a frame sent by one VF and injected into another arrives intact")
{
    Rig rig(16, 64);
    rig.start();
    // VF 0's queues on their own pool and rings.
    FakeDma rx0_mem(rig.model, 0x300000, 4096), tx0_mem(rig.model, 0x400000, 4096);
    RxQueue rx0(rig.model.vf(0), Doorbell(rig.model.vf(0), VF_RDT(0)), rx0_mem.region(), 16, rig.pool,
                "VF 0 RX");
    TxQueue tx0(rig.model.vf(0), Doorbell(rig.model.vf(0), VF_TDT(0)), tx0_mem.region(), 16, rig.pool,
                "VF 0 TX");
    rx0.start(100ms);
    tx0.start(100ms);

    const auto frame = test_frame(128, 9);
    PacketBuffer* b = filled(rig.pool, frame);
    REQUIRE(tx0.burst(&b, 1) == 1);
    for (const auto& f : rig.model.take_tx(0))
        REQUIRE(rig.model.inject_rx(Rig::vf_index, f));
    PacketBuffer* got = nullptr;
    REQUIRE(rig.rx.burst(&got, 1) == 1);
    CHECK(std::vector<std::uint8_t>(got->data, got->data + got->length) == frame);
    CHECK(rig.model.take_tx(Rig::vf_index).empty());
}

TEST_CASE("the model drops RX while RCTL.EN is 0, the link is down or the pool is not in VFRE")
{
    Rig rig(16, 64);
    rig.start();
    const auto frame = test_frame(80, 0);
    rig.model.pf().write32(RCTL.offset, rctl::SECRC);  // EN off
    CHECK_FALSE(rig.model.inject_rx(Rig::vf_index, frame));
    rig.model.pf().write32(RCTL.offset, rctl::EN | rctl::SECRC);
    rig.model.set_link(false);
    CHECK_FALSE(rig.model.inject_rx(Rig::vf_index, frame));
    rig.model.set_link(true);  // renegotiates: the driver had negotiated (2.2)
    rig.model.pf().write32(MRQC.offset, mrqc::VMDQ);
    rig.model.pf().write32(VFRE.offset, 1u << 0);  // VF 0 only
    CHECK_FALSE(rig.model.inject_rx(Rig::vf_index, frame));
    CHECK(rig.model.rx_dropped(Rig::vf_index) == 3);
    rig.model.pf().write32(VFRE.offset, 1u << Rig::vf_index);
    CHECK(rig.model.inject_rx(Rig::vf_index, frame));
    // In VMDq mode the pool's statistics count it, octets with the 4 CRC bytes (3.1).
    CHECK(rig.model.vf(Rig::vf_index).read32(VFGPRC.offset) == 1);
    CHECK(rig.model.vf(Rig::vf_index).read32(VFGORC.offset) == 84);
}

TEST_CASE("the model sends nothing without TCTL.EN, the queue enabled or, in VMDq mode, VFTE")
{
    Rig rig(16, 64);
    rig.start();
    rig.model.pf().write32(MRQC.offset, mrqc::VMDQ);
    rig.model.pf().write32(VFTE.offset, 1u << 0);  // VF 0 only
    PacketBuffer* b = filled(rig.pool, test_frame(60, 0));
    REQUIRE(rig.tx.burst(&b, 1) == 1);
    CHECK(rig.model.take_tx(Rig::vf_index).empty());
    CHECK(rig.tx.reclaim() == 0);
    // Once the pool may send, the next TDT write sends what is pending.
    rig.model.pf().write32(VFTE.offset, 1u << Rig::vf_index);
    PacketBuffer* c = filled(rig.pool, test_frame(61, 0));
    REQUIRE(rig.tx.burst(&c, 1) == 1);
    CHECK(rig.model.take_tx(Rig::vf_index).size() == 2);
    CHECK(rig.model.vf(Rig::vf_index).read32(VFGPTC.offset) == 2);
    CHECK(rig.model.vf(Rig::vf_index).read32(VFGOTC.offset) == 121);
    CHECK(rig.tx.reclaim() == 2);
}

TEST_CASE("a VF reset disables the VF's queues: the model then neither sends nor receives")
{
    Rig rig(16, 64);
    rig.start();
    rig.model.vf(Rig::vf_index).write32(VTCTRL.offset, vtctrl::RST);
    CHECK_FALSE(rig.model.inject_rx(Rig::vf_index, test_frame(60, 0)));
    PacketBuffer* b = filled(rig.pool, test_frame(60, 0));
    REQUIRE(rig.tx.burst(&b, 1) == 1);
    CHECK(rig.model.take_tx(Rig::vf_index).empty());
    // start() again (as after the reset handshake) brings both back.
    rig.start();
    CHECK(rig.model.inject_rx(Rig::vf_index, test_frame(60, 0)));
}


TEST_CASE("a burst of 32 frames touches the device once: one tail write, no register read")
{
    E82576Model model;
    pf_ready_for_traffic(model);
    FakeDma rx_mem(model, 0x100000, 4096), tx_mem(model, 0x200000, 4096), buf_mem(model, 0x1000000, 256 * 2048);
    BufferPool pool(buf_mem.region(), 256, 2048);
    model::RegisterSpy spy(model.vf(Rig::vf_index), true);  // what the device sees
    RxQueue rx(spy, Doorbell(spy, VF_RDT(0)), rx_mem.region(), 64, pool, "VF 1 RX");
    TxQueue tx(spy, Doorbell(spy, VF_TDT(0)), tx_mem.region(), 64, pool, "VF 1 TX");
    rx.start(100ms);
    tx.start(100ms);
    for (int i = 0; i < 32; ++i)
        REQUIRE(model.inject_rx(Rig::vf_index, test_frame(60, static_cast<std::uint8_t>(i))));
    spy.reads = 0;
    spy.written.clear();

    PacketBuffer* got[32] = {};
    REQUIRE(rx.burst(got, 32) == 32);
    CHECK(spy.reads == 0);
    CHECK(spy.written == std::vector<std::uint32_t>{VF_RDT(0)});
    spy.written.clear();

    // The received buffers go straight back out: TX gets 32 frames in one burst.
    for (PacketBuffer* b : got)
        b->length = 60;
    REQUIRE(tx.burst(got, 32) == 32);
    CHECK(spy.reads == 0);
    CHECK(spy.written == std::vector<std::uint32_t>{VF_TDT(0)});
    CHECK(model.take_tx(Rig::vf_index).size() == 32);
    spy.written.clear();
    CHECK(tx.reclaim() == 32);
    CHECK(spy.reads == 0);
    CHECK(spy.written.empty());

#ifdef SRIOV_COUNT_MMIO
    // libvf's own counts agree with what the device saw; the tail writes of start() do not count.
    CHECK(rx.mmio().reads == 0);
    CHECK(rx.mmio().doorbell_writes == 1);
    CHECK(rx.mmio().other_writes == 0);
    CHECK(tx.mmio().reads == 0);
    CHECK(tx.mmio().doorbell_writes == 1);
    CHECK(tx.mmio().other_writes == 0);
    // An empty RX burst touches nothing and counts nothing.
    CHECK(rx.burst(got, 32) == 0);
    CHECK(rx.mmio().doorbell_writes == 1);
#endif
}

#ifdef SRIOV_COUNT_MMIO
TEST_CASE("with SRIOV_COUNT_MMIO a register read on a queue's data path is counted, and only there")
{
    E82576Model model;
    sriov::vf::QueueRegisters regs(model.vf(0));
    sriov::vf::MmioStats counts;
    regs.read32(VF_RDT(0));  // control path: not counted
    {
        const sriov::vf::MmioScope data_path(counts);
        regs.read32(VF_RDT(0));
        regs.write32(VF_RDT(0), 0);
        Doorbell(model.vf(0), VF_RDT(0)).ring(0);
    }
    Doorbell(model.vf(0), VF_RDT(0)).ring(0);  // outside: not counted
    CHECK(counts.reads == 1);
    CHECK(counts.other_writes == 1);
    CHECK(counts.doorbell_writes == 1);
}
#endif

namespace {

// What an application sees of a run: the frames received and sent, the counters, the pool.
struct Observed {
    std::vector<std::vector<std::uint8_t>> received;
    std::vector<std::vector<std::uint8_t>> sent;
    std::vector<std::uint64_t> counters;  // RX packets, bytes, no_buffer, errors; TX packets, bytes, ring_full
    std::uint32_t available = 0;
};

// Irregular traffic through one path: bursts of 1 to 13 frames of changing lengths, every ninth
// frame too long for one buffer, the received frames forwarded (TX) or at times held back so the
// pool runs short, around both rings many times.
Observed forward_irregular_traffic(DataPath path)
{
    Rig rig(16, 44, 1024);
    rig.start();
    rig.rx.set_data_path(path);
    rig.tx.set_data_path(path);
    Observed seen;
    std::vector<PacketBuffer*> held;
    unsigned frame_number = 0;
    for (unsigned round = 0; round < 300; ++round) {
        const unsigned offered = round % 13 + 1;
        for (unsigned i = 0; i < offered; ++i, ++frame_number) {
            const std::size_t size = frame_number % 9 == 8 ? 1400 : 60 + (frame_number * 37) % 900;
            rig.model.inject_rx(Rig::vf_index, test_frame(size, static_cast<std::uint8_t>(frame_number)));
        }
        PacketBuffer* got[16] = {};
        const std::uint32_t n = rig.rx.burst(got, round % 7 == 3 ? 5 : 16);
        for (std::uint32_t i = 0; i < n; ++i)
            seen.received.emplace_back(got[i]->data, got[i]->data + got[i]->length);
        if (round % 17 < 3) {
            held.insert(held.end(), got, got + n);  // the pool runs short
            continue;
        }
        const std::uint32_t sent = rig.tx.burst(got, n);
        for (std::uint32_t i = sent; i < n; ++i)
            rig.pool.free(got[i]);
        for (PacketBuffer* b : held)
            rig.pool.free(b);
        held.clear();
    }
    rig.tx.reclaim();
    for (PacketBuffer* b : held)
        rig.pool.free(b);
    seen.sent = rig.model.take_tx(Rig::vf_index);
    const auto& rx = rig.rx.stats();
    const auto& tx = rig.tx.stats();
    seen.counters = {rx.packets, rx.bytes, rx.no_buffer, rx.errors, tx.packets, tx.bytes, tx.ring_full};
    seen.available = rig.pool.available();
    return seen;
}

}  // namespace

TEST_CASE("the SSE4.1 data path receives and sends exactly what the scalar one does")
{
    if (!sriov::vf::data_path_supported(DataPath::sse41))
        SKIP("no SSE4.1 on this build or CPU");
    const Observed scalar = forward_irregular_traffic(DataPath::scalar);
    const Observed sse41 = forward_irregular_traffic(DataPath::sse41);
    // The run does exercise what the groups leave to the scalar step.
    REQUIRE(scalar.received.size() > 1000);
    CHECK(scalar.counters[2] > 0);  // no_buffer
    CHECK(scalar.counters[3] > 0);  // errors: frames spanning buffers
    CHECK(sse41.received == scalar.received);
    CHECK(sse41.sent == scalar.sent);
    CHECK(sse41.counters == scalar.counters);
    CHECK(sse41.available == scalar.available);
}

TEST_CASE("a queue refuses a data path the CPU cannot run, and LIBVF_DATA_PATH=scalar forces the scalar one")
{
    for (DataPath p : {DataPath::scalar, DataPath::sse41}) {
        Rig rig(8, 16);
        if (sriov::vf::data_path_supported(p)) {
            rig.rx.set_data_path(p);
            CHECK(rig.rx.data_path() == p);
        } else {
            CHECK_THROWS_AS(rig.rx.set_data_path(p), Error);
        }
    }
    ::setenv("LIBVF_DATA_PATH", "scalar", 1);
    const DataPath forced = sriov::vf::best_data_path();
    ::unsetenv("LIBVF_DATA_PATH");
    CHECK(forced == DataPath::scalar);
}
