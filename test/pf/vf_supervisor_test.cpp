// VfSupervisor's decisions against a recording fake PfDevice. The expected mailbox words are worked
// out by hand from the fact sheet (section 5.1) and Linux igb's behaviour, not by our encoder.
#include "pf/vf_supervisor.hpp"

#include "admin.hpp"
#include "fake_pf_device.hpp"

#include <catch2/catch_test_macros.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace sriov;
using namespace sriov::pf;
using sriov::pf::test::Admin;
using sriov::pf::test::FakePfDevice;
using namespace std::chrono_literals;

namespace {

using Words = std::vector<std::uint32_t>;

const MacAddress admin_mac = MacAddress::parse("02:11:22:33:44:55");
const VfSupervisor::Clock::time_point t0 = VfSupervisor::Clock::time_point{} + 1h;

Words words_of(const mbx::Message& m) { return Words(m.words().begin(), m.words().end()); }

Words reply_of(const Outcome& o)
{
    REQUIRE(o.reply.has_value());
    return words_of(*o.reply);
}

struct Fixture {
    explicit Fixture(VfAdmin vf0 = Admin().mac(admin_mac), unsigned vfs = 2) : policy(vfs)
    {
        policy.set_admin(0, std::move(vf0));
    }
    Outcome send(unsigned vf, Words words) { return sup.on_message(vf, words, t0); }
    Outcome reset(unsigned vf = 0) { return send(vf, {0x00000001}); }

    FakePfDevice device;
    VfPolicy policy;
    VfSupervisor sup{device, policy};
};

}  // namespace

TEST_CASE("VF_RESET: MAC filter, queues on, CTS, and ACK with the MAC")
{
    Fixture f;
    const Outcome o = f.reset();
    CHECK(o.verdict == Verdict::ack);
    CHECK(reply_of(o) == Words{0x80000001, 0x33221102, 0x00005544});
    CHECK(f.device.mac[0] == admin_mac);
    CHECK(f.device.queues[0]);
    CHECK(f.device.vlans[0] == std::set<std::uint16_t>{0});  // Linux puts every VF in VLAN 0
    CHECK(f.device.spoof_check[0]);
    CHECK(f.device.rx[0].accept_untagged);
    CHECK(f.device.rx[0].accept_broadcast);
    CHECK(f.sup.state(0).clear_to_send);
    CHECK(words_of(f.sup.control_message(0)) == Words{0x20000100});
}

TEST_CASE("VF_RESET without an administrator's MAC: NACK, yet the VF becomes CTS")
{
    Fixture f;
    const Outcome o = f.reset(1);
    CHECK(o.verdict == Verdict::nack);
    CHECK(reply_of(o) == Words{0x40000001, 0, 0});
    CHECK_FALSE(f.device.mac[1].has_value());
    CHECK(f.device.queues[1]);
    CHECK(f.sup.state(1).clear_to_send);
}

TEST_CASE("a request before VF_RESET is NACKed without CTS and changes nothing")
{
    Fixture f;
    const Outcome o = f.send(0, {0x00010004, 100});  // SET_VLAN add 100
    CHECK(o.verdict == Verdict::nack);
    CHECK(reply_of(o) == Words{0x40010004});
    CHECK(o.reason == "the VF has not completed VF_RESET (no CTS)");
    CHECK(f.device.vlans[0].empty());
    CHECK(words_of(f.sup.control_message(0)) == Words{0x00000100});
}

TEST_CASE("untrusted SET_MAC_ADDR: ACK for the MAC it has, NACK for another")
{
    Fixture f;
    f.reset();
    CHECK(reply_of(f.send(0, {0x00000002, 0x33221102, 0x5544})) == Words{0xA0000002});
    const Outcome o = f.send(0, {0x00000002, 0xccbbaa02, 0xeedd});  // 02:aa:bb:cc:dd:ee
    CHECK(o.verdict == Verdict::nack);
    CHECK(reply_of(o) == Words{0x60000002});
    CHECK(f.device.mac[0] == admin_mac);
}

