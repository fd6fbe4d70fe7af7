// The PF-side and VF-side mailbox transports talking through the register model: whole exchanges,
// timeouts, NACKs, a VF that sends garbage or keeps the lock, and a PF reset in the middle.
// The PF side runs in its own thread, as it does in sriovd; every wait is bounded by Timing.
#include "model/e82576_model.hpp"
#include "mbx/pf_mailbox.hpp"
#include "mbx/reply.hpp"
#include "mbx/request.hpp"
#include "mbx/vf_mailbox.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vf/vf_control.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <thread>

using namespace sriov;
using namespace std::chrono_literals;
namespace e = sriov::e82576;

namespace {

// Exchanges that must succeed get a generous bound (a loaded CI machine may be slow to schedule
// the PF thread); waits that must time out get a short one.
constexpr mbx::Timing patient{std::chrono::milliseconds(3000), std::chrono::microseconds(20)};
constexpr mbx::Timing quick{std::chrono::milliseconds(100), std::chrono::microseconds(20)};

// Waits (bounded) until `vf` has a request pending at the PF, then reads it keeping the lock and
// writes whatever `answer` makes of it. Returns the request as the PF read it.
std::optional<mbx::Message> serve_one(mbx::PfMailbox& pf, unsigned vf,
                                      const std::function<std::optional<mbx::Message>(const mbx::Message&)>& answer)
{
    const auto end = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < end) {
        const auto p = pf.pending();
        if (p.resets & (1u << vf))
            pf.clear_reset(vf);
        if (p.requests & (1u << vf)) {
            pf.clear_request(vf);
            const mbx::Message request = pf.read(vf, true);
            if (auto reply = answer(request))
                pf.write(vf, *reply);
            return request;
        }
        std::this_thread::sleep_for(20us);
    }
    return std::nullopt;
}

// A PF that has finished its bring-up: VFs enabled, PFRSTD written (RSTI gone, section 5.4).
struct Rig {
    model::E82576Model device;
    mbx::PfMailbox pf{device.pf(), patient};
    Rig()
    {
        device.set_num_vfs(2);
        device.pf().write32(e::CTRL_EXT.offset, e::ctrl_ext::PFRSTD);
    }
};

}  // namespace

TEST_CASE("a VF request reaches the PF word for word and the PF's answer comes back")
{
    Rig rig;
    vf::VfControl vf(rig.device.vf(1), "VF 1", patient);
    std::optional<mbx::Message> seen;
    std::thread pf([&] {
        seen = serve_one(rig.pf, 1, [](const mbx::Message& m) {
            return mbx::encode(mbx::Reply{mbx::GenericReply{m.words()[0], true, true}});
        });
    });
    vf.set_vlan(100, true);
    pf.join();
    REQUIRE(seen.has_value());
    // The words the fact sheet gives for "add VLAN 100" (section 5.1).
    CHECK(seen->words()[0] == 0x00010004u);
    CHECK(seen->words()[1] == 0x00000064u);
    CHECK(vf.clear_to_send());
}

TEST_CASE("the reset handshake hands the VF the MAC the PF chose")
{
    Rig rig;
    const auto mac = MacAddress::parse("02:11:22:33:44:55");
    vf::VfControl vf(rig.device.vf(0), "VF 0", patient);
    std::optional<mbx::Message> seen;
    std::thread pf([&] {
        seen = serve_one(rig.pf, 0, [&](const mbx::Message&) { return mbx::encode(mbx::Reply{mbx::ResetReply{mac}}); });
    });
    const auto got = vf.reset(3000ms);
    pf.join();
    REQUIRE(seen.has_value());
    CHECK(seen->words()[0] == 0x00000001u);  // VF_RESET
    REQUIRE(got.has_value());
    CHECK(*got == mac);
    // The VF's reset cleared its pool's RX/TX enables and told the PF through VFLRE (section 5.4).
    CHECK((rig.device.peek(e::VFRE.offset) & 1u) == 0);
}

TEST_CASE("a NACK becomes a permission error naming the request")
{
    Rig rig;
    vf::VfControl vf(rig.device.vf(0), "VF 0", patient);
    std::thread pf([&] {
        serve_one(rig.pf, 0, [](const mbx::Message& m) {
            return mbx::encode(mbx::Reply{mbx::GenericReply{m.words()[0], false, true}});
        });
    });
    try {
        vf.set_mac(MacAddress::parse("02:aa:bb:cc:dd:ee"));
        FAIL("a refused request returned normally");
    } catch (const Error& err) {
        pf.join();
        CHECK(err.code() == Errc::permission);
        CHECK(std::string(err.what()).find("SET_MAC_ADDR") != std::string::npos);
    }
}

TEST_CASE("a PF that never answers makes the VF time out, saying what it waited for")
{
    Rig rig;
    mbx::VfMailbox vf(rig.device.vf(0), "VF 0", quick);
    try {
        vf.send(mbx::encode(mbx::Request{mbx::SetLpe{1522}}));
        FAIL("send returned without an acknowledgement");
    } catch (const Error& err) {
        CHECK(err.code() == Errc::timeout);
        CHECK(std::string(err.what()).find("did not acknowledge SET_LPE") != std::string::npos);
    }
    CHECK(vf.stats().timeouts == 1);
    // The request did reach the PF: MBVFICR shows it.
    CHECK((rig.pf.pending().requests & 1u) == 1u);
}

