#include "netlink/vf_request.hpp"

#include "netlink/nl_message.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <algorithm>

namespace sriov::nl {

namespace {

constexpr std::uint16_t max_vid = 4095;
constexpr std::uint8_t max_qos = 7;

std::string subject_of(int pf_ifindex, std::uint32_t vf)
{
    return fmt::format("ifindex {} vf {}", pf_ifindex, vf);
}

// libnl reports a full or unallocatable message as a negative code.
void check_put(int result, std::string_view what)
{
    if (result < 0)
        throw Error(Errc::io, "netlink", fmt::format("libnl could not add {} to the message", what));
}

template <typename Struct>
void put_struct(nl_msg* msg, int type, const Struct& value, std::string_view what)
{
    check_put(nla_put(msg, type, sizeof value, &value), what);
}

// libnl's nla_nest_start() marks every nest NLA_F_NESTED; iproute2 does not, and the kernel
// accepts both for these old attributes. The mark is taken off so that the bytes equal iproute2's.
nlattr* open_nest(nl_msg* msg, int type)
{
    nlattr* nest = nla_nest_start(msg, type);
    if (nest == nullptr)
        check_put(-1, "a nested attribute");
    return nest;
}

void close_nest(nl_msg* msg, nlattr* nest)
{
    nla_nest_end(msg, nest);
    nest->nla_type = static_cast<std::uint16_t>(nest->nla_type & ~NLA_F_NESTED);
}

void check(int pf_ifindex, std::uint32_t vf, const VfSettings& s)
{
    const auto refuse = [&](std::string cause) {
        throw Error(Errc::invalid_argument, subject_of(pf_ifindex, vf), std::move(cause));
    };
    if (pf_ifindex <= 0)
        refuse("the PF's interface index must be positive");
    if (s.empty())
        refuse("no VF setting to change");
    if (s.vlan && s.vlan->vid > max_vid)
        refuse(fmt::format("VLAN {} is out of range 0..{}", s.vlan->vid, max_vid));
    if (s.vlan && s.vlan->qos > max_qos)
        refuse(fmt::format("VLAN priority (qos) {} is out of range 0..{}", s.vlan->qos, max_qos));
    if (s.max_tx_rate.has_value() != s.min_tx_rate.has_value())
        refuse("max_tx_rate and min_tx_rate go to the kernel together (IFLA_VF_RATE); "
               "take the one not being changed from the kernel's view of the VF");
}

void put_mac(nl_msg* msg, std::uint32_t vf, const MacAddress& mac)
{
    ifla_vf_mac attr{};
    attr.vf = vf;
    std::ranges::copy(mac.bytes(), attr.mac);
    put_struct(msg, IFLA_VF_MAC, attr, "IFLA_VF_MAC");
}

void put_vlan(nl_msg* msg, std::uint32_t vf, const VfVlan& vlan)
{
    if (vlan.protocol == VlanProtocol::ieee_802_1q) {
        ifla_vf_vlan attr{};
        attr.vf = vf;
        attr.vlan = vlan.vid;
        attr.qos = vlan.qos;
        put_struct(msg, IFLA_VF_VLAN, attr, "IFLA_VF_VLAN");
        return;
    }
    ifla_vf_vlan_info info{};
    info.vf = vf;
    info.vlan = vlan.vid;
    info.qos = vlan.qos;
    info.vlan_proto = htons(static_cast<std::uint16_t>(vlan.protocol));
    nlattr* list = open_nest(msg, IFLA_VF_VLAN_LIST);
    put_struct(msg, IFLA_VF_VLAN_INFO, info, "IFLA_VF_VLAN_INFO");
    close_nest(msg, list);
}

// IFLA_VF_SPOOFCHK, IFLA_VF_TRUST and IFLA_VF_RSS_QUERY_EN share one layout: vf, setting.
template <typename Struct>
void put_flag(nl_msg* msg, int type, std::uint32_t vf, bool on, std::string_view what)
{
    Struct attr{};
    attr.vf = vf;
    attr.setting = on ? 1 : 0;
    put_struct(msg, type, attr, what);
}

void put_link_state(nl_msg* msg, std::uint32_t vf, VfLinkState state)
{
    ifla_vf_link_state attr{};
    attr.vf = vf;
    attr.link_state = static_cast<std::uint32_t>(state);
    put_struct(msg, IFLA_VF_LINK_STATE, attr, "IFLA_VF_LINK_STATE");
}

void put_rate(nl_msg* msg, std::uint32_t vf, std::uint32_t min_rate, std::uint32_t max_rate)
{
    ifla_vf_rate attr{};
    attr.vf = vf;
    attr.min_tx_rate = min_rate;
    attr.max_tx_rate = max_rate;
    put_struct(msg, IFLA_VF_RATE, attr, "IFLA_VF_RATE");
}

}  // namespace

std::vector<std::uint8_t> build_vf_request(int pf_ifindex, std::uint32_t vf, const VfSettings& s,
                                           std::uint32_t seq)
{
    check(pf_ifindex, vf, s);

    NlMsgPtr msg = new_message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
    nlmsg_hdr(msg.get())->nlmsg_seq = seq;
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = pf_ifindex;
    check_put(nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO), "struct ifinfomsg");

    nlattr* list = open_nest(msg.get(), IFLA_VFINFO_LIST);
    nlattr* info = open_nest(msg.get(), IFLA_VF_INFO);
    if (s.mac)
        put_mac(msg.get(), vf, *s.mac);
    if (s.vlan)
        put_vlan(msg.get(), vf, *s.vlan);
    if (s.spoofchk)
        put_flag<ifla_vf_spoofchk>(msg.get(), IFLA_VF_SPOOFCHK, vf, *s.spoofchk, "IFLA_VF_SPOOFCHK");
    if (s.trust)
        put_flag<ifla_vf_trust>(msg.get(), IFLA_VF_TRUST, vf, *s.trust, "IFLA_VF_TRUST");
    if (s.link_state)
        put_link_state(msg.get(), vf, *s.link_state);
    if (s.query_rss)
        put_flag<ifla_vf_rss_query_en>(msg.get(), IFLA_VF_RSS_QUERY_EN, vf, *s.query_rss,
                                       "IFLA_VF_RSS_QUERY_EN");
    if (s.max_tx_rate && s.min_tx_rate)
        put_rate(msg.get(), vf, *s.min_tx_rate, *s.max_tx_rate);
    close_nest(msg.get(), info);
    close_nest(msg.get(), list);

    return message_bytes(msg.get());
}

VfSettings complete_rates(VfSettings desired, const VfSettings& found)
{
    const auto take = [&](std::optional<std::uint32_t>& want, const std::optional<std::uint32_t>& have,
                          std::string_view name) {
        if (!have)
            throw Error(Errc::protocol, "netlink",
                        fmt::format("the kernel's view of the VF has no {} to keep", name));
        want = have;
    };
    if (desired.max_tx_rate && !desired.min_tx_rate)
        take(desired.min_tx_rate, found.min_tx_rate, "min_tx_rate");
    else if (desired.min_tx_rate && !desired.max_tx_rate)
        take(desired.max_tx_rate, found.max_tx_rate, "max_tx_rate");
    return desired;
}

}  // namespace sriov::nl