TEST_CASE("trusted SET_MAC_ADDR: the new MAC is programmed, and a reset event brings back the admin's")
{
    Fixture f(Admin().mac(admin_mac).trusted());
    f.reset();
    const MacAddress mine = MacAddress::parse("02:aa:bb:cc:dd:ee");
    CHECK(reply_of(f.send(0, {0x00000002, 0xccbbaa02, 0xeedd})) == Words{0xA0000002});
    CHECK(f.device.mac[0] == mine);
    CHECK(f.sup.state(0).mac == mine);

    f.sup.on_reset_event(0, t0);
    CHECK(f.device.mac[0] == admin_mac);
    CHECK_FALSE(f.device.queues[0]);
    CHECK_FALSE(f.sup.state(0).clear_to_send);
}

TEST_CASE("SET_VLAN is NACKed when a port VLAN is set; otherwise it joins and leaves")
{
    SECTION("port VLAN")
    {
        Fixture f(Admin().mac(admin_mac).port_vlan(10));
        f.reset();
        CHECK(f.device.vlans[0] == std::set<std::uint16_t>{10});
        CHECK(f.device.port_vlan[0] == 10);
        CHECK_FALSE(f.device.rx[0].accept_untagged);
        CHECK(f.device.rx[0].strip_vlan);
        const Outcome o = f.send(0, {0x00010004, 100});
        CHECK(reply_of(o) == Words{0x60010004});
        CHECK(o.reason == "port VLAN 10 is set; the VF may not choose VLANs");
    }
    SECTION("no port VLAN")
    {
        Fixture f;
        f.reset();
        CHECK(reply_of(f.send(0, {0x00010004, 100})) == Words{0xA0010004});
        CHECK(f.device.vlans[0] == std::set<std::uint16_t>{0, 100});
        CHECK(f.device.rx[0].strip_vlan);
        CHECK(reply_of(f.send(0, {0x00000004, 100})) == Words{0xA0000004});
        CHECK(f.device.vlans[0] == std::set<std::uint16_t>{0});
        CHECK_FALSE(f.device.rx[0].strip_vlan);
        CHECK(reply_of(f.send(0, {0x00000004, 0})) == Words{0xA0000004});  // VLAN 0 stays
        CHECK(f.device.vlans[0] == std::set<std::uint16_t>{0});
    }
    SECTION("the filter is full")
    {
        Fixture f;
        f.device.vlan_entries = 1;  // VLAN 0 takes it
        f.reset();
        const Outcome o = f.send(0, {0x00010004, 100});
        CHECK(reply_of(o) == Words{0x60010004});
        CHECK(o.reason == "every VLAN filter entry is in use");
    }
}

TEST_CASE("malformed words get a NACK that says why; an old answer in the buffer is ignored")
{
    Fixture f;
    SECTION("before VF_RESET: no CTS")
    {
        const Outcome o = f.send(0, {0x00010004});  // SET_VLAN without its VID word
        CHECK(reply_of(o) == Words{0x40010004});
        CHECK(o.reason.find("too_short") != std::string::npos);
    }
    SECTION("after VF_RESET: with CTS")
    {
        f.reset();
        CHECK(reply_of(f.send(0, {0x00010004})) == Words{0x60010004});
        CHECK(reply_of(f.send(0, {0x00000007})) == Words{0x60000007});        // unknown ID
        CHECK(reply_of(f.send(0, {0x00030004, 100})) == Words{0x60030004});   // SET_VLAN MSGINFO 3
        CHECK(reply_of(f.send(0, {0x20000002, 1, 2})) == Words{0x60000002});  // CTS from a VF
        CHECK(reply_of(f.send(0, {})) == Words{0x60000000});
    }
    SECTION("an answer, not a request")
    {
        f.reset();
        const Outcome o = f.send(0, {0x80000001, 0x33221102, 0x5544});
        CHECK(o.verdict == Verdict::ignored);
        CHECK_FALSE(o.reply.has_value());
    }
}

