#include "netlink/vf_settings.hpp"

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

}  // namespace sriov::nl
