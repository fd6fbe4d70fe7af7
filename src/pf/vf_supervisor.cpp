#include "pf/vf_supervisor.hpp"

#include "mbx/protocol.hpp"
#include "mbx/reply.hpp"
#include "pf/request_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

namespace sriov::pf {

namespace {

// The answer to a valid request other than VF_RESET (its word 0 has no ACK, NACK or CTS bits).
// cts: the VF may run. igbvf takes the last word it finds in the mailbox for its link check, so a
// VF whose link is disabled or that is quarantined never gets CTS, in answers either.
Outcome answer(std::uint32_t word0, bool ack, std::string request, std::string reason, bool cts)
{
    Outcome o;
    o.reply = mbx::encode(mbx::GenericReply{word0, ack, cts});
    o.verdict = ack ? Verdict::ack : Verdict::nack;
    o.request = std::move(request);
    o.reason = std::move(reason);
    return o;
}

}  // namespace

std::string_view to_string(Verdict verdict) noexcept
{
    switch (verdict) {
    case Verdict::ack: return "ACK";
    case Verdict::nack: return "NACK";
    case Verdict::ignored: return "ignored";
    }
    return "?";
}

VfSupervisor::VfSupervisor(PfDevice& device, const VfPolicy& policy)
    : device_(device), policy_(policy), state_(policy.num_vfs())
{
}

void VfSupervisor::restore_all(Clock::time_point now)
{
    for (unsigned vf = 0; vf < num_vfs(); ++vf)
        on_reset_event(vf, now);
}

unsigned VfSupervisor::resume_all(const std::vector<VfState>& saved, Clock::time_point now)
{
    restore_all(now - nack_interval);
    unsigned resumed = 0;
    for (unsigned vf = 0; vf < num_vfs() && vf < saved.size(); ++vf) {
        const VfState& was = saved[vf];
        VfState& s = state_[vf];
        s.quarantined = was.quarantined;
        if (!was.clear_to_send || was.mac != policy_.admin(vf).mac)
            continue;  // it must reset to learn its MAC, as after restore_all()
        s.clear_to_send = true;
        s.last_nack.reset();
        s.multicast_promisc = was.multicast_promisc && policy_.multicast_promisc(vf).allowed;
        s.multicast_overflow = was.multicast_overflow;
        s.multicast.assign(was.multicast.begin(),
                           was.multicast.begin() +
                               static_cast<std::ptrdiff_t>(std::min<std::size_t>(was.multicast.size(),
                                                                                 policy_.admin(vf).max_multicast)));
        s.max_frame = policy_.max_frame(vf, was.max_frame, device_.max_frame()).allowed ? was.max_frame : 0;
        for (const std::uint16_t vid : was.vlans)
            if (vid != 0 && policy_.set_vlan(vf, vid, true).allowed &&
                policy_.vlan_count(vf, s.vlans.size() + 1).allowed && device_.set_vf_vlan(vf, vid, true))
                s.vlans.push_back(vid);
        apply_rx_mode(vf);
        device_.enable_vf_queues(vf, may_run(vf));
        ++resumed;
    }
    apply_multicast();
    changed();
    return resumed;
}

// Linux igb_vf_reset_event and igb_vf_reset.
void VfSupervisor::on_reset_event(unsigned vf, Clock::time_point now)
{
    reset_state(vf, false, now);
    program(vf);
    device_.enable_vf_queues(vf, false);
    changed();
}

void VfSupervisor::reset_state(unsigned vf, bool keep_mac, Clock::time_point now)
{
    VfState& s = state_.at(vf);
    // A MAC the VF set itself (allowed by policy) survives VF_RESET, as in Linux; otherwise, and
    // after a reset event, the administrator's.
    const std::optional<MacAddress> mac = keep_mac && s.mac ? s.mac : policy_.admin(vf).mac;
    const bool quarantined = s.quarantined;
    s = VfState{};
    s.mac = mac;
    s.quarantined = quarantined;
    s.last_nack = now;
}

// The VF's filters after a reset: its MAC, VLAN 0 (Linux adds the VF to it) or the port VLAN,
// spoof checking, and its receive mode; the shared multicast table without its hashes.
void VfSupervisor::program(unsigned vf)
{
    const VfAdmin& admin = policy_.admin(vf);
    device_.set_vf_mac(vf, state_.at(vf).mac);
    device_.clear_vf_vlans(vf);
    device_.set_vf_vlan(vf, admin.port_vlan.value_or(0), true);
    std::optional<std::uint16_t> tag;
    if (admin.port_vlan)
        tag = static_cast<std::uint16_t>(*admin.port_vlan | admin.port_vlan_qos << 13);  // 802.1Q TCI
    device_.set_vf_port_vlan(vf, tag);
    device_.set_vf_spoof_check(vf, admin.spoof_check);
    apply_rx_mode(vf);
    apply_multicast();
}

VfRxMode VfSupervisor::rx_mode(unsigned vf) const
{
    const VfAdmin& admin = policy_.admin(vf);
    const VfState& s = state_.at(vf);
    VfRxMode m;
    m.accept_untagged = !admin.port_vlan;
    m.accept_broadcast = true;
    // More groups than hashes means all multicast, for a VF allowed to receive it (Linux: any VF).
    m.multicast_promisc =
        s.multicast_promisc || (s.multicast_overflow && policy_.multicast_promisc(vf).allowed);
    m.multicast_hashes = !m.multicast_promisc && !s.multicast.empty();
    m.strip_vlan = admin.port_vlan.has_value() ||
        std::any_of(s.vlans.begin(), s.vlans.end(), [](std::uint16_t vid) { return vid != 0; });
    m.max_frame = s.max_frame;
    return m;
}

void VfSupervisor::apply_rx_mode(unsigned vf) { device_.set_vf_rx_mode(vf, rx_mode(vf)); }

// The multicast table is shared: it holds the hashes of every VF that filters by hash.
void VfSupervisor::apply_multicast()
{
    std::vector<std::uint16_t> hashes;
    for (unsigned vf = 0; vf < num_vfs(); ++vf)
        if (rx_mode(vf).multicast_hashes)
            hashes.insert(hashes.end(), state_[vf].multicast.begin(), state_[vf].multicast.end());
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    device_.set_multicast_hashes(hashes);
}

Outcome VfSupervisor::on_message(unsigned vf, std::span<const std::uint32_t> words, Clock::time_point now)
{
    Outcome o = serve_message(vf, words, now);
    if (o.verdict != Verdict::ignored)  // a refusal changes nothing, but VF_RESET NACKed does
        changed();
    return o;
}

Outcome VfSupervisor::serve_message(unsigned vf, std::span<const std::uint32_t> words, Clock::time_point now)
{
    VfState& s = state_.at(vf);
    const std::uint32_t word0 = words.empty() ? 0 : words[0];
    const auto decoded = mbx::decode_request(words);
    if (!decoded) {
        const mbx::Malformed& bad = decoded.error();
        Outcome o;
        o.request = describe_word0(word0);
        if (bad.defect == mbx::Defect::already_answered) {
            o.reason = "it carries ACK or NACK: an answer still in the buffer, not a request";
            return o;
        }
        // NACK it under its own ID and MSGINFO, so that a VF waiting for an answer gets one.
        const std::uint32_t keep = mbx::E1000_VT_MSGINFO_MASK | mbx::msgid_mask;
        o.reply = mbx::Message{(word0 & keep) | mbx::E1000_VT_MSGTYPE_NACK |
                               (s.clear_to_send && may_run(vf) ? mbx::E1000_VT_MSGTYPE_CTS : 0)};
        o.verdict = Verdict::nack;
        o.reason = fmt::format("malformed ({}): {}", mbx::to_string(bad.defect), bad.reason);
        o.malformed = true;
        return o;
    }
    const mbx::Request& request = decoded.value();
    if (std::holds_alternative<mbx::VfReset>(request))
        return serve_reset(vf, now);
    if (!s.clear_to_send) {
        // Linux: until the VF completes a reset it may not configure anything.
        Outcome o;
        o.reply = mbx::encode(mbx::GenericReply{word0, false, false});
        o.verdict = Verdict::nack;
        o.request = describe(request);
        o.reason = "the VF has not completed VF_RESET (no CTS)";
        return o;
    }
    if (s.quarantined)
        return answer(word0, false, describe(request), "the VF is quarantined until an operator releases it", false);
    return serve(vf, word0, request);
}

// Linux igb_vf_reset_msg.
Outcome VfSupervisor::serve_reset(unsigned vf, Clock::time_point now)
{
    reset_state(vf, true, now);
    program(vf);
    const bool run = may_run(vf);
    device_.enable_vf_queues(vf, run);
    VfState& s = state_[vf];
    s.clear_to_send = true;

    const char* queues = run ? "queues enabled"
                             : (s.quarantined ? "queues stay stopped (quarantined)"
                                              : "queues stay stopped (link disabled by the administrator)");
    Outcome o;
    o.reply = mbx::encode(mbx::ResetReply{s.mac});
    o.verdict = s.mac ? Verdict::ack : Verdict::nack;
    o.request = "VF_RESET";
    o.reason = s.mac ? fmt::format("MAC {}, {}, clear to send", *s.mac, queues)
                     : fmt::format("no MAC assigned by the administrator (the VF makes one up); {}, clear to send",
                                   queues);
    return o;
}

Outcome VfSupervisor::serve(unsigned vf, std::uint32_t word0, const mbx::Request& request)
{
    VfState& s = state_[vf];
    const bool cts = may_run(vf);
    std::string text = describe(request);
    return std::visit(
        [&](const auto& r) -> Outcome {
            using T = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<T, mbx::SetMac>) {
                Decision d = policy_.set_mac(vf, s.mac, r.mac);
                if (d.allowed && s.mac != r.mac) {
                    s.mac = r.mac;
                    device_.set_vf_mac(vf, s.mac);
                    if (mac_observer_)
                        mac_observer_(vf, r.mac);
                }
                return answer(word0, d.allowed, std::move(text), std::move(d.reason), cts);
            } else if constexpr (std::is_same_v<T, mbx::ClearMacFilters>) {
                return answer(word0, true, std::move(text), "no extra unicast filters are kept", cts);
            } else if constexpr (std::is_same_v<T, mbx::AddMacFilter>) {
                return answer(word0, false, std::move(text), "extra unicast filters are not supported", cts);
            } else if constexpr (std::is_same_v<T, mbx::SetMulticast>) {
                Decision d = policy_.multicast(vf, r.hashes().size(), r.overflow());
                if (!d.allowed)
                    return answer(word0, false, std::move(text), std::move(d.reason), cts);
                s.multicast.assign(r.hashes().begin(), r.hashes().end());
                s.multicast_overflow = r.overflow();
                apply_rx_mode(vf);
                apply_multicast();
                return answer(word0, true, std::move(text), "multicast filter updated", cts);
            } else if constexpr (std::is_same_v<T, mbx::SetVlan>) {
                Outcome o = set_vlan(vf, r);
                o.reply = mbx::encode(mbx::GenericReply{word0, o.verdict == Verdict::ack, cts});
                o.request = std::move(text);
                return o;
            } else if constexpr (std::is_same_v<T, mbx::SetLpe>) {
                Decision d = policy_.max_frame(vf, r.max_frame, device_.max_frame());
                if (!d.allowed)
                    return answer(word0, false, std::move(text), std::move(d.reason), cts);
                s.max_frame = r.max_frame;
                apply_rx_mode(vf);
                return answer(word0, true, std::move(text), "maximum frame size set", cts);
            } else if constexpr (std::is_same_v<T, mbx::SetPromisc>) {
                if (r.unicast)
                    return answer(word0, false, std::move(text), "unicast promiscuous mode is not supported", cts);
                if (r.multicast) {
                    Decision d = policy_.multicast_promisc(vf);
                    if (!d.allowed)
                        return answer(word0, false, std::move(text), std::move(d.reason), cts);
                }
                s.multicast_promisc = r.multicast;
                apply_rx_mode(vf);
                apply_multicast();
                return answer(word0, true, std::move(text),
                              r.multicast ? "all multicast accepted" : "promiscuous mode off", cts);
            } else {
                // VfReset is served before; nothing else is a request.
                return answer(word0, false, std::move(text), "not expected here", cts);
            }
        },
        request);
}

