// An operator's change of one VF (vfctl ... vf N mac ... vlan ...) laid over the VF's settings:
// what the VF's settings become, and which keys of the state file (state_file.hpp) the change
// sets, so that they are kept with origin "runtime".
//
// The vocabulary is iproute2's: "vlan 0" removes the port VLAN, and a VLAN given without "qos"
// has priority 0; "qos" alone changes the priority of the port VLAN the VF has.
#pragma once

#include "pf/vf_policy.hpp"
#include "sriov/control/protocol.hpp"

#include <string>
#include <vector>

namespace sriov::sriovd {

struct VfChange {
    pf::VfAdmin admin;              // the VF's settings with the change applied (not validated)
    std::vector<std::string> keys;  // the state-file keys it sets
};

// Never throws (but bad_alloc); validation is VfPolicy::set_admin()'s.
VfChange apply_settings(const pf::VfAdmin& current, const control::VfSettings& settings);

}  // namespace sriov::sriovd