TEST_CASE("SET_LPE up to the chip's limit sets the pool's maximum frame")
{
    Fixture f;
    f.reset();
    CHECK(reply_of(f.send(0, {0x00000005, 1522})) == Words{0xA0000005});
    CHECK(f.device.rx[0].max_frame == 1522);
    CHECK(reply_of(f.send(0, {0x00000005, 0x3F01})) == Words{0x60000005});
    CHECK(f.device.rx[0].max_frame == 1522);
}

TEST_CASE("SET_PROMISC: multicast for a trusted VF only, unicast never, off always")
{
    Fixture untrusted;
    untrusted.reset();
    CHECK(reply_of(untrusted.send(0, {0x00020006})) == Words{0x60020006});
    CHECK_FALSE(untrusted.device.rx[0].multicast_promisc);
    CHECK(reply_of(untrusted.send(0, {0x00000006})) == Words{0xA0000006});

    Fixture trusted(Admin().mac(admin_mac).trusted());
    trusted.reset();
    CHECK(reply_of(trusted.send(0, {0x00020006})) == Words{0xA0020006});
    CHECK(trusted.device.rx[0].multicast_promisc);
    CHECK(reply_of(trusted.send(0, {0x00010006})) == Words{0x60010006});
}

TEST_CASE("SET_MULTICAST: the shared table holds the union of the VFs' hashes")
{
    Fixture f;
    f.reset(0);
    f.reset(1);
    CHECK(reply_of(f.send(0, {0x00020003, 0x00200010})) == Words{0xA0020003});
    CHECK(reply_of(f.send(1, {0x00020003, 0x00300020})) == Words{0xA0020003});
    CHECK(f.device.multicast == std::vector<std::uint16_t>{0x10, 0x20, 0x30});
    CHECK(f.device.rx[0].multicast_hashes);
    f.sup.on_reset_event(1, t0);
    CHECK(f.device.multicast == std::vector<std::uint16_t>{0x10, 0x20});
    CHECK_FALSE(f.device.rx[1].multicast_hashes);
}

TEST_CASE("an ACK from a VF that is not CTS gets a bare NACK, at most every 2 s")
{
    Fixture f;
    const Outcome first = f.sup.on_ack(0, t0);
    CHECK(reply_of(first) == Words{0x40000000});
    CHECK(f.sup.on_ack(0, t0 + 1s).verdict == Verdict::ignored);
    CHECK(reply_of(f.sup.on_ack(0, t0 + 3s)) == Words{0x40000000});

    f.reset();
    const Outcome cts = f.sup.on_ack(0, t0 + 10s);
    CHECK(cts.verdict == Verdict::ignored);
    CHECK_FALSE(cts.reply.has_value());
}

TEST_CASE("restore_all puts the administrator's settings in place with queues stopped")
{
    Fixture f(Admin().mac(admin_mac).no_spoof_check());
    f.sup.restore_all(t0);
    CHECK(f.device.mac[0] == admin_mac);
    CHECK_FALSE(f.device.mac[1].has_value());
    CHECK_FALSE(f.device.queues[0]);
    CHECK_FALSE(f.device.spoof_check[0]);
    CHECK(f.device.spoof_check[1]);
}

TEST_CASE("a VF that changes its own MAC is reported once, so that sriovd can keep the change")
{
    Fixture f(Admin().mac(admin_mac).trusted());
    std::vector<std::pair<unsigned, MacAddress>> seen;
    f.sup.on_mac_changed([&](unsigned vf, const MacAddress& mac) { seen.emplace_back(vf, mac); });
    f.reset();
    CHECK(reply_of(f.send(0, {0x00000002, 0x33221102, 0x5544})) == Words{0xA0000002});  // its MAC already
    CHECK(seen.empty());
    CHECK(reply_of(f.send(0, {0x00000002, 0xccbbaa02, 0xeedd})) == Words{0xA0000002});
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == std::pair{0u, MacAddress::parse("02:aa:bb:cc:dd:ee")});
}

// --- Operators' changes at run time ---