// Linux igb_set_vf_vlan_msg. The caller fills in reply and request.
Outcome VfSupervisor::set_vlan(unsigned vf, const mbx::SetVlan& r)
{
    VfState& s = state_[vf];
    Outcome o;
    Decision d = policy_.set_vlan(vf, r.vid, r.add);
    o.verdict = d.allowed ? Verdict::ack : Verdict::nack;
    o.reason = std::move(d.reason);
    if (!d.allowed)
        return o;
    const bool member = std::find(s.vlans.begin(), s.vlans.end(), r.vid) != s.vlans.end();
    if (r.vid == 0) {
        // Every VF is in VLAN 0 from its reset on; Linux does not let it leave.
        o.reason = r.add ? "VLAN 0 is always on" : "VLAN 0 stays on";
        return o;
    }
    if (r.add && !member) {
        if (Decision n = policy_.vlan_count(vf, s.vlans.size() + 1); !n.allowed) {
            o.verdict = Verdict::nack;
            o.reason = std::move(n.reason);
            return o;
        }
        if (!device_.set_vf_vlan(vf, r.vid, true)) {
            o.verdict = Verdict::nack;
            o.reason = "every VLAN filter entry is in use";
            return o;
        }
        s.vlans.push_back(r.vid);
    } else if (!r.add && member) {
        device_.set_vf_vlan(vf, r.vid, false);
        s.vlans.erase(std::find(s.vlans.begin(), s.vlans.end(), r.vid));
    }
    apply_rx_mode(vf);
    o.reason = r.add ? (member ? "already a member" : "VLAN filter added")
                     : (member ? "VLAN filter removed" : "not a member");
    return o;
}

