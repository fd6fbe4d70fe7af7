#include "pf/vf_policy.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sriov::pf {

std::string_view to_string(LinkMode mode) noexcept
{
    switch (mode) {
    case LinkMode::enable: return "enable";
    case LinkMode::disable: return "disable";
    case LinkMode::automatic: break;
    }
    return "auto";
}

namespace {

std::string vf_name(unsigned vf) { return fmt::format("VF {}", vf); }

}  // namespace

VfPolicy::VfPolicy(unsigned num_vfs) : admin_(num_vfs) {}

void VfPolicy::set_admin(unsigned vf, VfAdmin admin)
{
    if (vf >= admin_.size())
        throw Error(Errc::invalid_argument, vf_name(vf), fmt::format("there are only {} VFs", admin_.size()));
    if (admin.mac && !admin.mac->is_valid_unicast())
        throw Error(Errc::invalid_argument, vf_name(vf),
                    fmt::format("{} is not a unicast address a VF can use", *admin.mac));
    if (admin.port_vlan && (*admin.port_vlan == 0 || *admin.port_vlan > 4095))
        throw Error(Errc::invalid_argument, vf_name(vf),
                    fmt::format("port VLAN {} is outside 1..4095", *admin.port_vlan));
    if (admin.port_vlan_qos > 7)
        throw Error(Errc::invalid_argument, vf_name(vf),
                    fmt::format("QoS {} is outside 0..7", admin.port_vlan_qos));
    if (admin.port_vlan_qos != 0 && !admin.port_vlan)
        throw Error(Errc::invalid_argument, vf_name(vf), "a QoS needs a port VLAN to tag with");
    if (admin.max_frame != 0 && admin.max_frame < 64)
        throw Error(Errc::invalid_argument, vf_name(vf),
                    fmt::format("max_frame {} is below the 64 bytes of the smallest frame (0: the chip's limit)",
                                admin.max_frame));
    if (admin.max_multicast > 30)
        throw Error(Errc::invalid_argument, vf_name(vf),
                    fmt::format("max_multicast {} is above the 30 groups a VF can ask for", admin.max_multicast));
    if (admin.max_vlans > 32)
        throw Error(Errc::invalid_argument, vf_name(vf),
                    fmt::format("max_vlans {} is above the 32 VLAN filter entries of the chip", admin.max_vlans));
    if (admin.allowed_vlans)
        for (auto vid : *admin.allowed_vlans)
            if (vid > 4095)
                throw Error(Errc::invalid_argument, vf_name(vf),
                            fmt::format("allowed VLAN {} is above 4095", vid));
    admin_[vf] = std::move(admin);
}

const VfAdmin& VfPolicy::admin(unsigned vf) const
{
    if (vf >= admin_.size())
        throw Error(Errc::invalid_argument, vf_name(vf), fmt::format("there are only {} VFs", admin_.size()));
    return admin_[vf];
}

Decision VfPolicy::set_mac(unsigned vf, const std::optional<MacAddress>& current,
                           const MacAddress& requested) const
{
    const VfAdmin& a = admin(vf);
    if (!requested.is_valid_unicast())
        return Decision::deny(fmt::format("{} is not a valid unicast address", requested));
    if (a.trusted)
        return Decision::allow("the VF is trusted");
    if (current == requested)
        return Decision::allow("it is the VF's MAC already");
    if (a.mac)
        return Decision::deny(fmt::format("the administrator assigned {} and the VF is not trusted", *a.mac));
    return Decision::allow("the administrator assigned no MAC");
}

Decision VfPolicy::set_vlan(unsigned vf, std::uint16_t vid, bool add) const
{
    const VfAdmin& a = admin(vf);
    if (a.port_vlan)
        return Decision::deny(fmt::format("port VLAN {} is set; the VF may not choose VLANs", *a.port_vlan));
    if (!add || vid == 0 || !a.allowed_vlans)
        return Decision::allow("");
    if (std::find(a.allowed_vlans->begin(), a.allowed_vlans->end(), vid) == a.allowed_vlans->end())
        return Decision::deny(fmt::format("VLAN {} is not among the VF's allowed VLANs", vid));
    return Decision::allow("an allowed VLAN");
}

Decision VfPolicy::vlan_count(unsigned vf, std::size_t count) const
{
    const unsigned limit = admin(vf).max_vlans;
    if (count > limit)
        return Decision::deny(fmt::format("{} VLANs is more than the {} the administrator allows", count, limit));
    return Decision::allow("within the VF's VLAN limit");
}

Decision VfPolicy::multicast_promisc(unsigned vf) const
{
    if (admin(vf).trusted)
        return Decision::allow("the VF is trusted");
    return Decision::deny("only a trusted VF may receive all multicast");
}

Decision VfPolicy::max_frame(unsigned vf, std::uint16_t bytes, std::uint16_t chip_max) const
{
    const std::uint16_t own = admin(vf).max_frame;
    const std::uint16_t limit = own != 0 && own < chip_max ? own : chip_max;
    if (bytes > limit)
        return Decision::deny(fmt::format("{} bytes is above the {} bytes {}", bytes, limit,
                                          limit == chip_max ? "a pool accepts" : "the administrator allows"));
    return Decision::allow("maximum frame size set");
}

Decision VfPolicy::multicast(unsigned vf, std::size_t count, bool overflow) const
{
    const unsigned limit = admin(vf).max_multicast;
    if (count > limit || (overflow && limit < 30))
        return Decision::deny(fmt::format("{} multicast groups{} is more than the {} the administrator allows",
                                          count, overflow ? " and more" : "", limit));
    return Decision::allow("multicast filter updated");
}

}  // namespace sriov::pf
