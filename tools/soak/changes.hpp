// The operator's changes, drawn from the cycle's random generator: on a traffic VF only what keeps
// its traffic going and shows in igbvf (trust, spoof check, link state auto or enable); on a VF of
// the other PF anything vfctl sets (MAC, port VLAN with QoS, trust, spoof check, link state,
// TX rate), one to four settings in one call, all of which must be applied or none.
#pragma once

#include "expected.hpp"

#include <random>

namespace sriov::soak {

Change traffic_vf_change(std::mt19937_64& rng, const std::string& pf, unsigned vf);
Change other_vf_change(std::mt19937_64& rng, const std::string& pf, unsigned vf);

}  // namespace sriov::soak
