// libvf's interrupt mode against the 82576 register model: the vector routing igbvf programs,
// one message per frame with EITR 0, masking while the application polls, no frame left without
// a wake-up, the mailbox looked at on any vector, and adaptive EITR from a counted frame rate.
// Expected register values are worked out from the fact sheet (sections 2.7, 2.8, 3.3) for VF 1:
// its vectors 0..2 are PF causes 19..21 (22 - 3n + k), its queue 0 is PF queue 1.
#include "model/e82576_model.hpp"
#include "sriov/e82576_regs.hpp"
#include "vf/buffer_pool.hpp"
#include "vf/rx_interrupts.hpp"
#include "vf/rx_queue.hpp"
#include "vfio/event_fd.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

using namespace sriov;
using namespace sriov::e82576;
using namespace std::chrono_literals;
using sriov::model::E82576Model;
using sriov::vf::BufferPool;
using sriov::vf::Coalescing;
using sriov::vf::DmaRegion;
using sriov::vf::Doorbell;
using sriov::vf::PacketBuffer;
using sriov::vf::RxInterrupts;
using sriov::vf::RxQueue;

namespace {

constexpr unsigned vf_index = 1;

struct Memory {
    Memory(E82576Model& model, std::uint64_t iova, std::size_t size) : storage(size + 4096)
    {
        auto addr = reinterpret_cast<std::uintptr_t>(storage.data());
        region = DmaRegion{storage.data() + ((4096 - addr % 4096) % 4096), iova, size};
        model.attach_dma(iova, region.virt, size);
    }
    std::vector<std::uint8_t> storage;
    DmaRegion region;
};

struct Rig {
    E82576Model model;
    Memory ring_mem{model, 0x100000, 4096};
    Memory buffer_mem{model, 0x1000000, 64 * 2048};
    BufferPool pool{buffer_mem.region, 64, 2048};
    RxQueue rx{model.vf(vf_index), Doorbell(model.vf(vf_index), VF_RDT(0)), ring_mem.region, 16, pool, "VF 1 RX"};
    std::array<vfio::EventFd, 3> vectors;
    RxInterrupts::Clock::time_point now{};
    std::uint64_t frames_override = 0;
    bool use_override = false;
    int mailbox_checks = 0;
    std::unique_ptr<RxInterrupts> irq;

    explicit Rig(Coalescing c = {})
    {
        // A PF as sriovd leaves it (fact sheet 2.3, 2.7): VFs, link, RCTL.EN, MSI-X mode.
        model.set_num_vfs(2);
        model.pf().write32(MDIC.offset, mdic::PHY_ADDR << mdic::PHY_SHIFT | phy::BMCR << mdic::REG_SHIFT
                                            | mdic::OP_WRITE | phy::BMCR_ANENABLE | phy::BMCR_ANRESTART);
        model.pf().write32(RCTL.offset, rctl::EN | rctl::SECRC | rctl::BAM);
        model.pf().write32(GPIE.offset, gpie::MSIX_MODE | gpie::PBA | gpie::NSICR);
        // What VFIO does for a real VF: each message signals the vector's eventfd.
        model.set_interrupt_hook([this](const model::Interrupt& i) {
            if (!i.to_pf && i.vf == vf_index)
                vectors.at(i.vector).signal();
        });
        rx.start(100ms);
        RxInterrupts::Hooks hooks;
        hooks.rx_pending = [this] { return rx.pending(); };
        hooks.rx_frames = [this] { return use_override ? frames_override : rx.stats().packets; };
        hooks.check_mailbox = [this] {
            ++mailbox_checks;
            return std::pair{false, false};
        };
        hooks.now = [this] { return now; };
        irq = std::make_unique<RxInterrupts>(model.vf(vf_index),
                                             std::array{&vectors[0], &vectors[1], &vectors[2]}, c, 16,
                                             std::move(hooks), "VF 1");
        irq->start();
    }

    bool frame() { return model.inject_rx(vf_index, std::vector<std::uint8_t>(60, 0xAB)); }