// Linux igb_rcv_ack_from_vf.
Outcome VfSupervisor::on_ack(unsigned vf, Clock::time_point now)
{
    VfState& s = state_.at(vf);
    Outcome o;
    o.request = "ACK";
    if (s.clear_to_send) {
        o.reason = "the VF read our message";
        return o;
    }
    if (s.last_nack && now - *s.last_nack < nack_interval) {
        o.reason = "not clear to send; told so less than 2 s ago";
        return o;
    }
    s.last_nack = now;
    o.reply = mbx::encode(mbx::BareNack{});
    o.verdict = Verdict::nack;
    o.reason = "the VF is not clear to send: it must reset first";
    return o;
}

mbx::Message VfSupervisor::control_message(unsigned vf) const
{
    // Without CTS a VF driver takes its link for down (igbvf's link check).
    return mbx::encode(mbx::ControlMessage{state_.at(vf).clear_to_send && may_run(vf)});
}

bool VfSupervisor::may_run(unsigned vf) const
{
    return !state_.at(vf).quarantined && policy_.admin(vf).link_state != LinkMode::disable;
}

bool VfSupervisor::apply_admin(unsigned vf, const VfAdmin& before, Clock::time_point now)
{
    const bool tell = apply_admin_change(vf, before, now);
    changed();
    return tell;
}

