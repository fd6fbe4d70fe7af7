// Fuzz target: what a hostile VF can make the PF side do through the mailbox.
//
// The input describes a PF and then a run of events, all read front to back (fuzz_input.hpp):
//
//   byte 0            number of VFs, 1 + b % 7
//   byte 1            VLAN filter entries the fake PF has, 1 + b % 32 (small: the filter fills up)
//   bytes 2..6        policing: requests per second, burst, max malformed, refused, dropped
//   6 bytes per VF    the administrator's settings (admin_from below)
//   then events       one byte each: kind = b & 7, VF = (b >> 3) % VFs, and the kind's operands
//     0, 1, 2         a mailbox message: a length byte (0..17 words, b % 18), then that many
//                     32-bit little-endian words; served as sriovd's mailbox service does it
//                     (policer first, then VfSupervisor::on_message, quarantine on an offence)
//     3               the VF acknowledged our message (on_ack)
//     4               the VF reset itself (on_reset_event)
//     5               time passes: a byte of tens of milliseconds
//     6               an operator quarantines the VF, or releases it if it is quarantined
//     7               an operator changes the VF's settings (6 more bytes, as above; apply_admin)
//
// Besides crashes, leaks and undefined behaviour, it aborts when the PF breaks a rule that the
// policy promises whatever a VF sends (check_rules below), or when a request that decodes does not
// encode back to the same request.
#include "fake_pf_device.hpp"
#include "fuzz_input.hpp"
#include "mbx/request.hpp"
#include "pf/request_policer.hpp"
#include "pf/vf_policy.hpp"
#include "pf/vf_supervisor.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace sriov;