TEST_CASE("an operator's link state disable stops a running VF, takes CTS from its control message, and enable brings both back")
{
    Fixture f;
    f.reset();
    REQUIRE(f.device.queues[0]);
    CHECK(words_of(f.sup.control_message(0)) == Words{0x20000100});

    const VfAdmin before = f.policy.admin(0);
    VfAdmin disabled = before;
    disabled.link_state = LinkMode::disable;
    f.policy.set_admin(0, disabled);
    CHECK(f.sup.apply_admin(0, before, t0));  // the VF must be told
    CHECK_FALSE(f.device.queues[0]);
    CHECK(words_of(f.sup.control_message(0)) == Words{0x00000100});  // no CTS: its link is down
    // Still served otherwise: a reset answers with its MAC but leaves the queues stopped.
    CHECK(f.reset().verdict == Verdict::ack);
    CHECK_FALSE(f.device.queues[0]);

    f.policy.set_admin(0, before);
    CHECK(f.sup.apply_admin(0, disabled, t0));
    CHECK(f.device.queues[0]);
    CHECK(words_of(f.sup.control_message(0)) == Words{0x20000100});
}

TEST_CASE("a new administrator MAC makes the VF reset to learn it; spoof checking and trust apply at once")
{
    Fixture f;
    f.reset();
    const VfAdmin before = f.policy.admin(0);
    VfAdmin changed = before;
    changed.mac = MacAddress::parse("02:11:22:33:44:99");
    f.policy.set_admin(0, changed);
    CHECK(f.sup.apply_admin(0, before, t0));
    CHECK(f.device.mac[0] == MacAddress::parse("02:11:22:33:44:99"));
    CHECK_FALSE(f.device.queues[0]);
    CHECK_FALSE(f.sup.state(0).clear_to_send);
    // Its next acknowledgement gets at once the bare NACK that makes its driver reset.
    CHECK(reply_of(f.sup.on_ack(0, t0)) == Words{0x40000000});
    CHECK(reply_of(f.reset()) == Words{0x80000001, 0x33221102, 0x00009944});

    const VfAdmin b2 = f.policy.admin(0);
    VfAdmin c2 = b2;
    c2.spoof_check = false;
    c2.trusted = true;
    f.policy.set_admin(0, c2);
    CHECK_FALSE(f.sup.apply_admin(0, b2, t0));  // nothing the VF must be told
    CHECK_FALSE(f.device.spoof_check[0]);
    CHECK(f.device.queues[0]);
}

TEST_CASE("a port VLAN set at run time replaces the VLANs the VF joined, without a reset")
{
    Fixture f;
    f.reset();
    CHECK(f.send(0, {0x00010004, 100}).verdict == Verdict::ack);
    REQUIRE(f.device.vlans[0] == std::set<std::uint16_t>{0, 100});
    const VfAdmin before = f.policy.admin(0);
    VfAdmin tagged = before;
    tagged.port_vlan = 10;
    tagged.port_vlan_qos = 5;
    f.policy.set_admin(0, tagged);
    CHECK_FALSE(f.sup.apply_admin(0, before, t0));
    CHECK(f.device.vlans[0] == std::set<std::uint16_t>{10});
    CHECK(f.device.port_vlan[0] == std::uint16_t{10 | 5 << 13});
    CHECK_FALSE(f.device.rx[0].accept_untagged);
    CHECK(f.device.queues[0]);
    CHECK(f.sup.state(0).clear_to_send);
}

TEST_CASE("a quarantined VF: queues stopped, requests refused, resets served, until released")
{
    Fixture f;
    f.reset();
    f.sup.quarantine(0);
    CHECK_FALSE(f.device.queues[0]);
    CHECK(words_of(f.sup.control_message(0)) == Words{0x00000100});
    CHECK(reply_of(f.send(0, {0x00010004, 100})) == Words{0x40010004});  // NACK, no CTS
    CHECK(f.reset().verdict == Verdict::ack);
    CHECK_FALSE(f.device.queues[0]);
    f.sup.on_reset_event(0, t0);  // an FLR does not end it either
    CHECK(f.sup.state(0).quarantined);
    CHECK(f.sup.release(0, t0));
    CHECK_FALSE(f.sup.release(0, t0));  // not quarantined any more
    f.reset();
    CHECK(f.device.queues[0]);
}

