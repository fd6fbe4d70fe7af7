#include "netlink/vf_settings.hpp"

#include <fmt/format.h>

namespace sriov::nl {

std::string_view to_string(VlanProtocol protocol) noexcept
{
    switch (protocol) {
    case VlanProtocol::ieee_802_1q: return "802.1Q";
    case VlanProtocol::ieee_802_1ad: return "802.1ad";
    }
    return "unknown";
}

std::string_view to_string(VfLinkState state) noexcept
{
    switch (state) {
    case VfLinkState::auto_: return "auto";
    case VfLinkState::enable: return "enable";
    case VfLinkState::disable: return "disable";
    }
    return "unknown";
}

std::string to_string(const VfSettings& s)
{
    std::string out;
    const auto add = [&out](std::string_view text) {
        if (!out.empty())
            out += ' ';
        out += text;
    };
    const auto on_off = [](bool b) { return b ? "on" : "off"; };
    if (s.mac)
        add(fmt::format("mac {}", *s.mac));
    if (s.vlan) {
        add(fmt::format("vlan {} qos {}", s.vlan->vid, s.vlan->qos));
        if (s.vlan->protocol != VlanProtocol::ieee_802_1q)
            add(fmt::format("proto {}", to_string(s.vlan->protocol)));
    }
    if (s.max_tx_rate)
        add(fmt::format("max_tx_rate {}", *s.max_tx_rate));
    if (s.min_tx_rate)
        add(fmt::format("min_tx_rate {}", *s.min_tx_rate));
    if (s.spoofchk)
        add(fmt::format("spoofchk {}", on_off(*s.spoofchk)));
    if (s.trust)
        add(fmt::format("trust {}", on_off(*s.trust)));
    if (s.link_state)
        add(fmt::format("state {}", to_string(*s.link_state)));
    if (s.query_rss)
        add(fmt::format("query_rss {}", on_off(*s.query_rss)));
    return out.empty() ? "(nothing)" : out;
}

}  // namespace sriov::nl
