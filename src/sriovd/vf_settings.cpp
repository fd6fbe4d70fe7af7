#include "vf_settings.hpp"

namespace sriov::sriovd {

namespace {

pf::LinkMode link_mode(control::LinkState s)
{
    switch (s) {
    case control::LinkState::automatic: return pf::LinkMode::automatic;
    case control::LinkState::enable: return pf::LinkMode::enable;
    case control::LinkState::disable: return pf::LinkMode::disable;
    }
    return pf::LinkMode::automatic;
}

}  // namespace

VfChange apply_settings(const pf::VfAdmin& current, const control::VfSettings& settings)
{
    VfChange c{current, {}};
    pf::VfAdmin& a = c.admin;
    if (settings.mac) {
        a.mac = *settings.mac;
        c.keys.push_back("mac");
    }
    if (settings.vlan) {
        a.port_vlan = *settings.vlan == 0 ? std::nullopt : std::optional(*settings.vlan);
        a.port_vlan_qos = settings.qos.value_or(0);
        c.keys.push_back("vlan");
        c.keys.push_back("qos");
    } else if (settings.qos) {
        a.port_vlan_qos = *settings.qos;
        c.keys.push_back("qos");
    }
    if (settings.max_tx_rate) {
        a.max_tx_rate_mbps = *settings.max_tx_rate;
        c.keys.push_back("max_tx_rate");
    }
    if (settings.max_frame) {
        a.max_frame = *settings.max_frame;
        c.keys.push_back("max_frame");
    }
    if (settings.max_multicast) {
        a.max_multicast = *settings.max_multicast;
        c.keys.push_back("max_multicast");
    }
    if (settings.max_vlans) {
        a.max_vlans = *settings.max_vlans;
        c.keys.push_back("max_vlans");
    }
    if (settings.spoofchk) {
        a.spoof_check = *settings.spoofchk;
        c.keys.push_back("spoof_check");
    }
    if (settings.trust) {
        a.trusted = *settings.trust;
        c.keys.push_back("trust");
    }
    if (settings.state) {
        a.link_state = link_mode(*settings.state);
        c.keys.push_back("link_state");
    }
    if (settings.min_tx_rate) {
        a.min_tx_rate_mbps = *settings.min_tx_rate;
        c.keys.push_back("min_tx_rate");
    }
    // A port VLAN given without its protocol is 802.1Q, as iproute2 sends it.
    if (settings.vlan || settings.vlan_protocol) {
        a.port_vlan_802_1ad = settings.vlan_protocol == control::VlanProtocol::ieee_802_1ad;
        c.keys.push_back("vlan_protocol");
    }
    if (settings.query_rss) {
        a.query_rss = *settings.query_rss;
        c.keys.push_back("query_rss");
    }
    return c;
}

}  // namespace sriov::sriovd