    std::uint32_t poll()
    {
        PacketBuffer* got[16];
        std::uint32_t total = 0;
        for (std::uint32_t n; (n = rx.burst(got, 16)) > 0; total += n)
            for (std::uint32_t i = 0; i < n; ++i)
                pool.free(got[i]);
        return total;
    }
};

}  // namespace

TEST_CASE("interrupt mode routes and enables the VF's vectors as igbvf does")
{
    Rig rig;
    // VTIVAR: RX queue 0 on vector 1 (0x81), TX queue 0 on vector 0 (0x80 << 8); mailbox on 2.
    CHECK(rig.model.vf(vf_index).read32(VTIVAR.offset) == 0x8081);
    CHECK(rig.model.vf(vf_index).read32(VTIVAR_MISC.offset) == 0x82);
    // QEMU turns VTIVAR into PF queue 1's IVAR entry: RX cause 20 (0x94), TX cause 19 (0x93).
    CHECK(rig.model.peek(IVAR0.at(1)) == 0x9394);
    // VTEIAC all three vectors: PF EIAC causes 19..21 = 0x00380000.
    CHECK((rig.model.peek(EIAC.offset) & 0x00380000) == 0x00380000);
    // VTEIMS RX and mailbox vectors (1, 2): causes 20, 21 = 0x00300000; not TX (19).
    CHECK((rig.model.peek(EIMS.offset) & 0x00380000) == 0x00300000);
    // Adaptive, nothing measured: not throttled, VTEITR(1) = PF EITR(20) = 0.
    CHECK(rig.model.peek(EITR.at(20)) == 0);
    CHECK(rig.irq->stats().eitr == 0);
}

TEST_CASE("interrupt mode: a frame interrupts on the RX vector and wait() returns")
{
    Coalescing off;
    off.mode = Coalescing::Mode::off;
    Rig rig(off);
    CHECK(rig.model.peek(EITR.at(20)) == 0);
    CHECK_FALSE(rig.irq->wait(0ms));
    REQUIRE(rig.frame());
    CHECK(rig.model.vf_interrupts(vf_index, vf_vector::RX) == 1);
    CHECK(rig.irq->wait(0ms));
    CHECK(rig.irq->stats().interrupts == 1);
    CHECK(rig.irq->stats().rx_interrupts == 1);
    CHECK(rig.mailbox_checks == 1);  // any vector: look at the mailbox
    CHECK(rig.poll() == 1);
}

TEST_CASE("interrupt mode: no RX interrupt while the application polls, one again after rearm")
{
    Coalescing off;
    off.mode = Coalescing::Mode::off;
    Rig rig(off);
    REQUIRE(rig.frame());
    REQUIRE(rig.irq->wait(0ms));
    // Masked (VTEIMC) until rearm: frames during the poll send nothing.
    REQUIRE(rig.frame());
    REQUIRE(rig.frame());
    CHECK(rig.model.vf_interrupts(vf_index, vf_vector::RX) == 1);
    CHECK(rig.poll() == 3);
    rig.irq->rearm();
    // The causes of the frames already polled were cleared: nothing fires at the unmask.
    CHECK(rig.model.vf_interrupts(vf_index, vf_vector::RX) == 1);
    CHECK_FALSE(rig.irq->wait(0ms));
    REQUIRE(rig.frame());
    CHECK(rig.model.vf_interrupts(vf_index, vf_vector::RX) == 2);
    CHECK(rig.irq->wait(0ms));
    CHECK(rig.irq->stats().interrupts == 2);
}

TEST_CASE("interrupt mode: a frame that came after the last poll wakes the next wait()")
{
    Coalescing off;
    off.mode = Coalescing::Mode::off;
    Rig rig(off);
    REQUIRE(rig.frame());
    REQUIRE(rig.irq->wait(0ms));
    CHECK(rig.poll() == 1);
    REQUIRE(rig.frame());  // after the poll found the ring empty, before rearm: masked, no message
    rig.irq->rearm();
    CHECK(rig.model.vf_interrupts(vf_index, vf_vector::RX) == 1);
    CHECK(rig.irq->wait(0ms));  // woken anyway
    CHECK(rig.poll() == 1);
    CHECK(rig.irq->stats().interrupts == 1);  // a wake-up, not an interrupt
    CHECK(rig.irq->stats().wakeups == 2);
}

