// An operator's change laid over a VF's settings, with iproute2's meaning of vlan and qos, and the
// state-file keys it sets.
#include "sriovd/vf_settings.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace sriov;
using namespace sriov::sriovd;

TEST_CASE("only the settings given change, and each names its state-file keys")
{
    pf::VfAdmin current;
    current.mac = MacAddress::parse("02:11:22:33:44:55");
    control::VfSettings s;
    s.trust = true;
    s.max_tx_rate = 100;
    const VfChange c = apply_settings(current, s);
    CHECK(c.admin.trusted);
    CHECK(c.admin.max_tx_rate_mbps == 100);
    CHECK(c.admin.mac == current.mac);
    CHECK(c.admin.spoof_check);
    CHECK(c.keys == std::vector<std::string>{"max_tx_rate", "trust"});
}

TEST_CASE("vlan without qos has priority 0, vlan 0 removes the port VLAN, qos alone keeps the VLAN")
{
    pf::VfAdmin current;
    current.port_vlan = 10;
    current.port_vlan_qos = 5;
    control::VfSettings vlan_only;
    vlan_only.vlan = 20;
    CHECK(apply_settings(current, vlan_only).admin.port_vlan == std::uint16_t{20});
    CHECK(apply_settings(current, vlan_only).admin.port_vlan_qos == 0);
    // As iproute2 sends it: a VLAN without proto is 802.1Q, whatever it was.
    CHECK(apply_settings(current, vlan_only).keys == std::vector<std::string>{"vlan", "qos", "vlan_protocol"});
    CHECK_FALSE(apply_settings(current, vlan_only).admin.port_vlan_802_1ad);

    control::VfSettings remove;
    remove.vlan = 0;
    CHECK_FALSE(apply_settings(current, remove).admin.port_vlan.has_value());

    control::VfSettings qos_only;
    qos_only.qos = 3;
    const VfChange c = apply_settings(current, qos_only);
    CHECK(c.admin.port_vlan == std::uint16_t{10});
    CHECK(c.admin.port_vlan_qos == 3);
    CHECK(c.keys == std::vector<std::string>{"qos"});
}

TEST_CASE("the settings of kernel-owned PFs: proto, min_tx_rate, query_rss")
{
    control::VfSettings s;
    s.vlan = 30;
    s.vlan_protocol = control::VlanProtocol::ieee_802_1ad;
    s.min_tx_rate = 50;
    s.query_rss = true;
    const VfChange c = apply_settings(pf::VfAdmin{}, s);
    CHECK(c.admin.port_vlan == std::uint16_t{30});
    CHECK(c.admin.port_vlan_802_1ad);
    CHECK(c.admin.min_tx_rate_mbps == 50);
    CHECK(c.admin.query_rss);
    CHECK(c.keys == std::vector<std::string>{"vlan", "qos", "min_tx_rate", "vlan_protocol", "query_rss"});
}

TEST_CASE("link state words map to the policy's modes")
{
    control::VfSettings s;
    s.state = control::LinkState::disable;
    s.spoofchk = false;
    const VfChange c = apply_settings(pf::VfAdmin{}, s);
    CHECK(c.admin.link_state == pf::LinkMode::disable);
    CHECK_FALSE(c.admin.spoof_check);
    CHECK(c.keys == std::vector<std::string>{"spoof_check", "link_state"});
}
