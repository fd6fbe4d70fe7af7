// The rtnetlink request that changes one VF's settings: what `ip link set DEV vf N ...` sends.
//
//   nlmsghdr      RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq as given, pid 0
//   ifinfomsg     family AF_UNSPEC, index = the PF's ifindex, everything else 0
//   IFLA_VFINFO_LIST
//     IFLA_VF_INFO
//       one attribute per set field, in this order (iproute2's order when its keywords are
//       given in this order; it sends the rate last whatever the order):
//       IFLA_VF_MAC, IFLA_VF_VLAN or IFLA_VF_VLAN_LIST, IFLA_VF_SPOOFCHK, IFLA_VF_TRUST,
//       IFLA_VF_LINK_STATE, IFLA_VF_RSS_QUERY_EN, IFLA_VF_RATE
//
// Like iproute2: a VLAN with protocol 802.1Q goes as IFLA_VF_VLAN (vid, qos), one with 802.1ad as
// IFLA_VF_VLAN_LIST holding one IFLA_VF_VLAN_INFO (vid, qos, protocol in network byte order);
// nests carry no NLA_F_NESTED flag (the kernel accepts both); the legacy IFLA_VF_TX_RATE is never
// sent. The bytes equal iproute2 6.1's for the same settings (test/netlink, from strace captures).
//
// The kernel applies a VF's attributes one after another in its own fixed order (MAC, VLAN, rate,
// spoof check, link state, RSS query, trust) and stops at the first the driver refuses, leaving
// the earlier ones applied: one request is not all-or-none.
#pragma once

#include "netlink/vf_settings.hpp"

#include <cstdint>
#include <vector>

namespace sriov::nl {

// The request setting `settings` on VF `vf` of the PF whose interface index is `pf_ifindex`, as
// the bytes sendmsg() would send, with nlmsg_seq = seq.
//
// Throws sriov::Error(Errc::invalid_argument) when pf_ifindex is not positive, settings is empty,
// a VLAN's vid is above 4095 or its qos above 7, or exactly one of max_tx_rate and min_tx_rate is
// set: IFLA_VF_RATE always carries both, so the other must come from the kernel's current view
// (see complete_rates()), as iproute2 does by reading the link first. Throws Errc::io when libnl
// cannot allocate the message.
std::vector<std::uint8_t> build_vf_request(int pf_ifindex, std::uint32_t vf, const VfSettings& settings,
                                           std::uint32_t seq = 0);

// `desired` with a missing max_tx_rate or min_tx_rate taken from `found` (the kernel's view of the
// same VF) when the other one is set; unchanged otherwise. Throws
// sriov::Error(Errc::protocol) when that rate is needed and `found` does not have it.
VfSettings complete_rates(VfSettings desired, const VfSettings& found);

}  // namespace sriov::nl