TEST_CASE("a VF that keeps the buffer lock cannot block the PF for ever")
{
    Rig rig;
    mbx::PfMailbox pf(rig.device.pf(), quick);
    rig.device.vf(0).write32(e::VFMAILBOX.offset, e::vfmailbox::VFU);  // takes the lock, never lets go
    CHECK(pf.vf_holds_lock(0));
    const auto reply = mbx::encode(mbx::Reply{mbx::ControlMessage{true}});
    try {
        pf.write(0, reply);
        FAIL("the PF wrote into a buffer the VF holds");
    } catch (const Error& err) {
        CHECK(err.code() == Errc::busy);
        CHECK(err.subject() == "VF 0");
    }
    // The other VF is not affected.
    pf.write(1, reply);
    CHECK((rig.device.vf_mailbox_bits(1) & e::vfmailbox::PFSTS) != 0);
    // RVFU takes the lock back; then the PF can write.
    pf.release_vf_lock(0);
    CHECK_FALSE(pf.vf_holds_lock(0));
    pf.write(0, reply);
    CHECK(rig.device.peek(e::VMBMEM.at(0)) == 0x20000100u);  // PF_CONTROL_MSG | CTS
}

TEST_CASE("garbage from a VF is read as sent and rejected by decoding with a reason")
{
    Rig rig;
    // A hostile VF writes words by hand: an ID nobody defined, then rings the PF.
    auto& vf = rig.device.vf(0);
    vf.write32(e::VFMAILBOX.offset, e::vfmailbox::VFU);
    vf.write32(e::VF_VMBMEM.at(0), 0x0000BEEFu);
    vf.write32(e::VFMAILBOX.offset, e::vfmailbox::REQ);
    REQUIRE((rig.pf.pending().requests & 1u) == 1u);
    rig.pf.clear_request(0);
    const auto m = rig.pf.read(0);
    CHECK(m.words()[0] == 0x0000BEEFu);
    const auto decoded = mbx::decode_request(m);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().defect == mbx::Defect::unknown_id);
}

TEST_CASE("a PF reset in the middle of an exchange is seen by the VF, which then waits for the PF")
{
    Rig rig;
    vf::VfControl vf(rig.device.vf(0), "VF 0", patient);
    // The VF's request arrives, then the PF resets instead of answering.
    std::thread pf([&] { serve_one(rig.pf, 0, [&](const mbx::Message&) {
        rig.device.pf().write32(e::CTRL.offset, e::ctrl::RST);
        return std::optional<mbx::Message>{};
    }); });
    CHECK_THROWS_AS(vf.set_vlan(5, true), Error);
    pf.join();
    CHECK(vf.mailbox().check_for_reset());  // RSTI: every VF mailbox shows the PF reset

    // Until the PF says it is ready (PFRSTD), the handshake cannot start, and says why.
    try {
        vf.reset(50ms);
        FAIL("the handshake went on while the PF was in reset");
    } catch (const Error& err) {
        CHECK(err.code() == Errc::timeout);
        CHECK(std::string(err.what()).find("RSTI") != std::string::npos);
    }
    // The PF comes back; the handshake now completes.
    rig.device.set_num_vfs(2);
    rig.device.pf().write32(e::CTRL_EXT.offset, e::ctrl_ext::PFRSTD);
    const auto mac = MacAddress::parse("02:00:00:00:00:01");
    std::thread pf2([&] {
        serve_one(rig.pf, 0, [&](const mbx::Message&) { return mbx::encode(mbx::Reply{mbx::ResetReply{mac}}); });
    });
    const auto got = vf.reset(3000ms);
    pf2.join();
    CHECK(got == mac);
}

TEST_CASE("the PF's unasked message never overwrites a request it has not read")
{
    Rig rig;
    mbx::VfMailbox vf(rig.device.vf(0), "VF 0", quick);
    // The VF rings with a request; the PF, not having looked yet, wants to send a control message.
    CHECK_THROWS(vf.send(mbx::encode(mbx::Request{mbx::SetVlan{7, true}})));  // nobody acknowledges
    try {
        rig.pf.write(0, mbx::encode(mbx::Reply{mbx::ControlMessage{true}}));
        FAIL("the PF overwrote an unread request");
    } catch (const Error& err) {
        CHECK(err.code() == Errc::busy);
    }
    CHECK(rig.device.peek(e::VMBMEM.at(0)) == 0x00010004u);  // the request is still there
    CHECK_FALSE(rig.pf.vf_holds_lock(0));
    // Served, then the PF may write again.
    rig.pf.clear_request(0);
    CHECK(rig.pf.read(0, true).words()[1] == 7u);
    rig.pf.write(0, mbx::encode(mbx::Reply{mbx::GenericReply{0x00010004u, true, true}}));
    CHECK(rig.device.peek(e::VMBMEM.at(0)) == 0xA0010004u);
}
