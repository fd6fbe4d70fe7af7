// libvf's recovery from a PF reset, against the 82576 register model with a PF thread that answers
// VF_RESET as sriovd does: the VF runs traffic, the PF resets (CTRL.RST), the VF waits while the
// PF is in reset (RSTI), then redoes the handshake and sets its queues up again by itself, and
// traffic goes through once more. Expected values come from the fact sheet
// (../shared/reference/igb-82576.md): sections 5.2 and 5.4 for RSTI/RSTD and the handshake, 3.2
// for VF 1's queue 0 being PF queue 1.
#include "mbx/pf_mailbox.hpp"
#include "mbx/reply.hpp"
#include "model/e82576_model.hpp"
#include "sriov/e82576_regs.hpp"
#include "vf/buffer_pool.hpp"
#include "vf/pf_reset_recovery.hpp"
#include "vf/rx_queue.hpp"
#include "vf/tx_queue.hpp"
#include "vf/vf_control.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

using namespace sriov;
using namespace sriov::e82576;
using namespace std::chrono_literals;
using sriov::model::E82576Model;

namespace {

constexpr unsigned vf_index = 1;
constexpr std::uint32_t ring_size = 16;
constexpr std::uint32_t buffers = 64;
constexpr mbx::Timing patient{std::chrono::milliseconds(3000), std::chrono::microseconds(20)};
constexpr mbx::Timing quick{std::chrono::milliseconds(100), std::chrono::microseconds(20)};
const MacAddress mac_first = MacAddress::parse("02:11:22:33:44:66");
const MacAddress mac_second = MacAddress::parse("02:11:22:33:44:77");

struct Memory {
    Memory(E82576Model& model, std::uint64_t iova, std::size_t size) : storage(size + 4096)
    {
        auto addr = reinterpret_cast<std::uintptr_t>(storage.data());
        region = vf::DmaRegion{storage.data() + ((4096 - addr % 4096) % 4096), iova, size};
        model.attach_dma(iova, region.virt, size);
    }
    std::vector<std::uint8_t> storage;
    vf::DmaRegion region;
};

// The PF's part of a bring-up that lets VF traffic through (sections 2.3, 5.4 step 1): link,
// RCTL.EN, TCTL.EN, then PFRSTD (RSTI off, RSTD on in every VF mailbox).
void pf_bring_up(E82576Model& m)
{
    m.pf().write32(MDIC.offset, mdic::PHY_ADDR << mdic::PHY_SHIFT | phy::BMCR << mdic::REG_SHIFT
                                    | mdic::OP_WRITE | phy::BMCR_ANENABLE | phy::BMCR_ANRESTART);
    m.pf().write32(RCTL.offset, rctl::EN | rctl::SECRC | rctl::BAM);
    m.pf().write32(TCTL.offset, tctl::EN | tctl::PSP);
    m.pf().write32(CTRL_EXT.offset, ctrl_ext::PFRSTD);
}

// A PF thread answering VF 1's next VF_RESET with `mac` (5.4 step 5), bounded in time.
class ResetServer {
public:
    ResetServer(E82576Model& m, const MacAddress& mac) : pf_(m.pf(), patient)
    {
        thread_ = std::thread([this, mac] {
            const auto end = std::chrono::steady_clock::now() + 3s;
            while (std::chrono::steady_clock::now() < end) {
                const auto p = pf_.pending();
                if (p.resets & (1u << vf_index))
                    pf_.clear_reset(vf_index);
                if (p.requests & (1u << vf_index)) {
                    pf_.clear_request(vf_index);
                    request_ = pf_.read(vf_index, true);
                    pf_.write(vf_index, mbx::encode(mbx::Reply{mbx::ResetReply{mac}}));
                    return;
                }
                std::this_thread::sleep_for(20us);
            }
        });
    }
    ~ResetServer() { join(); }
    // The request the PF read, once answered.
    std::optional<mbx::Message> join()
    {
        if (thread_.joinable())
            thread_.join();
        return request_;
    }

private:
    mbx::PfMailbox pf_;
    std::thread thread_;
    std::optional<mbx::Message> request_;
};

struct Rig {
    E82576Model model;
    Memory rx_ring{model, 0x100000, 4096};
    Memory tx_ring{model, 0x200000, 4096};
    Memory buffer_mem{model, 0x1000000, std::size_t{buffers} * 2048};
    vf::BufferPool pool{buffer_mem.region, buffers, 2048};
    vf::RxQueue rx{model.vf(vf_index), vf::Doorbell(model.vf(vf_index), VF_RDT(0)), rx_ring.region, ring_size,
                   pool, "VF 1 RX"};
    vf::TxQueue tx{model.vf(vf_index), vf::Doorbell(model.vf(vf_index), VF_TDT(0)), tx_ring.region, ring_size,
                   pool, "VF 1 TX"};
    vf::VfControl control;
    MacAddress mac;
    int interrupt_restarts = 0;
    vf::PfResetRecovery recovery;

