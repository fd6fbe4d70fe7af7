// The kernel's view of a PF's VFs: an RTM_NEWLINK message (the answer to RTM_GETLINK with
// IFLA_EXT_MASK = RTEXT_FILTER_VF, or a link notification) decoded into one VfSettings and one
// set of counters per VF.
//
// What the kernel sends per VF (net/core/rtnetlink.c, rtnl_fill_vfinfo) and how it is read:
//   IFLA_VF_MAC            mac (first 6 of its 32 bytes); its vf field names the VF
//   IFLA_VF_VLAN_LIST      vlan with its protocol, when present; otherwise
//   IFLA_VF_VLAN           vlan, protocol 802.1Q
//   IFLA_VF_RATE           max_tx_rate and min_tx_rate; without it (old kernels)
//   IFLA_VF_TX_RATE        max_tx_rate only
//   IFLA_VF_SPOOFCHK, IFLA_VF_TRUST, IFLA_VF_RSS_QUERY_EN
//                          on/off; the kernel sends 0xffffffff when the driver did not report
//                          the setting, read as "not set"
//   IFLA_VF_LINK_STATE     link_state; a driver that does not report it shows "auto" (the kernel's
//                          default), a value this code does not know is read as "not set"
//   IFLA_VF_STATS          counters, sent unless the request asked for RTEXT_FILTER_SKIP_STATS;
//                          each counter absent = not reported. The kernel sends them for every
//                          driver: one without ndo_get_vf_stats (igb) gets all of them 0 (seen on
//                          6.12, kernel_captures.hpp), so "reported" here does not mean the driver
//                          counts; whether it does must come from elsewhere
// Attributes this code does not know are skipped.
#pragma once

#include "netlink/vf_settings.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sriov::nl {

// IFLA_VF_STATS_*, as the kernel counts them for the VF. nullopt: not reported.
struct VfCounters {
    std::optional<std::uint64_t> rx_packets{};
    std::optional<std::uint64_t> tx_packets{};
    std::optional<std::uint64_t> rx_bytes{};
    std::optional<std::uint64_t> tx_bytes{};
    std::optional<std::uint64_t> broadcast{};  // received
    std::optional<std::uint64_t> multicast{};  // received
    std::optional<std::uint64_t> rx_dropped{};
    std::optional<std::uint64_t> tx_dropped{};

    // Whether the message carried any counter at all (not whether the driver counts: see above).
    bool any_reported() const noexcept { return *this != VfCounters{}; }

    friend bool operator==(const VfCounters&, const VfCounters&) = default;
};

struct FoundVf {
    std::uint32_t vf = 0;
    VfSettings settings;  // the fields the kernel reported
    VfCounters counters;
};

struct LinkVfInfo {
    int ifindex = 0;                     // from the message's ifinfomsg
    std::optional<std::uint32_t> num_vf{}; // IFLA_NUM_VF, when sent
    std::vector<FoundVf> vfs;            // in the kernel's order; empty without IFLA_VFINFO_LIST
};

// Decodes one RTM_NEWLINK message (the first message in `message`; further bytes are ignored).
// Throws sriov::Error(Errc::protocol) when the bytes are not a whole RTM_NEWLINK message, an
// attribute is shorter than its structure, a VF entry has no IFLA_VF_MAC (which names the VF), or
// a VLAN protocol is neither 802.1Q nor 802.1ad.
LinkVfInfo decode_link_vf_info(std::span<const std::uint8_t> message);

// The request for that view of one link: RTM_GETLINK, NLM_F_REQUEST (no dump, no ack: the answer
// is the RTM_NEWLINK itself, or an NLMSG_ERROR), ifinfomsg with index = ifindex, and
// IFLA_EXT_MASK = RTEXT_FILTER_VF (without RTEXT_FILTER_SKIP_STATS, so IFLA_VF_STATS come where
// the driver has them), with nlmsg_seq = seq. Throws sriov::Error(Errc::invalid_argument) when
// ifindex is not positive, Errc::io when libnl cannot allocate the message.
std::vector<std::uint8_t> build_link_request(int ifindex, std::uint32_t seq = 0);

}  // namespace sriov::nl
