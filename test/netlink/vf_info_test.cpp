// decode_link_vf_info(): the kernel's view of a PF's VFs, from RTM_NEWLINK replies built the way
// the kernel fills them (reply_builder.hpp).
#include "netlink/vf_info.hpp"

#include "hex.hpp"
#include "iproute2_captures.hpp"
#include "kernel_captures.hpp"
#include "reply_builder.hpp"
#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace sriov;
using namespace sriov::nl;

namespace {

reply::KernelVf full_vf()
{
    reply::KernelVf v;
    v.vf = 0;
    v.mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    v.vlan = 7;
    v.qos = 3;
    v.min_tx_rate = 10;
    v.max_tx_rate = 100;
    v.spoofchk = 1;
    v.link_state = 2;
    v.rss_query_en = 0;
    v.trusted = 1;
    v.stats = std::array<std::uint64_t, 8>{11, 22, 3300, 4400, 5, 6, 7, 8};
    return v;
}

// What igb gives (its ndo_get_vf_config): MAC, VLAN and QoS, max rate, spoof check and trust;
// no RSS query, no link state (so the kernel's "auto"), no counters. (The real kernel then still
// sends IFLA_VF_STATS, all zero, unless asked to skip stats: see the capture below.)
reply::KernelVf igb_like_vf()
{
    reply::KernelVf v;
    v.vf = 1;
    v.mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x66};
    v.spoofchk = 1;
    v.trusted = 0;
    return v;
}

bool is_protocol_error(std::span<const std::uint8_t> bytes)
{
    try {
        decode_link_vf_info(bytes);
    } catch (const Error& e) {
        return e.code() == Errc::protocol;
    }
    return false;
}

}  // namespace

TEST_CASE("a PF with two VFs: IFLA_NUM_VF, and each VF's settings and counters")
{
    const auto info = decode_link_vf_info(reply::link(4, std::vector{full_vf(), igb_like_vf()}));
    CHECK(info.ifindex == 4);
    CHECK(info.num_vf == 2u);
    REQUIRE(info.vfs.size() == 2);

    const FoundVf& vf0 = info.vfs[0];
    CHECK(vf0.vf == 0);
    CHECK(vf0.settings == VfSettings{.mac = MacAddress::parse("02:11:22:33:44:55"),
                                     .vlan = VfVlan{7, 3, VlanProtocol::ieee_802_1q},
                                     .max_tx_rate = 100,
                                     .min_tx_rate = 10,
                                     .spoofchk = true,
                                     .trust = true,
                                     .link_state = VfLinkState::disable,
                                     .query_rss = false});
    CHECK(vf0.counters == VfCounters{11, 22, 3300, 4400, 5, 6, 7, 8});

    const FoundVf& vf1 = info.vfs[1];
    CHECK(vf1.vf == 1);
    CHECK(vf1.settings.mac == MacAddress::parse("02:11:22:33:44:66"));
    CHECK(vf1.settings.vlan == VfVlan{0, 0, VlanProtocol::ieee_802_1q});  // no port VLAN
    CHECK(vf1.settings.spoofchk == true);
    CHECK(vf1.settings.trust == false);
}

TEST_CASE("settings the driver did not report (0xffffffff) are not set; no IFLA_VF_STATS, no counters")
{
    auto v = igb_like_vf();
    v.spoofchk = 0xffffffff;
    v.trusted = 0xffffffff;
    const auto info = decode_link_vf_info(reply::link(4, std::vector{v}));
    REQUIRE(info.vfs.size() == 1);
    const auto& found = info.vfs[0];
    CHECK_FALSE(found.settings.spoofchk.has_value());
    CHECK_FALSE(found.settings.trust.has_value());
    CHECK_FALSE(found.settings.query_rss.has_value());
    CHECK(found.settings.link_state == VfLinkState::auto_);  // the kernel's default: indistinguishable
    CHECK_FALSE(found.counters.any_reported());
    CHECK(found.counters == VfCounters{});
}

TEST_CASE("an 802.1ad port VLAN is read from IFLA_VF_VLAN_LIST, which carries the protocol")
{
    auto v = full_vf();
    v.vlan_proto = 0x88a8;
    const auto info = decode_link_vf_info(reply::link(4, std::vector{v}));
    REQUIRE(info.vfs.size() == 1);
    CHECK(info.vfs[0].settings.vlan == VfVlan{7, 3, VlanProtocol::ieee_802_1ad});
}

TEST_CASE("found and desired compare field by field: only what was asked for matters")
{
    const auto info = decode_link_vf_info(reply::link(4, std::vector{full_vf()}));
    const VfSettings desired{.mac = MacAddress::parse("02:11:22:33:44:55"), .trust = false};
    const VfSettings& found = info.vfs[0].settings;
    CHECK(desired.mac == found.mac);
    CHECK(desired.trust != found.trust);  // drift: trust was turned on behind our back
}