TEST_CASE("interrupt mode: a PF message arrives on the RX vector (QEMU quirk) and wakes wait()")
{
    Rig rig;
    // The PF writes a control message for VF 1 (sections 2.6, 5.1): words, then STS. VTIVAR_MISC
    // holds vector 2; QEMU raises (2 & 3) << 19, i.e. cause 20, the RX vector.
    rig.model.pf().write32(VMBMEM.at(vf_index), 0x20000100);
    rig.model.pf().write32(P2VMAILBOX.at(vf_index), p2vmailbox::STS);
    CHECK(rig.model.vf_interrupts(vf_index, vf_vector::RX) == 1);
    CHECK(rig.model.vf_interrupts(vf_index, vf_vector::OTHER) == 0);
    CHECK(rig.irq->wait(0ms));
    CHECK(rig.mailbox_checks == 1);
}

TEST_CASE("interrupt mode: fixed coalescing writes the rate's EITR once")
{
    Coalescing fixed;
    fixed.mode = Coalescing::Mode::fixed;
    fixed.rate = 8000;
    fixed.timing = vf::EitrTiming::qemu_10_0;
    Rig rig(fixed);
    // 8000/s under QEMU 10.0: 0xF4 (see the coalescing test).
    CHECK(rig.model.peek(EITR.at(20)) == 0xF4);
    rig.now += 1s;
    rig.irq->rearm();
    CHECK(rig.model.peek(EITR.at(20)) == 0xF4);
}

TEST_CASE("interrupt mode: adaptive coalescing follows the frame rate once per period")
{
    Coalescing adaptive;  // r 0.5, lif 1000/s, every 20 ms, datasheet timing; the rig's ring is 16
    Rig rig(adaptive);
    rig.use_override = true;
    // Nothing measured yet: not throttled.
    CHECK(rig.model.peek(EITR.at(20)) == 0);
    // 10 ms later with 1000 frames: the period has not passed, nothing changes.
    rig.now += 10ms;
    rig.frames_override = 1000;
    rig.irq->rearm();
    CHECK(rig.model.peek(EITR.at(20)) == 0);
    // 20 ms after start, 2000 frames: 100 000 frames/s; bufs * r = 8 frames per interrupt:
    // 12 500/s, an interval of 80 us, 320 = 0x140.
    rig.now += 10ms;
    rig.frames_override = 2000;
    rig.irq->rearm();
    CHECK(rig.irq->stats().interrupt_rate == 12500);
    CHECK(rig.model.peek(EITR.at(20)) == 0x140);
    // 40 more frames in the next 20 ms: 2000/s, not above 2 * lif: not throttled.
    rig.now += 20ms;
    rig.frames_override = 2040;
    rig.irq->rearm();
    CHECK(rig.irq->stats().interrupt_rate == 0);
    CHECK(rig.model.peek(EITR.at(20)) == 0);
    // 100 more in the next 20 ms: 5000/s, throttled at IF = max(5000 / 8, lif) = 1000/s, an
    // interval of 1000 us, 4000 = 0xFA0.
    rig.now += 20ms;
    rig.frames_override = 2140;
    rig.irq->rearm();
    CHECK(rig.irq->stats().interrupt_rate == 1000);
    CHECK(rig.model.peek(EITR.at(20)) == 0xFA0);
    // Idle for a period (a wait that times out also measures): 0 frames/s, not throttled.
    rig.now += 20ms;
    CHECK_FALSE(rig.irq->wait(0ms));
    CHECK(rig.irq->stats().interrupt_rate == 0);
    CHECK(rig.model.peek(EITR.at(20)) == 0);
}

TEST_CASE("interrupt mode: stop() masks every vector")
{
    Rig rig;
    rig.irq->stop();
    CHECK((rig.model.peek(EIMS.offset) & 0x00380000) == 0);
    REQUIRE(rig.frame());
    CHECK(rig.model.vf_interrupts(vf_index) == 0);
}