TEST_CASE("the administrator's frame size and multicast limits are enforced; lowering them takes back what is over")
{
    VfAdmin limited = Admin().mac(admin_mac);
    limited.max_frame = 1522;
    limited.max_multicast = 2;
    Fixture f(limited);
    f.reset();
    // SET_LPE 1522 (0x5F2) is allowed, 9018 is not (the fake chip takes up to 16128).
    CHECK(f.send(0, {0x00000005, 1522}).verdict == Verdict::ack);
    const Outcome big = f.send(0, {0x00000005, 9018});
    CHECK(reply_of(big) == Words{0x60000005});
    CHECK(big.reason == "9018 bytes is above the 1522 bytes the administrator allows");
    // Two multicast hashes are allowed, three are not.
    CHECK(f.send(0, {0x00020003, 0x00200010}).verdict == Verdict::ack);
    CHECK(f.send(0, {0x00030003, 0x00200010, 0x0030}).verdict == Verdict::nack);
    CHECK(f.device.multicast == std::vector<std::uint16_t>{0x010, 0x020});

    const VfAdmin before = f.policy.admin(0);
    VfAdmin lower = before;
    lower.max_multicast = 1;
    lower.max_frame = 1518;
    f.policy.set_admin(0, lower);
    CHECK_FALSE(f.sup.apply_admin(0, before, t0));
    CHECK(f.device.multicast.size() == 1);
    CHECK(f.device.rx[0].max_frame == 1518);
}

TEST_CASE("a VF joins at most max_vlans VLANs; lowering the limit takes back those it joined last")
{
    VfAdmin limited = Admin().mac(admin_mac);
    limited.max_vlans = 2;
    Fixture f(limited);
    f.reset();
    CHECK(f.send(0, {0x00010004, 100}).verdict == Verdict::ack);
    CHECK(f.send(0, {0x00010004, 200}).verdict == Verdict::ack);
    // A third is refused (NACK with CTS: the VF keeps running), and the filter is left alone.
    const Outcome third = f.send(0, {0x00010004, 300});
    CHECK(reply_of(third) == Words{0x60010004});
    CHECK(third.reason == "3 VLANs is more than the 2 the administrator allows");
    CHECK(f.device.vlans[0] == std::set<std::uint16_t>{0, 100, 200});
    // VLAN 0 and a VLAN it is in already take no new entry; leaving one makes room.
    CHECK(f.send(0, {0x00010004, 0}).verdict == Verdict::ack);
    CHECK(f.send(0, {0x00010004, 100}).verdict == Verdict::ack);
    CHECK(f.send(0, {0x00000004, 100}).verdict == Verdict::ack);
    CHECK(f.send(0, {0x00010004, 300}).verdict == Verdict::ack);
    CHECK(f.device.vlans[0] == std::set<std::uint16_t>{0, 200, 300});
    // The other VF is not limited by VF 0's count.
    f.reset(1);
    CHECK(f.send(1, {0x00010004, 400}).verdict == Verdict::ack);

    const VfAdmin before = f.policy.admin(0);
    VfAdmin lower = before;
    lower.max_vlans = 1;
    f.policy.set_admin(0, lower);
    CHECK_FALSE(f.sup.apply_admin(0, before, t0));
    CHECK(f.device.vlans[0] == std::set<std::uint16_t>{0, 200});  // 300 came last
    CHECK(f.sup.state(0).vlans == std::vector<std::uint16_t>{200});
    CHECK(f.device.rx[0].strip_vlan);
    CHECK(f.send(0, {0x00010004, 300}).verdict == Verdict::nack);

    const VfAdmin b2 = f.policy.admin(0);
    VfAdmin zero = b2;
    zero.max_vlans = 0;
    f.policy.set_admin(0, zero);
    f.sup.apply_admin(0, b2, t0);
    CHECK(f.device.vlans[0] == std::set<std::uint16_t>{0});
    CHECK_FALSE(f.device.rx[0].strip_vlan);
    CHECK(f.device.queues[0]);  // still running, without a reset
}

