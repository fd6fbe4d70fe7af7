// libvf's event-driven requests (VfControl::start / start_reset / answered), as a VF driver woken
// by its mailbox interrupt uses them: all on one thread against the register model, the PF's
// side played by PfMailbox step by step, so each test says exactly what the VF has seen when.
#include "model/e82576_model.hpp"
#include "mbx/pf_mailbox.hpp"
#include "mbx/reply.hpp"
#include "mbx/request.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vf/vf_control.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <chrono>
#include <vector>

using namespace sriov;
using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
namespace e = sriov::e82576;

namespace {

constexpr mbx::Timing timing{std::chrono::milliseconds(500), std::chrono::microseconds(20)};

// A PF past its bring-up (VFs enabled, PFRSTD written), played by hand on the test's thread.
struct Rig {
    model::E82576Model device;
    mbx::PfMailbox pf{device.pf(), timing};
    std::vector<model::Interrupt> to_vf;
    Rig()
    {
        device.set_num_vfs(1);
        device.pf().write32(e::GPIE.offset, e::gpie::MSIX_MODE);
        device.pf().write32(e::CTRL_EXT.offset, e::ctrl_ext::PFRSTD);
        device.set_interrupt_hook([this](const model::Interrupt& i) {
            if (!i.to_pf)
                to_vf.push_back(i);
        });
    }
    ~Rig() { device.set_interrupt_hook({}); }

    // The VF's request, read and acknowledged as the PF does.
    mbx::Message take_request()
    {
        const auto p = pf.pending();
        REQUIRE((p.requests & 1u) != 0);
        pf.clear_request(0);
        return pf.read(0, true);
    }
    void answer(const mbx::Reply& reply) { pf.write(0, mbx::encode(reply)); }
};

}  // namespace

TEST_CASE("an event-driven request is answered only once the PF's answer is there, past its pings")
{
    Rig rig;
    vf::VfControl vf(rig.device.vf(0), "VF 0", timing);
    // Routed as igbvf routes it, every vector enabled: the PF's messages interrupt the VF.
    rig.device.vf(0).write32(e::VTIVAR_MISC.offset, e::vtivar::MISC(e::vf_vector::OTHER));
    rig.device.vf(0).write32(e::VTEIAC.offset, 0x7);
    rig.device.vf(0).write32(e::VTEIMS.offset, 0x7);

    vf.start(mbx::SetVlan{100, true});
    CHECK_FALSE(vf.answered());  // the PF has not even read it
    const mbx::Message request = rig.take_request();
    CHECK(request.words()[0] == 0x00010004u);
    CHECK_FALSE(vf.answered());  // read (PFACK), not answered

    rig.answer(mbx::ControlMessage{true});  // a ping first
    CHECK_FALSE(vf.answered());
    rig.answer(mbx::GenericReply{request.words()[0], true, true});
    CHECK(vf.answered());
    CHECK(vf.clear_to_send());
    // Each step the PF took (its read's acknowledgement, the ping, the answer) interrupted the VF.
    CHECK(rig.to_vf.size() >= 3);
    CHECK_FALSE(vf.answered());  // nothing more came
}

TEST_CASE("an event-driven reset yields the MAC the PF chose")
{
    Rig rig;
    const auto mac = MacAddress::parse("02:11:22:33:44:55");
    vf::VfControl vf(rig.device.vf(0), "VF 0", timing);
    vf.start_reset(100ms);
    CHECK_FALSE(vf.clear_to_send());
    CHECK(rig.take_request().words()[0] == 0x00000001u);  // VF_RESET
    CHECK_FALSE(vf.answered());
    rig.answer(mbx::ResetReply{mac});
    CHECK(vf.answered());
    REQUIRE(vf.assigned_mac().has_value());
    CHECK(*vf.assigned_mac() == mac);
    CHECK(vf.clear_to_send());
}

TEST_CASE("an event-driven request the PF refuses, or answers with something else, throws from answered()")
{
    Rig rig;
    vf::VfControl vf(rig.device.vf(0), "VF 0", timing);

    vf.start(mbx::SetMac{MacAddress::parse("02:aa:bb:cc:dd:ee")});
    mbx::Message request = rig.take_request();
    rig.answer(mbx::GenericReply{request.words()[0], false, true});
    try {
        vf.answered();
        FAIL("a NACK was taken for an answer");
    } catch (const Error& err) {
        CHECK(err.code() == Errc::permission);
        CHECK_THAT(std::string(err.what()), ContainsSubstring("SET_MAC_ADDR"));
    }

    vf.start(mbx::SetLpe{1522});
    request = rig.take_request();
    rig.answer(mbx::GenericReply{mbx::encode(mbx::Request{mbx::SetVlan{5, true}}).words()[0], true, true});
    try {
        vf.answered();
        FAIL("an answer to another request was taken for this one's");
    } catch (const Error& err) {
        CHECK(err.code() == Errc::protocol);
        CHECK_THAT(std::string(err.what()), ContainsSubstring("unrelated"));
    }
}
