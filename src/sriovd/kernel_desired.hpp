// What a kernel-owned PF's VF should have, as rtnetlink settings: only the keys its configuration
// or vfctl declared (the state file's keys of that VF) become settings; everything else stays as
// the kernel, the VF or another tool has it. A port VLAN, its priority and its protocol are one
// setting (IFLA_VF_VLAN or IFLA_VF_VLAN_LIST), so any of vlan, qos and vlan_protocol declared
// sends all three, as `ip link set DEV vf N vlan V qos Q proto P` does.
#pragma once

#include "netlink/vf_settings.hpp"
#include "pf/vf_policy.hpp"
#include "sriov/mac_address.hpp"

#include <string>
#include <vector>

namespace sriov::sriovd {

// admin's values for the declared keys. A mac of "auto" (generated_mac) is made from pf_mac and
// vf as for a PF sriovd owns. Never throws (but bad_alloc).
nl::VfSettings desired_settings(const pf::VfAdmin& admin, const std::vector<std::string>& keys,
                                const MacAddress& pf_mac, unsigned vf);

}  // namespace sriov::sriovd