    explicit Rig(mbx::Timing timing = patient)
        : control(model.vf(vf_index), "VF 1", timing),
          recovery(control, rx, tx, mac, [this] { ++interrupt_restarts; }, "VF 1",
                   vf::PfResetRecovery::Options{100ms, 0ms})
    {
        model.set_num_vfs(2);
        pf_bring_up(model);
        // Open: the handshake, then the queues (what Vf::open does).
        ResetServer pf(model, mac_first);
        mac = control.reset(1000ms).value();
        pf.join();
        rx.start(100ms);
        tx.start(100ms);
    }

    // A frame for VF 1 arrives from the switch; returns whether the VF's rx burst got it intact.
    bool receives(std::uint8_t seed)
    {
        std::vector<std::uint8_t> frame(60);
        for (std::size_t i = 0; i < frame.size(); ++i)
            frame[i] = static_cast<std::uint8_t>(seed + i);
        if (!model.inject_rx(vf_index, frame))
            return false;
        vf::PacketBuffer* in[4];
        if (rx.burst(in, 4) != 1)
            return false;
        // The device appends nothing we keep: SECRC strips the FCS (4.2), so the length is the frame's.
        const bool same = in[0]->length == frame.size() && std::memcmp(in[0]->data, frame.data(), frame.size()) == 0;
        pool.free(in[0]);
        return same;
    }

    // Queues `n` frames on VF 1's TX ring; returns how many the ring took.
    std::uint32_t send(std::uint32_t n, std::uint8_t seed)
    {
        std::vector<vf::PacketBuffer*> out;
        for (std::uint32_t i = 0; i < n; ++i) {
            vf::PacketBuffer* b = pool.alloc();
            REQUIRE(b != nullptr);
            std::memset(b->data, seed, 60);
            b->length = 60;
            out.push_back(b);
        }
        return tx.burst(out.data(), n);
    }
};

}  // namespace

