// A MAC address for a VF the administrator gave none, that stays the same across restarts and
// reboots (DHCP leases and neighbours keep working), made from the PF's own MAC (unique to the
// card) and the VF's number: a 64-bit FNV-1a hash of the two, cut to 48 bits, marked locally
// administered and unicast. Two VFs of one PF, or of two PFs, differ unless the hash collides.
#pragma once

#include "sriov/mac_address.hpp"

namespace sriov::pf {

// Never throws.
MacAddress generated_mac(const MacAddress& pf_mac, unsigned vf) noexcept;

}  // namespace sriov::pf
