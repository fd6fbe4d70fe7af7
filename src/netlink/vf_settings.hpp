// One VF's settings as rtnetlink carries them (`ip link set DEV vf N ...`), each one "maybe set".
//
// The same type says what is wanted (only the fields set become netlink attributes, so nothing
// that was not asked for is written: systemd-networkd's way) and what the kernel reported (only
// the fields the driver reported are set), so desired and found compare field by field.
//
//   field         attribute (IFLA_VF_*)         iproute2 keyword
//   mac           MAC                           mac
//   vlan          VLAN, or VLAN_LIST (802.1ad)  vlan, qos, proto
//   max_tx_rate   RATE (with min_tx_rate)       max_tx_rate   Mb/s, 0 = no limit
//   min_tx_rate   RATE (with max_tx_rate)       min_tx_rate   Mb/s, 0 = no guarantee
//   spoofchk      SPOOFCHK                      spoofchk
//   trust         TRUST                         trust
//   link_state    LINK_STATE                    state
//   query_rss     RSS_QUERY_EN                  query_rss
#pragma once

#include "sriov/mac_address.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sriov::nl {

// The VLAN tag protocol of a port VLAN; the values are the EtherTypes.
enum class VlanProtocol : std::uint16_t {
    ieee_802_1q = 0x8100,
    ieee_802_1ad = 0x88a8,
};

// A port VLAN: the VF's frames are tagged with vid and priority qos on the wire, untagged at the
// VF. vid 0 with qos 0 means "no port VLAN" (that is how it is cleared). vid is 0..4095, qos 0..7;
// the encoder refuses other values.
struct VfVlan {
    std::uint16_t vid = 0;
    std::uint8_t qos = 0;
    VlanProtocol protocol = VlanProtocol::ieee_802_1q;
    friend bool operator==(const VfVlan&, const VfVlan&) = default;
};

// IFLA_VF_LINK_STATE_*: follow the PF's link, always up, always down.
enum class VfLinkState : std::uint32_t {
    auto_ = 0,
    enable = 1,
    disable = 2,
};

struct VfSettings {
    std::optional<MacAddress> mac{};
    std::optional<VfVlan> vlan{};
    std::optional<std::uint32_t> max_tx_rate{};  // Mb/s
    std::optional<std::uint32_t> min_tx_rate{};  // Mb/s
    std::optional<bool> spoofchk{};
    std::optional<bool> trust{};
    std::optional<VfLinkState> link_state{};
    std::optional<bool> query_rss{};

    // No field set.
    bool empty() const noexcept { return *this == VfSettings{}; }

    friend bool operator==(const VfSettings&, const VfSettings&) = default;
};

// "802.1Q" / "802.1ad", as iproute2 spells them.
std::string_view to_string(VlanProtocol protocol) noexcept;
// "auto" / "enable" / "disable", as iproute2 spells them.
std::string_view to_string(VfLinkState state) noexcept;

// The fields that are set, in iproute2's keywords and in the order of the table above, e.g.
// "mac 02:11:22:33:44:55 vlan 10 qos 3 proto 802.1Q spoofchk off"; "(nothing)" when empty. The
// VLAN's protocol is spelled only when it is 802.1ad. For lines that say what was asked or found.
std::string to_string(const VfSettings& settings);

}  // namespace sriov::nl
