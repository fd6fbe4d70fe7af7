#include "vf/vf_control.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>
#include <vector>

namespace sriov::vf {

namespace e = e82576;

namespace {

// A PF may interleave control messages ("ping") with the answer we wait for; skip at most this many.
constexpr int max_interleaved_messages = 4;

}  // namespace

VfControl::VfControl(dev::RegisterIo& regs, std::string name, mbx::Timing timing)
    : regs_(regs), name_(std::move(name)), mailbox_(regs, name_, timing)
{
}

// Section 5.4 steps 2 to 4: the VF resets itself, waits while the PF is in reset, sends VF_RESET.
void VfControl::send_reset(std::chrono::milliseconds pf_ready_timeout, bool wait_for_ack)
{
    cts_ = false;
    // Step 2: the VF resets itself; the PF sees it in VFLRE.
    regs_.write32(e::VTCTRL.offset, e::vtctrl::RST);

    // Step 3: wait while the PF is in reset (RSTI). RSTD, if set, is consumed on the way.
    const auto end = std::chrono::steady_clock::now() + pf_ready_timeout;
    while (mailbox_.reset_in_progress()) {
        if (std::chrono::steady_clock::now() >= end)
            throw Error(Errc::timeout, name_,
                        fmt::format("the PF stayed in reset (RSTI) for {} ms: is a PF driver running and "
                                    "has it finished its bring-up?",
                                    pf_ready_timeout.count()));
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    mailbox_.check_for_reset();  // forget RSTD: this reset is the one we handle now

    // Step 4: VF_RESET; the PF answers with our MAC (steps 5 and 6).
    const mbx::Message m = prepare(mbx::VfReset{});
    reset_mac_.reset();
    if (wait_for_ack)
        mailbox_.send(m);
    else
        mailbox_.post(m);
}

std::optional<MacAddress> VfControl::reset(std::chrono::milliseconds pf_ready_timeout)
{
    send_reset(pf_ready_timeout, true);
    while (judge(wait_reply()) == Verdict::not_yet) {
    }
    return reset_mac_;
}

void VfControl::start_reset(std::chrono::milliseconds pf_ready_timeout) { send_reset(pf_ready_timeout, false); }

mbx::Reply VfControl::decode(const mbx::Message& m)
{
    const auto decoded = mbx::decode_reply(m);
    if (!decoded)
        throw Error(Errc::protocol, name_, "malformed message from the PF: " + mbx::describe(decoded.error()));
    const mbx::Reply& reply = decoded.value();
    if (const auto* c = std::get_if<mbx::ControlMessage>(&reply))
        cts_ = c->cts;
    else if (std::holds_alternative<mbx::BareNack>(reply))
        cts_ = false;  // the PF does not count us as reset (5.1): a reset is due
    return reply;
}

mbx::Reply VfControl::wait_reply() { return decode(mailbox_.receive()); }

VfControl::MailboxEvents VfControl::service_mailbox()
{
    MailboxEvents events;
    events.reset = mailbox_.check_for_reset();
    if (mailbox_.message_waiting()) {
        wait_reply();  // PFSTS is there: this reads and acknowledges without waiting
        events.message = true;
    }
    return events;
}

VfControl::Verdict VfControl::judge(const mbx::Reply& reply)
{
    const std::uint32_t word0 = pending_word0_;
    const auto name = [word0] { return mbx::message_name(mbx::message_id(word0)); };
    const bool resetting = mbx::message_id(word0) == mbx::E1000_VF_RESET;
    const auto another = [&] {
        // A PF may interleave control messages ("ping") with the answer; a few at most.
        if (++interleaved_ > max_interleaved_messages)
            throw Error(Errc::protocol, name_, fmt::format("the PF did not answer {}", name()));
        return Verdict::not_yet;
    };
    if (resetting) {
        const auto* r = std::get_if<mbx::ResetReply>(&reply);
        if (!r)
            return another();
        if (r->mac && !r->mac->is_valid_unicast())
            throw Error(Errc::protocol, name_,
                        fmt::format("the PF assigned {}, which is not a valid unicast MAC", *r->mac));
        cts_ = true;
        reset_mac_ = r->mac;
        spdlog::debug("{}: reset done, MAC {}", name_, r->mac ? r->mac->to_string() : "none assigned");
        return Verdict::answered;
    }
    if (std::holds_alternative<mbx::ControlMessage>(reply))
        return another();  // a ping between our request and its answer
    if (std::holds_alternative<mbx::BareNack>(reply)) {
        cts_ = false;
        throw Error(Errc::permission, name_,
                    fmt::format("the PF refused {}: this VF is not clear to send (reset it first)", name()));
    }
    const auto* g = std::get_if<mbx::GenericReply>(&reply);
    if (!g || !g->answers(word0))
        throw Error(Errc::protocol, name_, fmt::format("the PF answered {} with an unrelated message", name()));
    cts_ = g->cts;
    if (!g->ack)
        throw Error(Errc::permission, name_,
                    fmt::format("the PF refused {}{}", name(),
                                g->cts ? "" : " (this VF is not clear to send: reset it first)"));
    return Verdict::answered;
}

mbx::Message VfControl::prepare(const mbx::Request& request)
{
    mbx::Message m = mbx::encode(request);
    pending_word0_ = m.words()[0];
    interleaved_ = 0;
    return m;
}

void VfControl::start(const mbx::Request& request) { mailbox_.post(prepare(request)); }

void VfControl::ask(const mbx::Request& request)
{
    mailbox_.send(prepare(request));
    while (judge(wait_reply()) == Verdict::not_yet) {
    }
}

bool VfControl::answered()
{
    while (const auto m = mailbox_.try_receive())
        if (judge(decode(*m)) == Verdict::answered)
            return true;
    return false;
}

void VfControl::set_mac(const MacAddress& mac) { ask(mbx::SetMac{mac}); }
void VfControl::add_mac_filter(const MacAddress& mac) { ask(mbx::AddMacFilter{mac}); }
void VfControl::clear_mac_filters() { ask(mbx::ClearMacFilters{}); }
void VfControl::set_vlan(std::uint16_t vid, bool add) { ask(mbx::SetVlan{vid, add}); }
void VfControl::set_max_frame(std::uint32_t max_frame)
{
    if (max_frame == 0 || max_frame > mbx::lpe_max)
        throw Error(Errc::invalid_argument, name_,
                    fmt::format("a maximum frame size of {} bytes is outside 1..{}", max_frame, mbx::lpe_max));
    ask(mbx::SetLpe{static_cast<std::uint16_t>(max_frame)});
}
void VfControl::set_promisc(bool multicast, bool unicast) { ask(mbx::SetPromisc{multicast, unicast}); }

void VfControl::set_multicast(std::span<const MacAddress> groups)
{
    std::vector<std::uint16_t> hashes;
    for (const auto& g : groups)
        hashes.push_back(mbx::multicast_hash(g));
    const bool overflow = hashes.size() > mbx::max_mc_hashes;
    if (overflow)
        hashes.resize(mbx::max_mc_hashes);
    ask(mbx::SetMulticast(hashes, overflow));
}

}  // namespace sriov::vf
