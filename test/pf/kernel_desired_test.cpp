// What a kernel-owned PF's VF is asked to be: only what was declared (src/sriovd/kernel_desired.hpp).
#include "sriovd/kernel_desired.hpp"

#include "pf/generated_mac.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace sriov;
using sriov::sriovd::desired_settings;

namespace {

pf::VfAdmin everything_set()
{
    pf::VfAdmin a;
    a.mac = MacAddress::parse("02:11:22:33:44:55");
    a.trusted = true;
    a.port_vlan = 10;
    a.port_vlan_qos = 3;
    a.spoof_check = false;
    a.link_state = pf::LinkMode::disable;
    a.max_tx_rate_mbps = 1000;
    a.min_tx_rate_mbps = 100;
    a.query_rss = true;
    return a;
}

}  // namespace

TEST_CASE("nothing declared: nothing is asked of the kernel, whatever the settings say")
{
    CHECK(desired_settings(everything_set(), {}, MacAddress{}, 0).empty());
    // Keys only a PF sriovd owns has, or the driver binding, are no netlink settings either.
    CHECK(desired_settings(everything_set(), {"max_frame", "allowed_vlans", "driver"}, MacAddress{}, 0).empty());
}

TEST_CASE("each declared key becomes its setting, and only that one")
{
    const auto a = everything_set();
    nl::VfSettings want;
    want.mac = MacAddress::parse("02:11:22:33:44:55");
    CHECK(desired_settings(a, {"mac"}, MacAddress{}, 0) == want);

    want = {};
    want.trust = true;
    want.spoofchk = false;
    CHECK(desired_settings(a, {"trust", "spoof_check"}, MacAddress{}, 0) == want);

    want = {};
    want.link_state = nl::VfLinkState::disable;
    want.query_rss = true;
    CHECK(desired_settings(a, {"link_state", "query_rss"}, MacAddress{}, 0) == want);

    want = {};
    want.max_tx_rate = 1000;
    CHECK(desired_settings(a, {"max_tx_rate"}, MacAddress{}, 0) == want);
    want.min_tx_rate = 100;
    CHECK(desired_settings(a, {"max_tx_rate", "min_tx_rate"}, MacAddress{}, 0) == want);
}

TEST_CASE("vlan, qos and vlan_protocol are one setting: any of them sends all three")
{
    auto a = everything_set();
    const nl::VfVlan tagged{10, 3, nl::VlanProtocol::ieee_802_1q};
    CHECK(desired_settings(a, {"vlan"}, MacAddress{}, 0).vlan == tagged);
    CHECK(desired_settings(a, {"qos"}, MacAddress{}, 0).vlan == tagged);
    a.port_vlan_802_1ad = true;
    CHECK(desired_settings(a, {"vlan_protocol"}, MacAddress{}, 0).vlan ==
          nl::VfVlan{10, 3, nl::VlanProtocol::ieee_802_1ad});
    // No port VLAN declared as such: vid 0, which is how the kernel is told to remove it.
    a.port_vlan.reset();
    a.port_vlan_qos = 0;
    CHECK(desired_settings(a, {"vlan"}, MacAddress{}, 0).vlan->vid == 0);
}

TEST_CASE("mac = \"auto\" is made from the PF's MAC, as for a PF sriovd owns; no MAC asks for none")
{
    pf::VfAdmin a;
    a.generated_mac = true;
    const auto pf_mac = MacAddress::parse("52:54:00:12:34:56");
    CHECK(desired_settings(a, {"mac"}, pf_mac, 2).mac == pf::generated_mac(pf_mac, 2));
    CHECK_FALSE(desired_settings(pf::VfAdmin{}, {"mac"}, pf_mac, 2).mac.has_value());
}
