// The VF's control conversation with its PF: the reset handshake that yields the VF's MAC, and the
// requests a VF may make (fact sheet sections 5.1 and 5.4). Works with any PF that speaks the
// igb mailbox protocol: the Linux kernel's igb, DPDK's, or sriovd.
#pragma once

#include "dev/register_io.hpp"
#include "mbx/reply.hpp"
#include "mbx/request.hpp"
#include "mbx/vf_mailbox.hpp"
#include "sriov/mac_address.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sriov::vf {

class VfControl {
public:
    // regs: the VF's BAR0. name: how errors name the VF, e.g. "0000:00:12.0".
    VfControl(dev::RegisterIo& regs, std::string name, mbx::Timing timing = {});

    // The reset handshake: reset the VF (VTCTRL.RST), wait until the PF is out of reset (RSTI
    // clear) for at most pf_ready_timeout, send VF_RESET and read the PF's answer. Returns the MAC
    // the PF assigned, or nullopt if the PF has none for this VF (it NACKed; igbvf then picks a
    // random MAC). Afterwards the VF is clear to send other requests.
    // Throws sriov::Error (subject = name): timeout (PF not ready, or no answer: the message says
    // which), protocol (the answer was not a VF_RESET reply, or carried an invalid MAC).
    std::optional<MacAddress> reset(std::chrono::milliseconds pf_ready_timeout);

    // Requests. Each returns when the PF has answered ACK; a NACK throws sriov::Error with
    // Errc::permission ("the PF refused ..."), since the PF refuses what policy forbids (an
    // untrusted VF changing its MAC, a VLAN when a port VLAN is set). Also throws timeout and
    // protocol as reset() does, and invalid_argument for values that do not fit the message.
    void set_mac(const MacAddress& mac);
    void add_mac_filter(const MacAddress& mac);
    void clear_mac_filters();
    void set_vlan(std::uint16_t vid, bool add);
    void set_multicast(std::span<const MacAddress> groups);
    void set_max_frame(std::uint32_t max_frame);
    void set_promisc(bool multicast, bool unicast = false);

    // What one look at the mailbox found (see service_mailbox).
    struct MailboxEvents {
        bool message = false;  // a PF message was read and acknowledged
        bool reset = false;    // the PF is resetting or has reset (RSTI / RSTD)
    };
    // Reads VFMAILBOX once; a message waiting from the PF (a control message, e.g. the link or
    // CTS changed) is read, acknowledged and taken into account. Does not wait. Throws as
    // reset() does when the message cannot be read or decoded.
    MailboxEvents service_mailbox();

    // The same conversation, event-driven: for a driver that learns of the PF's answers from the
    // VF's mailbox interrupt instead of waiting for them (one VF thread serving many VFs).
    // start_reset() does reset()'s steps up to VF_RESET sent (its wait for RSTI included);
    // start(request) sends a request. Then answered() reads what the PF wrote, if anything, and
    // returns true once the answer came (after start_reset(), assigned_mac() is the MAC reset()
    // would return), false while it is still to come; it throws as the blocking calls do (a NACK,
    // an unrelated or malformed answer). Timing out is the caller's. One request at a time.
    void start_reset(std::chrono::milliseconds pf_ready_timeout);
    void start(const mbx::Request& request);
    bool answered();
    const std::optional<MacAddress>& assigned_mac() const { return reset_mac_; }

    // Whether the PF has said we are clear to send (CTS in its last answer or control message).
    bool clear_to_send() const { return cts_; }
    mbx::VfMailbox& mailbox() { return mailbox_; }

private:
    // What the PF's latest message means for the request under way.
    enum class Verdict { answered, not_yet };
    // Encodes `request` and makes it the one under way (its answers are judged against it).
    mbx::Message prepare(const mbx::Request& request);
    void ask(const mbx::Request& request);
    mbx::Reply wait_reply();
    mbx::Reply decode(const mbx::Message& m);
    // Judges `reply` against the request under way: answered, or (a control message, or anything
    // but the reset's answer while resetting) still to come; throws on a refusal or a wrong answer.
    Verdict judge(const mbx::Reply& reply);
    void send_reset(std::chrono::milliseconds pf_ready_timeout, bool wait_for_ack);

    dev::RegisterIo& regs_;
    std::string name_;
    mbx::VfMailbox mailbox_;
    bool cts_ = false;
    // The request under way: its first word (VF_RESET for the handshake), and how many PF
    // messages came that were not its answer.
    std::uint32_t pending_word0_ = 0;
    int interleaved_ = 0;
    std::optional<MacAddress> reset_mac_;
};

}  // namespace sriov::vf
