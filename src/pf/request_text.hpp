// Requests in words for the log: "SET_VLAN add 100", "SET_MAC_ADDR 02:11:22:33:44:55".
#pragma once

#include "mbx/request.hpp"

#include <cstdint>
#include <string>

namespace sriov::pf {

// The request's name and its arguments. Never throws (but bad_alloc).
std::string describe(const mbx::Request& request);

// For words that did not decode: the name of the ID in word 0 and word 0 itself,
// e.g. "SET_VLAN 0x00050004". Never throws (but bad_alloc).
std::string describe_word0(std::uint32_t word0);

}  // namespace sriov::pf
