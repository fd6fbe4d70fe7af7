// What the PF knows of one VF besides its administrator's settings: whether it has completed the
// reset handshake, and what it has asked for since (fact sheet section 5.4; Linux igb keeps the
// same in its vf_data_storage).
#pragma once

#include "sriov/mac_address.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace sriov::pf {

struct VfState {
    // CTS: the VF has sent VF_RESET since its last reset event, so its other requests are served.
    bool clear_to_send = false;
    std::optional<MacAddress> mac;         // the address in its receive filter
    std::vector<std::uint16_t> vlans;      // VLANs it joined, VLAN 0 and the port VLAN aside
    std::vector<std::uint16_t> multicast;  // its multicast hashes (at most 30)
    bool multicast_overflow = false;       // it has more groups than hashes fit
    bool multicast_promisc = false;        // it asked for all multicast, and was allowed
    std::uint16_t max_frame = 0;           // largest frame it asked to receive; 0: standard
    // Stopped for misbehaving (request_policer.hpp) until an operator releases it. Kept across the
    // VF's own resets, unlike everything above.
    bool quarantined = false;
    // When the VF was last told it is not clear to send (NACKs to its ACKs are rate-limited).
    std::optional<std::chrono::steady_clock::time_point> last_nack;
};

}  // namespace sriov::pf
