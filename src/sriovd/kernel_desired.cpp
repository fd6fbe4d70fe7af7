#include "kernel_desired.hpp"

#include "pf/generated_mac.hpp"

#include <algorithm>

namespace sriov::sriovd {

namespace {

nl::VfLinkState link_state(pf::LinkMode mode)
{
    switch (mode) {
    case pf::LinkMode::enable: return nl::VfLinkState::enable;
    case pf::LinkMode::disable: return nl::VfLinkState::disable;
    case pf::LinkMode::automatic: break;
    }
    return nl::VfLinkState::auto_;
}

}  // namespace

nl::VfSettings desired_settings(const pf::VfAdmin& a, const std::vector<std::string>& keys, const MacAddress& pf_mac,
                                unsigned vf)
{
    const auto has = [&](const char* key) { return std::find(keys.begin(), keys.end(), key) != keys.end(); };
    nl::VfSettings s;
    if (has("mac")) {
        if (a.mac)
            s.mac = *a.mac;
        else if (a.generated_mac)
            s.mac = pf::generated_mac(pf_mac, vf);
    }
    if (has("vlan") || has("qos") || has("vlan_protocol"))
        s.vlan = nl::VfVlan{a.port_vlan.value_or(0), a.port_vlan_qos,
                            a.port_vlan_802_1ad ? nl::VlanProtocol::ieee_802_1ad : nl::VlanProtocol::ieee_802_1q};
    if (has("max_tx_rate"))
        s.max_tx_rate = a.max_tx_rate_mbps;
    if (has("min_tx_rate"))
        s.min_tx_rate = a.min_tx_rate_mbps;
    if (has("spoof_check"))
        s.spoofchk = a.spoof_check;
    if (has("trust"))
        s.trust = a.trusted;
    if (has("link_state"))
        s.link_state = link_state(a.link_state);
    if (has("query_rss"))
        s.query_rss = a.query_rss;
    return s;
}

}  // namespace sriov::sriovd