TEST_CASE("a link without VF information decodes to no VFs")
{
    const auto info = decode_link_vf_info(reply::link(7, std::nullopt));
    CHECK(info.ifindex == 7);
    CHECK_FALSE(info.num_vf.has_value());
    CHECK(info.vfs.empty());

    const auto no_vfs = decode_link_vf_info(reply::link(7, std::vector<reply::KernelVf>{}));
    CHECK(no_vfs.num_vf == 0u);
    CHECK(no_vfs.vfs.empty());
}

TEST_CASE("what is not a whole RTM_NEWLINK is a protocol error, not a guess")
{
    auto bytes = reply::link(4, std::vector{full_vf()});
    CHECK(is_protocol_error(std::span(bytes).first(bytes.size() - 8)));  // cut short
    CHECK(is_protocol_error(std::span(bytes).first(10)));                // not even a header
    CHECK(is_protocol_error(test_hex::bytes(captures::refused_trust.hex)));  // an NLMSG_ERROR

    // An IFLA_VF_MAC shorter than struct ifla_vf_mac.
    auto msg = sriov::nl::new_message(RTM_NEWLINK, 0);
    ifinfomsg ifi{};
    REQUIRE(nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) == 0);
    nlattr* list = nla_nest_start(msg.get(), IFLA_VFINFO_LIST);
    nlattr* vf = nla_nest_start(msg.get(), IFLA_VF_INFO);
    REQUIRE(nla_put_u32(msg.get(), IFLA_VF_MAC, 0) == 0);
    nla_nest_end(msg.get(), vf);
    nla_nest_end(msg.get(), list);
    CHECK(is_protocol_error(sriov::nl::message_bytes(msg.get())));
}

TEST_CASE("the RTM_GETLINK request: one link, no dump, IFLA_EXT_MASK = RTEXT_FILTER_VF without SKIP_STATS")
{
    // nlmsghdr {len 40, RTM_GETLINK (18), NLM_F_REQUEST, seq 0x01020304, pid 0}, ifinfomsg
    // {AF_UNSPEC, index 7}, IFLA_EXT_MASK (29) u32 RTEXT_FILTER_VF (1).
    CHECK(test_hex::text(build_link_request(7, 0x01020304)) ==
          "28000000120001000403020100000000"
          "00000000070000000000000000000000"
          "08001d0001000000");
    CHECK_THROWS_AS(build_link_request(0), Error);
}

TEST_CASE("settings as iproute2's keywords, for the lines that say what was asked or found")
{
    CHECK(to_string(VfSettings{}) == "(nothing)");
    CHECK(to_string(VfSettings{.mac = MacAddress::parse("02:11:22:33:44:55"),
                               .vlan = VfVlan{10, 3, VlanProtocol::ieee_802_1q},
                               .max_tx_rate = 100,
                               .min_tx_rate = 0,
                               .spoofchk = false,
                               .trust = true,
                               .link_state = VfLinkState::auto_,
                               .query_rss = false}) ==
          "mac 02:11:22:33:44:55 vlan 10 qos 3 max_tx_rate 100 min_tx_rate 0 spoofchk off trust on "
          "state auto query_rss off");
    CHECK(to_string(VfSettings{.vlan = VfVlan{10, 0, VlanProtocol::ieee_802_1ad}}) == "vlan 10 qos 0 proto 802.1ad");
    CHECK(to_string(VfSettings{.link_state = VfLinkState::disable}) == "state disable");
}

TEST_CASE("a real answer of the kernel's igb (6.12, two VFs), captured in the testbed")
{
    const auto info = decode_link_vf_info(test_hex::bytes(captures::igb_two_vfs_newlink));
    CHECK(info.ifindex == 3);
    CHECK(info.num_vf == 2u);
    REQUIRE(info.vfs.size() == 2);

    CHECK(info.vfs[0].vf == 0);
    CHECK(info.vfs[0].settings == VfSettings{.mac = MacAddress::parse("02:11:22:33:44:55"),
                                             .vlan = VfVlan{10, 3, VlanProtocol::ieee_802_1q},
                                             .max_tx_rate = 100,
                                             .min_tx_rate = 0,
                                             .spoofchk = false,
                                             .trust = true,
                                             .link_state = VfLinkState::auto_});  // query_rss: 0xffffffff
    CHECK(info.vfs[1].vf == 1);
    CHECK(info.vfs[1].settings == VfSettings{.mac = MacAddress::parse("02:11:22:33:44:66"),
                                             .vlan = VfVlan{0, 0, VlanProtocol::ieee_802_1q},
                                             .max_tx_rate = 0,
                                             .min_tx_rate = 0,
                                             .spoofchk = true,
                                             .trust = false,
                                             .link_state = VfLinkState::auto_});
    // igb has no VF counters, yet the kernel sends every one of them, as 0.
    const VfCounters zeros{0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(info.vfs[0].counters == zeros);
    CHECK(info.vfs[1].counters == zeros);
}