TEST_CASE("after a PF reset the VF waits out RSTI, redoes the handshake and its queues, and traffic flows again")
{
    Rig rig;
    REQUIRE(rig.mac == mac_first);
    CHECK(rig.receives(1));
    CHECK(rig.send(1, 0xA1) == 1);
    CHECK(rig.model.take_tx(vf_index).size() == 1);
    // Nothing to recover from: the poll only looks.
    CHECK_FALSE(rig.recovery.poll());
    CHECK_FALSE(rig.recovery.recovery_pending());
    CHECK(rig.recovery.stats().pf_resets == 0);

    // The PF resets (CTRL.RST, section 2.2): every VF mailbox shows RSTI, the PF's queues (VF 1's
    // queue 0 is PF queue 1) are off.
    rig.model.pf().write32(CTRL.offset, ctrl::RST);
    CHECK(rig.model.vf_mailbox_bits(vf_index) & vfmailbox::RSTI);
    CHECK_FALSE(rig.model.peek(RXDCTL(1)) & xdctl::ENABLE);
    // The application goes on sending meanwhile: the frames stay in the ring, unsent.
    CHECK(rig.send(3, 0xB2) == 3);
    CHECK(rig.model.take_tx(vf_index).empty());
    CHECK(rig.pool.available() == buffers - ring_size - 3);

    // While RSTI lasts the VF does nothing: no VF reset (VFLRE), no request (MBVFICR.VFREQ).
    CHECK_FALSE(rig.recovery.poll());
    CHECK(rig.recovery.recovery_pending());
    CHECK((rig.model.peek(VFLRE.offset) & (1u << vf_index)) == 0);
    CHECK((rig.model.peek(MBVFICR.offset) & mbvficr::VFREQ(vf_index)) == 0);

    // The PF comes back (PFRSTD: RSTD) and answers VF_RESET, this time with another MAC.
    pf_bring_up(rig.model);
    ResetServer pf(rig.model, mac_second);
    CHECK(rig.recovery.poll());
    const auto request = pf.join();
    REQUIRE(request);
    CHECK(request->words()[0] == 0x00000001);  // VF_RESET (5.1)
    CHECK_FALSE(rig.recovery.recovery_pending());
    CHECK(rig.recovery.stats().pf_resets == 1);
    CHECK(rig.recovery.stats().tx_given_up == 3);
    CHECK(rig.interrupt_restarts == 1);
    CHECK(rig.mac == mac_second);
    CHECK(rig.control.clear_to_send());
    // The 3 unsent buffers are back; every RX slot holds a fresh buffer (4.1: all but none lost).
    CHECK(rig.pool.available() == buffers - ring_size);
    // Queue 1 of the PF programmed again: the ring's base, length, enabled (3.1, 4.1).
    CHECK(rig.model.peek(RDBAL(1)) == 0x100000);
    CHECK(rig.model.peek(RDLEN(1)) == ring_size * 16);
    CHECK(rig.model.peek(RXDCTL(1)) & xdctl::ENABLE);
    CHECK(rig.model.peek(TDBAL(1)) == 0x200000);
    CHECK(rig.model.peek(TXDCTL(1)) & xdctl::ENABLE);

    // Traffic both ways again.
    CHECK(rig.receives(2));
    CHECK(rig.receives(3));
    CHECK(rig.send(2, 0xC3) == 2);
    const auto sent = rig.model.take_tx(vf_index);
    REQUIRE(sent.size() == 2);
    CHECK(sent[0][0] == 0xC3);
    CHECK_FALSE(rig.recovery.poll());
    CHECK(rig.recovery.stats().pf_resets == 1);
}

TEST_CASE("a PF control message without CTS makes the VF reset itself, as after a PF manager restart")
{
    Rig rig;
    // The PF manager (a new sriovd) tells the VF it is not clear to send (5.1 PF_CONTROL_MSG).
    mbx::PfMailbox pf(rig.model.pf(), patient);
    pf.write(vf_index, mbx::encode(mbx::Reply{mbx::ControlMessage{false}}));
    ResetServer server(rig.model, mac_first);
    CHECK(rig.recovery.poll());
    CHECK(server.join());
    CHECK(rig.recovery.stats().pf_resets == 1);
    CHECK(rig.receives(7));
}

TEST_CASE("a PF control message with CTS is read and answered, and changes nothing")
{
    Rig rig;
    mbx::PfMailbox pf(rig.model.pf(), patient);
    pf.write(vf_index, mbx::encode(mbx::Reply{mbx::ControlMessage{true}}));
    CHECK_FALSE(rig.recovery.poll());
    CHECK_FALSE(rig.recovery.recovery_pending());
    // The VF acknowledged the message (MBVFICR.VFACK, 5.3) and sent no request.
    CHECK(rig.model.peek(MBVFICR.offset) & mbvficr::VFACK(vf_index));
    CHECK((rig.model.peek(MBVFICR.offset) & mbvficr::VFREQ(vf_index)) == 0);
    CHECK(rig.recovery.stats().pf_resets == 0);
}

TEST_CASE("when no PF answers after its reset the VF keeps trying, and recovers once one does")
{
    Rig rig(quick);
    rig.model.pf().write32(CTRL.offset, ctrl::RST);
    pf_bring_up(rig.model);
    // Nobody serves the mailbox: the attempt times out, is counted, and nothing throws.
    CHECK_FALSE(rig.recovery.poll());
    CHECK(rig.recovery.recovery_pending());
    CHECK(rig.recovery.stats().recovery_failures == 1);
    // A PF manager is back.
    ResetServer pf(rig.model, mac_first);
    CHECK(rig.recovery.poll());
    pf.join();
    CHECK(rig.recovery.stats().pf_resets == 1);
    CHECK(rig.receives(9));
}
