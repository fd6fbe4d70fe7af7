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

    // Whether the PF has said we are clear to send (CTS in its last answer or control message).
    bool clear_to_send() const { return cts_; }
    mbx::VfMailbox& mailbox() { return mailbox_; }

private:
    void ask(const mbx::Request& request);
    mbx::Reply wait_reply();

    dev::RegisterIo& regs_;
    std::string name_;
    mbx::VfMailbox mailbox_;
    bool cts_ = false;
};

}  // namespace sriov::vf
