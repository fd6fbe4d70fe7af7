#include "netlink/vf_info.hpp"

#include "netlink/nl_message.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <algorithm>
#include <array>

namespace sriov::nl {

namespace {

// The kernel's "driver did not report this" for spoofchk, trust and rss_query_en.
constexpr std::uint32_t not_reported = 0xffffffff;

[[noreturn]] void malformed(std::string cause)
{
    throw Error(Errc::protocol, "netlink", "RTM_NEWLINK: " + std::move(cause));
}

void check_parse(int result, std::string_view where)
{
    if (result < 0)
        malformed(fmt::format("{} does not parse: {}", where, nl_geterror(result)));
}

template <typename Struct>
nla_policy struct_policy()
{
    nla_policy p{};
    p.minlen = sizeof(Struct);
    return p;
}

std::array<nla_policy, IFLA_MAX + 1> link_policy()
{
    std::array<nla_policy, IFLA_MAX + 1> p{};
    p[IFLA_NUM_VF].type = NLA_U32;
    p[IFLA_VFINFO_LIST].type = NLA_NESTED;
    return p;
}

std::array<nla_policy, IFLA_VF_MAX + 1> vf_policy()
{
    std::array<nla_policy, IFLA_VF_MAX + 1> p{};
    p[IFLA_VF_MAC] = struct_policy<ifla_vf_mac>();
    p[IFLA_VF_VLAN] = struct_policy<ifla_vf_vlan>();
    p[IFLA_VF_VLAN_LIST].type = NLA_NESTED;
    p[IFLA_VF_TX_RATE] = struct_policy<ifla_vf_tx_rate>();
    p[IFLA_VF_RATE] = struct_policy<ifla_vf_rate>();
    p[IFLA_VF_SPOOFCHK] = struct_policy<ifla_vf_spoofchk>();
    p[IFLA_VF_TRUST] = struct_policy<ifla_vf_trust>();
    p[IFLA_VF_LINK_STATE] = struct_policy<ifla_vf_link_state>();
    p[IFLA_VF_RSS_QUERY_EN] = struct_policy<ifla_vf_rss_query_en>();
    p[IFLA_VF_STATS].type = NLA_NESTED;
    return p;
}

std::array<nla_policy, IFLA_VF_STATS_MAX + 1> stats_policy()
{
    std::array<nla_policy, IFLA_VF_STATS_MAX + 1> p{};
    for (int type : {IFLA_VF_STATS_RX_PACKETS, IFLA_VF_STATS_TX_PACKETS, IFLA_VF_STATS_RX_BYTES,
                     IFLA_VF_STATS_TX_BYTES, IFLA_VF_STATS_BROADCAST, IFLA_VF_STATS_MULTICAST,
                     IFLA_VF_STATS_RX_DROPPED, IFLA_VF_STATS_TX_DROPPED})
        p[static_cast<std::size_t>(type)].type = NLA_U64;
    return p;
}

template <typename Struct>
const Struct& payload(nlattr* attr)
{
    return *static_cast<const Struct*>(nla_data(attr));
}

std::optional<bool> reported_flag(std::uint32_t setting)
{
    if (setting == not_reported)
        return std::nullopt;
    return setting != 0;
}

VlanProtocol vlan_protocol(std::uint16_t network_order)
{
    const std::uint16_t ethertype = ntohs(network_order);
    if (ethertype == static_cast<std::uint16_t>(VlanProtocol::ieee_802_1q))
        return VlanProtocol::ieee_802_1q;
    if (ethertype == static_cast<std::uint16_t>(VlanProtocol::ieee_802_1ad))
        return VlanProtocol::ieee_802_1ad;
    malformed(fmt::format("VLAN protocol {:#06x} is neither 802.1Q nor 802.1ad", ethertype));
}

std::optional<VfVlan> vlan_of(nlattr* const* t)
{
    if (t[IFLA_VF_VLAN_LIST] != nullptr) {
        for (nlattr* info : nested_attributes(t[IFLA_VF_VLAN_LIST])) {
            if (nla_type(info) != IFLA_VF_VLAN_INFO)
                continue;
            if (nla_len(info) < static_cast<int>(sizeof(ifla_vf_vlan_info)))
                malformed("IFLA_VF_VLAN_INFO is too short");
            const auto& v = payload<ifla_vf_vlan_info>(info);
            return VfVlan{static_cast<std::uint16_t>(v.vlan), static_cast<std::uint8_t>(v.qos),
                          vlan_protocol(v.vlan_proto)};
        }
    }
    if (t[IFLA_VF_VLAN] != nullptr) {
        const auto& v = payload<ifla_vf_vlan>(t[IFLA_VF_VLAN]);
        return VfVlan{static_cast<std::uint16_t>(v.vlan), static_cast<std::uint8_t>(v.qos),
                      VlanProtocol::ieee_802_1q};
    }
    return std::nullopt;
}

VfCounters counters_of(nlattr* stats)
{
    VfCounters c;
    if (stats == nullptr)
        return c;
    static const auto policy = stats_policy();
    std::array<nlattr*, IFLA_VF_STATS_MAX + 1> s{};
    check_parse(nla_parse_nested(s.data(), IFLA_VF_STATS_MAX, stats, policy.data()),
                "IFLA_VF_STATS");
    const auto get = [&](int type) -> std::optional<std::uint64_t> {
        if (s[static_cast<std::size_t>(type)] == nullptr)
            return std::nullopt;
        return nla_get_u64(s[static_cast<std::size_t>(type)]);
    };
    c.rx_packets = get(IFLA_VF_STATS_RX_PACKETS);
    c.tx_packets = get(IFLA_VF_STATS_TX_PACKETS);
    c.rx_bytes = get(IFLA_VF_STATS_RX_BYTES);
    c.tx_bytes = get(IFLA_VF_STATS_TX_BYTES);
    c.broadcast = get(IFLA_VF_STATS_BROADCAST);
    c.multicast = get(IFLA_VF_STATS_MULTICAST);
    c.rx_dropped = get(IFLA_VF_STATS_RX_DROPPED);
    c.tx_dropped = get(IFLA_VF_STATS_TX_DROPPED);
    return c;
}

FoundVf decode_vf(nlattr* vf_info)
{
    static const auto policy = vf_policy();
    std::array<nlattr*, IFLA_VF_MAX + 1> t{};
    check_parse(nla_parse_nested(t.data(), IFLA_VF_MAX, vf_info, policy.data()),
                "IFLA_VF_INFO");
    if (t[IFLA_VF_MAC] == nullptr)
        malformed("an IFLA_VF_INFO has no IFLA_VF_MAC to name its VF");

    FoundVf found;
    const auto& mac = payload<ifla_vf_mac>(t[IFLA_VF_MAC]);
    found.vf = mac.vf;
    MacAddress::Bytes bytes{};
    std::copy_n(mac.mac, bytes.size(), bytes.begin());
    VfSettings& s = found.settings;
    s.mac = MacAddress(bytes);
    s.vlan = vlan_of(t.data());
    if (t[IFLA_VF_RATE] != nullptr) {
        const auto& rate = payload<ifla_vf_rate>(t[IFLA_VF_RATE]);
        s.max_tx_rate = rate.max_tx_rate;
        s.min_tx_rate = rate.min_tx_rate;
    } else if (t[IFLA_VF_TX_RATE] != nullptr) {
        s.max_tx_rate = payload<ifla_vf_tx_rate>(t[IFLA_VF_TX_RATE]).rate;
    }
    if (t[IFLA_VF_SPOOFCHK] != nullptr)
        s.spoofchk = reported_flag(payload<ifla_vf_spoofchk>(t[IFLA_VF_SPOOFCHK]).setting);
    if (t[IFLA_VF_TRUST] != nullptr)
        s.trust = reported_flag(payload<ifla_vf_trust>(t[IFLA_VF_TRUST]).setting);
    if (t[IFLA_VF_RSS_QUERY_EN] != nullptr)
        s.query_rss = reported_flag(payload<ifla_vf_rss_query_en>(t[IFLA_VF_RSS_QUERY_EN]).setting);
    if (t[IFLA_VF_LINK_STATE] != nullptr) {
        const std::uint32_t state = payload<ifla_vf_link_state>(t[IFLA_VF_LINK_STATE]).link_state;
        if (state <= static_cast<std::uint32_t>(VfLinkState::disable))
            s.link_state = static_cast<VfLinkState>(state);
    }
    found.counters = counters_of(t[IFLA_VF_STATS]);
    return found;
}

}  // namespace

LinkVfInfo decode_link_vf_info(std::span<const std::uint8_t> message)
{
    ReceivedBytes bytes(message);
    nlmsghdr* hdr = bytes.header();
    if (bytes.size() < sizeof(nlmsghdr) || !nlmsg_ok(hdr, static_cast<int>(bytes.size())))
        malformed(fmt::format("{} bytes are not a whole netlink message", bytes.size()));
    if (hdr->nlmsg_type != RTM_NEWLINK)
        malformed(fmt::format("the message is of type {}, not RTM_NEWLINK", hdr->nlmsg_type));
    if (!nlmsg_valid_hdr(hdr, sizeof(ifinfomsg)))
        malformed("the message is too short for its ifinfomsg");

    static const auto policy = link_policy();
    std::array<nlattr*, IFLA_MAX + 1> tb{};
    check_parse(nlmsg_parse(hdr, sizeof(ifinfomsg), tb.data(), IFLA_MAX, policy.data()),
                "the link's attributes");

    LinkVfInfo info;
    info.ifindex = static_cast<const ifinfomsg*>(nlmsg_data(hdr))->ifi_index;
    if (tb[IFLA_NUM_VF] != nullptr)
        info.num_vf = nla_get_u32(tb[IFLA_NUM_VF]);
    if (tb[IFLA_VFINFO_LIST] != nullptr) {
        for (nlattr* vf : nested_attributes(tb[IFLA_VFINFO_LIST])) {
            if (nla_type(vf) == IFLA_VF_INFO)
                info.vfs.push_back(decode_vf(vf));
        }
    }
    return info;
}

std::vector<std::uint8_t> build_link_request(int ifindex, std::uint32_t seq)
{
    if (ifindex <= 0)
        throw Error(Errc::invalid_argument, "netlink", fmt::format("RTM_GETLINK: ifindex {} is not an interface", ifindex));
    NlMsgPtr msg = new_message(RTM_GETLINK, NLM_F_REQUEST);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    if (nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
        nla_put_u32(msg.get(), IFLA_EXT_MASK, RTEXT_FILTER_VF) < 0)
        throw Error(Errc::io, "netlink", "libnl could not build RTM_GETLINK");
    nlmsg_hdr(msg.get())->nlmsg_seq = seq;
    return message_bytes(msg.get());
}

}  // namespace sriov::nl