TEST_CASE("a port VLAN does not count against max_vlans")
{
    VfAdmin tagged = Admin().mac(admin_mac).port_vlan(10);
    tagged.max_vlans = 0;
    Fixture f(tagged);
    CHECK(f.reset().verdict == Verdict::ack);
    CHECK(f.device.vlans[0] == std::set<std::uint16_t>{10});
    CHECK(f.device.queues[0]);
}

TEST_CASE("resume_all: a VF that was clear to send gets its filters back and keeps CTS, without a reset")
{
    Fixture before;
    before.reset(0);
    before.send(0, {0x00010004, 100});         // VLAN 100
    before.send(0, {0x00010003, 0x00000123});  // multicast hash 0x123
    before.send(0, {0x00000005, 1522});        // SET_LPE
    const std::vector<VfState> granted = before.sup.states();

    Fixture f;
    unsigned notified = 0;
    f.sup.on_state_changed([&] { ++notified; });
    CHECK(f.sup.resume_all(granted, t0) == 1);
    CHECK(notified >= 1);
    CHECK(f.device.mac[0] == admin_mac);
    CHECK(f.device.queues[0]);
    CHECK(f.device.vlans[0] == std::set<std::uint16_t>{0, 100});
    CHECK(f.device.multicast == std::vector<std::uint16_t>{0x123});
    CHECK(f.device.rx[0].multicast_hashes);
    CHECK(f.device.rx[0].max_frame == 1522);
    CHECK(f.sup.state(0).clear_to_send);
    CHECK(words_of(f.sup.control_message(0)) == Words{0x20000100});  // CTS: the link stays up
    // VF 1 never reset: it is told to, at its first acknowledgement.
    CHECK(!f.sup.state(1).clear_to_send);
    CHECK(!f.device.queues[1]);
    CHECK(f.sup.on_ack(1, t0).verdict == Verdict::nack);
}

TEST_CASE("resume_all: a changed MAC means a reset; VLANs no longer allowed are left out; quarantine kept")
{
    Fixture before;
    before.reset(0);
    before.send(0, {0x00010004, 100});
    before.sup.quarantine(0);
    std::vector<VfState> granted = before.sup.states();

    SECTION("the administrator's MAC changed while sriovd was down")
    {
        Fixture f(Admin().mac(MacAddress::parse("02:11:22:33:44:99")));
        CHECK(f.sup.resume_all(granted, t0) == 0);
        CHECK(!f.sup.state(0).clear_to_send);
        CHECK(f.sup.state(0).quarantined);
    }
    SECTION("VLAN 100 is no longer allowed")
    {
        granted[0].quarantined = false;
        Fixture f(Admin().mac(admin_mac).allowed_vlans({200}));
        CHECK(f.sup.resume_all(granted, t0) == 1);
        CHECK(f.device.vlans[0] == std::set<std::uint16_t>{0});
        CHECK(f.sup.state(0).vlans.empty());
        CHECK(f.device.queues[0]);
    }
    SECTION("still quarantined: CTS kept for the handshake, but the queues stay stopped")
    {
        Fixture f;
        CHECK(f.sup.resume_all(granted, t0) == 1);
        CHECK(f.sup.state(0).quarantined);
        CHECK(!f.device.queues[0]);
        CHECK(words_of(f.sup.control_message(0)) == Words{0x00000100});  // no CTS
    }
}

TEST_CASE("the state observer hears of resets, answered requests and quarantines, not of ignored words")
{
    Fixture f;
    unsigned notified = 0;
    f.sup.on_state_changed([&] { ++notified; });
    f.reset(0);
    CHECK(notified == 1);
    f.send(0, {0x00010004, 100});  // VLAN 100: granted
    CHECK(notified == 2);
    f.send(0, {0x80010004, 100});  // carries ACK: an old answer still in the buffer, ignored
    CHECK(notified == 2);
    f.sup.quarantine(0);
    CHECK(notified == 3);
}