namespace {

using Clock = pf::VfSupervisor::Clock;

[[noreturn]] void broken(const char* rule, unsigned vf)
{
    std::fprintf(stderr, "fuzz_mailbox: VF %u: %s\n", vf, rule);
    std::abort();
}

// Six bytes: flags, a MAC byte, a VLAN word, a frame-size byte, a byte b for the limits (b % 31
// multicast groups, b / 31 VLANs: 0..8, small enough for a VF to reach).
//   flags bit 0 a MAC, 1 trusted, 2 a port VLAN, 3 a list of allowed VLANs (without a port VLAN),
//   4 spoof checking, 6:5 link state (0 and 3 auto, 1 enable, 2 disable), 7 generated MAC.
pf::VfAdmin admin_from(fuzz::Input& in, unsigned vf)
{
    const std::uint8_t flags = in.byte();
    const std::uint8_t mac_byte = in.byte();
    const std::uint16_t vlan_word = in.u16();
    const std::uint8_t frame = in.byte();
    const std::uint8_t limits = in.byte();
    pf::VfAdmin a;
    if (flags & 0x01)
        a.mac = MacAddress({0x02, 0x00, 0x00, 0x00, static_cast<std::uint8_t>(vf), mac_byte});
    a.generated_mac = (flags & 0x80) != 0;
    a.trusted = (flags & 0x02) != 0;
    if (flags & 0x04) {
        a.port_vlan = static_cast<std::uint16_t>(1 + (vlan_word & 0x0FFF) % 4095);
        a.port_vlan_qos = static_cast<std::uint8_t>(vlan_word >> 13);
    } else if (flags & 0x08) {
        a.allowed_vlans = std::vector<std::uint16_t>{static_cast<std::uint16_t>(vlan_word & 0x0FFF),
                                                     static_cast<std::uint16_t>(vlan_word >> 12)};
    }
    a.spoof_check = (flags & 0x10) != 0;
    switch ((flags >> 5) & 3) {
    case 1: a.link_state = pf::LinkMode::enable; break;
    case 2: a.link_state = pf::LinkMode::disable; break;
    default: a.link_state = pf::LinkMode::automatic; break;
    }
    a.max_frame = frame == 0 ? 0 : static_cast<std::uint16_t>(64 + frame * 64);
    a.max_multicast = limits % 31u;
    a.max_vlans = limits / 31u;
    return a;
}

// What the policy promises for every VF after any sequence of events.
void check_rules(const pf::VfSupervisor& vfs, const pf::VfPolicy& policy, const pf::test::FakePfDevice& device,
                 const std::array<bool, pf::test::FakePfDevice::vfs>& ever_trusted)
{
    for (unsigned vf = 0; vf < vfs.num_vfs(); ++vf) {
        const pf::VfState& s = vfs.state(vf);
        const pf::VfAdmin& a = policy.admin(vf);
        if (device.queues[vf] && !(s.clear_to_send && vfs.may_run(vf)))
            broken("queues enabled for a VF that is not clear to send, quarantined or disabled", vf);
        if (a.mac && !ever_trusted[vf] && device.mac[vf] != a.mac)
            broken("an untrusted VF has another MAC than the administrator's", vf);
        if (a.port_vlan)
            for (auto vid : device.vlans[vf])
                if (vid != *a.port_vlan)
                    broken("a VF under a port VLAN is in another VLAN", vf);
        if (!a.port_vlan && a.allowed_vlans)
            for (auto vid : device.vlans[vf])
                if (vid != 0 && std::find(a.allowed_vlans->begin(), a.allowed_vlans->end(), vid) ==
                                    a.allowed_vlans->end())
                    broken("a VF is in a VLAN it is not allowed", vf);
        const auto own = std::count_if(device.vlans[vf].begin(), device.vlans[vf].end(),
                                       [&](std::uint16_t vid) { return vid != 0 && vid != a.port_vlan; });
        if (static_cast<std::size_t>(own) > a.max_vlans || s.vlans.size() > a.max_vlans)
            broken("a VF holds more VLANs than its max_vlans", vf);
        if (!a.trusted && device.rx[vf].multicast_promisc)
            broken("an untrusted VF receives all multicast", vf);
        if (device.rx[vf].max_frame > device.max_frame())
            broken("a VF receives frames larger than the chip's limit", vf);
        if (s.multicast.size() > mbx::max_mc_hashes)
            broken("a VF holds more multicast hashes than a message can carry", vf);
    }
}

// A request that decodes must encode to words that decode to the same request.
void check_round_trip(std::span<const std::uint32_t> words)
{
    const auto decoded = mbx::decode_request(words);
    if (!decoded) {
        (void)mbx::describe(decoded.error());
        return;
    }
    const mbx::Message again = mbx::encode(decoded.value());
    const auto redecoded = mbx::decode_request(again);
    if (!redecoded || !(redecoded.value() == decoded.value()))
        broken("a decoded request does not survive encode and decode", 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::Input in(data, size);
    const unsigned num_vfs = 1 + in.byte() % 7u;
    pf::test::FakePfDevice device;
    device.vlan_entries = 1 + in.byte() % 32u;
    pf::PolicingLimits limits;
    limits.requests_per_s = 1 + in.byte() % 50;
    limits.burst = 1 + in.byte() % 64u;
    limits.max_malformed = in.byte() % 16u;
    limits.max_refused = in.byte() % 32u;
    limits.max_dropped = in.byte() % 64u;

    pf::VfPolicy policy(num_vfs);
    std::array<bool, pf::test::FakePfDevice::vfs> ever_trusted{};
    for (unsigned vf = 0; vf < num_vfs; ++vf) {
        policy.set_admin(vf, admin_from(in, vf));  // valid by construction: a throw is a bug
        ever_trusted[vf] = policy.admin(vf).trusted;
    }

    Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);
    pf::VfSupervisor vfs(device, policy);
    pf::RequestPolicer policer(num_vfs, limits);
    vfs.restore_all(now);

    auto quarantine_if_offending = [&](unsigned vf) {
        if (policer.offence(vf) && !vfs.state(vf).quarantined) {
            vfs.quarantine(vf);
            policer.forgive(vf, now, true);
        }
    };

    while (!in.empty()) {
        const std::uint8_t event = in.byte();
        const unsigned vf = (event >> 3) % num_vfs;
        switch (event & 7) {
        case 0:
        case 1:
        case 2: {
            std::vector<std::uint32_t> words(in.byte() % 18u);
            for (auto& w : words)
                w = in.u32();
            check_round_trip(words);
            if (!policer.admit(vf, now)) {
                quarantine_if_offending(vf);
                break;
            }
            const bool could_configure = vfs.state(vf).clear_to_send && !vfs.state(vf).quarantined;
            const pf::Outcome o = vfs.on_message(vf, words, now);
            if (o.verdict == pf::Verdict::ack && o.request != "VF_RESET" && !could_configure)
                broken("a request was granted before VF_RESET or in quarantine", vf);
            if (o.reply && o.reply->size() > mbx::Message::capacity)
                broken("a reply longer than the mailbox", vf);
            policer.record(vf, o.malformed                       ? pf::RequestResult::malformed
                               : o.verdict == pf::Verdict::nack ? pf::RequestResult::refused
                                                                : pf::RequestResult::served);
            quarantine_if_offending(vf);
            break;
        }
        case 3: (void)vfs.on_ack(vf, now); break;
        case 4: vfs.on_reset_event(vf, now); break;
        case 5: now += std::chrono::milliseconds(10 * in.byte()); break;
        case 6:
            if (!vfs.release(vf, now)) {
                vfs.quarantine(vf);
                policer.forgive(vf, now, true);
            } else {
                policer.forgive(vf, now, false);
            }
            break;
        case 7: {
            const pf::VfAdmin before = policy.admin(vf);
            policy.set_admin(vf, admin_from(in, vf));
            ever_trusted[vf] = ever_trusted[vf] || policy.admin(vf).trusted;
            (void)vfs.apply_admin(vf, before, now);
            break;
        }
        }
        (void)vfs.control_message(vf);
        check_rules(vfs, policy, device, ever_trusted);
    }
    return 0;
}
