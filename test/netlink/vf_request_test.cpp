// build_vf_request() must send, for each setting, the bytes iproute2 6.1 sends for the same
// `ip link set DEV vf N ...` command (iproute2_captures.hpp), sequence number, port id and
// interface index aside.
#include "netlink/vf_request.hpp"

#include "hex.hpp"
#include "iproute2_captures.hpp"
#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>

using namespace sriov;
using namespace sriov::nl;

namespace {

constexpr int pf_ifindex = 9;  // nl0's, as captured; normalised() makes it irrelevant anyway

// nlmsg_seq (bytes 8-11), nlmsg_pid (12-15) and ifi_index (20-23) zeroed.
std::vector<std::uint8_t> normalised(std::vector<std::uint8_t> message)
{
    REQUIRE(message.size() >= 24);
    std::fill(message.begin() + 8, message.begin() + 16, 0);
    std::fill(message.begin() + 20, message.begin() + 24, 0);
    return message;
}

void check_same_as_iproute2(const captures::Capture& capture, std::uint32_t vf, const VfSettings& settings)
{
    INFO("ip " << capture.command);
    const auto built = build_vf_request(pf_ifindex, vf, settings);
    CHECK(test_hex::text(normalised(built)) == test_hex::text(normalised(test_hex::bytes(capture.hex))));
}

const MacAddress mac = MacAddress::parse("02:11:22:33:44:55");

}  // namespace

TEST_CASE("mac: IFLA_VF_MAC with the address in the first 6 of 32 bytes, as iproute2 sends it")
{
    check_same_as_iproute2(captures::mac, 0, {.mac = mac});
}

TEST_CASE("vlan and qos, 802.1Q: IFLA_VF_VLAN, as iproute2 sends it with or without `proto 802.1Q`")
{
    check_same_as_iproute2(captures::vlan_qos, 0, {.vlan = VfVlan{7, 3}});
    check_same_as_iproute2(captures::vlan_8021q, 0, {.vlan = VfVlan{7, 3, VlanProtocol::ieee_802_1q}});
    check_same_as_iproute2(captures::vlan_no_qos, 0, {.vlan = VfVlan{7}});
}

TEST_CASE("vlan with proto 802.1ad: IFLA_VF_VLAN_LIST with the protocol in network order, as iproute2 sends it")
{
    check_same_as_iproute2(captures::vlan_8021ad, 0, {.vlan = VfVlan{7, 3, VlanProtocol::ieee_802_1ad}});
}

TEST_CASE("max_tx_rate and min_tx_rate: one IFLA_VF_RATE carrying both, as iproute2 sends it")
{
    check_same_as_iproute2(captures::both_rates, 0, {.max_tx_rate = 100, .min_tx_rate = 10});
}

TEST_CASE("one rate alone is completed from the kernel's view of the VF, as iproute2 does")
{
    // nl0 has no VF, so iproute2 found no rate and kept 0 for the other one.
    const VfSettings found{.max_tx_rate = 0, .min_tx_rate = 0};
    check_same_as_iproute2(captures::max_tx_rate, 0, complete_rates({.max_tx_rate = 100}, found));
    check_same_as_iproute2(captures::min_tx_rate, 0, complete_rates({.min_tx_rate = 10}, found));

    const auto kept = complete_rates({.max_tx_rate = 100}, {.max_tx_rate = 50, .min_tx_rate = 20});
    CHECK(kept.max_tx_rate == 100u);
    CHECK(kept.min_tx_rate == 20u);
}

TEST_CASE("one rate alone is refused by the encoder, and by complete_rates when the kernel has none")
{
    try {
        build_vf_request(pf_ifindex, 0, {.max_tx_rate = 100});
        FAIL("a lone max_tx_rate was encoded");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid_argument);
    }
    try {
        complete_rates({.min_tx_rate = 10}, {.mac = mac});
        FAIL("a rate was made up");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::protocol);
    }
}

TEST_CASE("spoofchk, trust, state and query_rss: one attribute each, as iproute2 sends them")
{
    check_same_as_iproute2(captures::spoofchk_on, 0, {.spoofchk = true});
    check_same_as_iproute2(captures::trust_on, 0, {.trust = true});
    check_same_as_iproute2(captures::trust_off, 0, {.trust = false});
    check_same_as_iproute2(captures::state_disable, 0, {.link_state = VfLinkState::disable});
    check_same_as_iproute2(captures::state_enable, 0, {.link_state = VfLinkState::enable});
    check_same_as_iproute2(captures::query_rss_on, 0, {.query_rss = true});
}

TEST_CASE("every setting at once on VF 3: one IFLA_VF_INFO in iproute2's order, rate last")
{
    check_same_as_iproute2(captures::combined, 3,
                           {.mac = mac,
                            .vlan = VfVlan{7, 3},
                            .max_tx_rate = 100,
                            .min_tx_rate = 10,
                            .spoofchk = false,
                            .trust = true,
                            .link_state = VfLinkState::auto_,
                            .query_rss = false});
}

TEST_CASE("the header carries the sequence number and the PF's ifindex as given")
{
    const auto built = build_vf_request(42, 0, {.trust = true}, 0x01020304);
    REQUIRE(built.size() == 52);
    CHECK(test_hex::text({built.begin() + 8, built.begin() + 12}) == "04030201");
    CHECK(test_hex::text({built.begin() + 12, built.begin() + 16}) == "00000000");  // pid: the kernel fills it
    CHECK(test_hex::text({built.begin() + 20, built.begin() + 24}) == "2a000000");
}

TEST_CASE("requests the kernel would refuse anyway are refused before they are built")
{
    const auto refused = [](int ifindex, const VfSettings& s) {
        try {
            build_vf_request(ifindex, 0, s);
        } catch (const Error& e) {
            return e.code() == Errc::invalid_argument;
        }
        return false;
    };
    CHECK(refused(pf_ifindex, {}));                              // nothing to set
    CHECK(refused(0, {.trust = true}));                          // no PF
    CHECK(refused(pf_ifindex, {.vlan = VfVlan{4096}}));          // vid out of range
    CHECK(refused(pf_ifindex, {.vlan = VfVlan{7, 8}}));          // qos out of range
    CHECK_FALSE(refused(pf_ifindex, {.vlan = VfVlan{4095, 7}}));
}