bool VfSupervisor::apply_admin_change(unsigned vf, const VfAdmin& before, Clock::time_point now)
{
    const VfAdmin& now_admin = policy_.admin(vf);
    VfState& s = state_.at(vf);
    if (now_admin.mac != before.mac) {
        // The VF learns its MAC only from the answer to VF_RESET.
        resync(vf, now);
        return true;
    }
    if (now_admin.port_vlan != before.port_vlan || now_admin.port_vlan_qos != before.port_vlan_qos ||
        now_admin.allowed_vlans != before.allowed_vlans) {
        // Under a port VLAN the VF may not have VLANs of its own; otherwise it keeps those still
        // allowed.
        std::erase_if(s.vlans, [&](std::uint16_t vid) { return !policy_.set_vlan(vf, vid, true).allowed; });
        program(vf);
        for (auto vid : s.vlans)
            device_.set_vf_vlan(vf, vid, true);
    }
    if (s.vlans.size() > now_admin.max_vlans) {
        // The VLANs it joined last are taken back; it is refused if it asks for more again.
        for (auto it = s.vlans.begin() + now_admin.max_vlans; it != s.vlans.end(); ++it)
            device_.set_vf_vlan(vf, *it, false);
        s.vlans.resize(now_admin.max_vlans);
        apply_rx_mode(vf);
    }
    if (now_admin.max_frame != before.max_frame || now_admin.max_multicast != before.max_multicast) {
        // What the VF has beyond its new limits is taken back; it is refused if it asks again.
        if (!policy_.max_frame(vf, s.max_frame, device_.max_frame()).allowed)
            s.max_frame = now_admin.max_frame;
        if (s.multicast.size() > now_admin.max_multicast)
            s.multicast.resize(now_admin.max_multicast);
        if (now_admin.max_multicast < 30)
            s.multicast_overflow = false;
        apply_rx_mode(vf);
        apply_multicast();
    }
    if (now_admin.spoof_check != before.spoof_check)
        device_.set_vf_spoof_check(vf, now_admin.spoof_check);
    if (now_admin.trusted != before.trusted) {
        if (!policy_.multicast_promisc(vf).allowed)
            s.multicast_promisc = false;
        apply_rx_mode(vf);
        apply_multicast();
    }
    if (now_admin.link_state != before.link_state) {
        device_.enable_vf_queues(vf, s.clear_to_send && may_run(vf));
        return true;
    }
    return false;
}

void VfSupervisor::resync(unsigned vf, Clock::time_point now)
{
    // As after a reset event, but the VF driver does not know: its next acknowledgement is
    // answered at once with the NACK that makes it reset.
    on_reset_event(vf, now);
    state_[vf].last_nack = now - nack_interval;
}

void VfSupervisor::quarantine(unsigned vf)
{
    state_.at(vf).quarantined = true;
    device_.enable_vf_queues(vf, false);
    changed();
}

bool VfSupervisor::release(unsigned vf, Clock::time_point now)
{
    if (!state_.at(vf).quarantined)
        return false;
    state_[vf].quarantined = false;
    resync(vf, now);
    return true;
}

}  // namespace sriov::pf
