// Builds RTM_NEWLINK replies with VF information the way the kernel fills them
// (net/core/rtnetlink.c, rtnl_fill_vfinfo), with libnl's message API, for the decoding tests.
// No machine here has a PF whose driver reports VFs, so there is no such reply to capture.
#pragma once

#include "netlink/nl_message.hpp"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace reply {

// What a driver's ndo_get_vf_config (and ndo_get_vf_stats) gives for one VF; the kernel sends
// 0xffffffff for spoofchk, trust and rss_query_en the driver does not fill.
struct KernelVf {
    std::uint32_t vf = 0;
    std::array<std::uint8_t, 6> mac{};
    std::uint32_t vlan = 0;
    std::uint32_t qos = 0;
    std::uint16_t vlan_proto = 0x8100;
    std::uint32_t min_tx_rate = 0;
    std::uint32_t max_tx_rate = 0;
    std::uint32_t spoofchk = 0xffffffff;
    std::uint32_t link_state = 0;
    std::uint32_t rss_query_en = 0xffffffff;
    std::uint32_t trusted = 0xffffffff;
    std::optional<std::array<std::uint64_t, 8>> stats;  // rx/tx packets, rx/tx bytes, bcast, mcast, rx/tx drops
};

template <typename Struct>
inline void put(nl_msg* msg, int type, const Struct& value)
{
    REQUIRE(nla_put(msg, type, sizeof value, &value) == 0);
}

inline void put_vf(nl_msg* msg, const KernelVf& v)
{
    nlattr* info = nla_nest_start(msg, IFLA_VF_INFO);
    ifla_vf_mac mac{};
    mac.vf = v.vf;
    std::copy(v.mac.begin(), v.mac.end(), mac.mac);
    put(msg, IFLA_VF_MAC, mac);
    ifla_vf_broadcast broadcast{};  // not decoded: must be skipped
    std::fill(broadcast.broadcast, broadcast.broadcast + 6, 0xff);
    put(msg, IFLA_VF_BROADCAST, broadcast);
    put(msg, IFLA_VF_VLAN, ifla_vf_vlan{v.vf, v.vlan, v.qos});
    put(msg, IFLA_VF_RATE, ifla_vf_rate{v.vf, v.min_tx_rate, v.max_tx_rate});
    put(msg, IFLA_VF_TX_RATE, ifla_vf_tx_rate{v.vf, v.max_tx_rate});
    put(msg, IFLA_VF_SPOOFCHK, ifla_vf_spoofchk{v.vf, v.spoofchk});
    put(msg, IFLA_VF_LINK_STATE, ifla_vf_link_state{v.vf, v.link_state});
    put(msg, IFLA_VF_RSS_QUERY_EN, ifla_vf_rss_query_en{v.vf, v.rss_query_en});
    put(msg, IFLA_VF_TRUST, ifla_vf_trust{v.vf, v.trusted});
    nlattr* list = nla_nest_start(msg, IFLA_VF_VLAN_LIST);
    ifla_vf_vlan_info vlan_info{};
    vlan_info.vf = v.vf;
    vlan_info.vlan = v.vlan;
    vlan_info.qos = v.qos;
    vlan_info.vlan_proto = htons(v.vlan_proto);
    put(msg, IFLA_VF_VLAN_INFO, vlan_info);
    nla_nest_end(msg, list);
    if (v.stats) {
        nlattr* stats = nla_nest_start(msg, IFLA_VF_STATS);
        const int types[] = {IFLA_VF_STATS_RX_PACKETS, IFLA_VF_STATS_TX_PACKETS, IFLA_VF_STATS_RX_BYTES,
                             IFLA_VF_STATS_TX_BYTES, IFLA_VF_STATS_BROADCAST, IFLA_VF_STATS_MULTICAST,
                             IFLA_VF_STATS_RX_DROPPED, IFLA_VF_STATS_TX_DROPPED};
        for (std::size_t i = 0; i < 8; ++i)
            REQUIRE(nla_put_u64(msg, types[i], (*v.stats)[i]) == 0);
        nla_nest_end(msg, stats);
    }
    nla_nest_end(msg, info);
}

// The answer to RTM_GETLINK for the PF `ifindex` with RTEXT_FILTER_VF: ifinfomsg, a name, then
// IFLA_NUM_VF and IFLA_VFINFO_LIST when vfs is given.
inline std::vector<std::uint8_t> link(int ifindex, const std::optional<std::vector<KernelVf>>& vfs)
{
    auto msg = sriov::nl::new_message(RTM_NEWLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_index = ifindex;
    REQUIRE(nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) == 0);
    REQUIRE(nla_put_string(msg.get(), IFLA_IFNAME, "eth0") == 0);
    REQUIRE(nla_put_u32(msg.get(), IFLA_MTU, 1500) == 0);
    if (vfs) {
        REQUIRE(nla_put_u32(msg.get(), IFLA_NUM_VF, static_cast<std::uint32_t>(vfs->size())) == 0);
        nlattr* list = nla_nest_start(msg.get(), IFLA_VFINFO_LIST);
        for (const auto& v : *vfs)
            put_vf(msg.get(), v);
        nla_nest_end(msg.get(), list);
    }
    return sriov::nl::message_bytes(msg.get());
}

}  // namespace reply
