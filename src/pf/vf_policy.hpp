// What the administrator decided for each VF, and what follows from it when a VF asks for
// something. Decisions only: no registers, no mailbox. sriovd's policy engine (configuration
// file, control socket) grows here.
//
// The rules follow Linux igb's handling of untrusted and trusted VFs (fact sheet section 5.1):
// an untrusted VF keeps the MAC the administrator gave it, may not pick VLANs under a port VLAN,
// and may not receive all multicast.
#pragma once

#include "sriov/mac_address.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sriov::pf {

// What the VF is told of its link: the PF's (automatic), up whenever the PF can (enable: on the
// 82576 the VF reads the PF's link state itself, so this is automatic), or down with its queues
// stopped (disable).
enum class LinkMode { automatic, enable, disable };
// "auto", "enable", "disable": iproute2's words, and the configuration's.
std::string_view to_string(LinkMode mode) noexcept;

struct VfAdmin {
    std::optional<MacAddress> mac;           // the VF's MAC after every reset; nullopt: none assigned
    // With no mac: give the VF a MAC made from the PF's and the VF's number (generated_mac.hpp),
    // the same at every start, instead of none.
    bool generated_mac = false;
    bool trusted = false;                    // may change its MAC and receive all multicast
    std::optional<std::uint16_t> port_vlan;  // VID 1..4095 the PF tags the VF's traffic with
    std::optional<std::vector<std::uint16_t>> allowed_vlans;  // VIDs the VF may join; nullopt: any
    std::uint8_t port_vlan_qos = 0;          // 802.1p priority 0..7 of the port VLAN's tag
    bool spoof_check = true;  // drop frames the VF sends from another MAC or VLAN
    LinkMode link_state = LinkMode::automatic;
    unsigned max_tx_rate_mbps = 0;  // 0: no limit
    std::uint16_t max_frame = 0;    // the largest frame the VF may ask to receive; 0: the chip's limit
    unsigned max_multicast = 30;    // multicast groups the VF may ask for, 0..30 (the mailbox's most)
    // VLANs the VF may join through its mailbox (VLAN 0 and the port VLAN aside), 0..32: each takes
    // one of the 32 VLAN filter entries (VLVF) all functions share. 8 leaves room for every VF.
    unsigned max_vlans = 8;
    // Only a PF its kernel driver keeps (sriovd's owner "kernel") takes these, through rtnetlink;
    // the 82576 as sriovd runs it has none of them.
    unsigned min_tx_rate_mbps = 0;  // guaranteed rate, 0: none
    bool port_vlan_802_1ad = false; // the port VLAN's tag is 802.1ad (0x88a8), not 802.1Q
    bool query_rss = false;         // the VF may query the PF's RSS key and table
    friend bool operator==(const VfAdmin&, const VfAdmin&) = default;
};

// A policy answer: allowed or not, and why in words for the log.
struct Decision {
    bool allowed = false;
    std::string reason;

    static Decision allow(std::string reason) { return {true, std::move(reason)}; }
    static Decision deny(std::string reason) { return {false, std::move(reason)}; }
};

class VfPolicy {
public:
    // num_vfs VFs, each with the defaults of VfAdmin (no MAC, untrusted, no VLAN rules).
    explicit VfPolicy(unsigned num_vfs);

    unsigned num_vfs() const { return static_cast<unsigned>(admin_.size()); }

    // Throws sriov::Error(invalid_argument, "VF <n>"): vf out of range, a MAC that is not a valid
    // unicast address, a port VLAN outside 1..4095, a QoS above 7 or without a port VLAN, an
    // allowed VLAN above 4095, a max_frame below 64, a max_multicast above 30, a max_vlans above 32.
    void set_admin(unsigned vf, VfAdmin admin);
    // Throws sriov::Error(invalid_argument) for vf out of range.
    const VfAdmin& admin(unsigned vf) const;

    // May the VF, now using `current`, change its MAC to `requested`? Allowed when requested is a
    // valid unicast address and the VF is trusted, already has it, or was assigned no MAC by the
    // administrator (then it uses one it made up, as igbvf does). Never throws (but bad_alloc).
    Decision set_mac(unsigned vf, const std::optional<MacAddress>& current,
                     const MacAddress& requested) const;

    // May the VF join (add) or leave VLAN vid? Never while a port VLAN is set; joining also needs
    // vid to be among the allowed VLANs, if there is such a list (VLAN 0 always is).
    Decision set_vlan(unsigned vf, std::uint16_t vid, bool add) const;

    // May the VF hold count VLANs it joined itself (VLAN 0 and the port VLAN aside)? Up to its
    // max_vlans.
    Decision vlan_count(unsigned vf, std::size_t count) const;

    // May the VF receive all multicast? Only a trusted VF.
    Decision multicast_promisc(unsigned vf) const;

    // May the VF ask for frames of up to bytes, on a chip that takes up to chip_max?
    Decision max_frame(unsigned vf, std::uint16_t bytes, std::uint16_t chip_max) const;

    // May the VF filter count multicast groups (overflow: it has more than the message holds)?
    Decision multicast(unsigned vf, std::size_t count, bool overflow) const;

private:
    std::vector<VfAdmin> admin_;
};

}  // namespace sriov::pf
