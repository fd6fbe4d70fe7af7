// The VF side of bench-mailbox-scale: one VF driven by libvf's own control code (vf::VfControl
// over mbx::VfMailbox, polling VFMAILBOX as igbvf does), on a thread of its own. Once every VF's
// thread is ready they start together: the reset handshake (VF_RESET), then rounds of the
// requests a VF driver sends when it sets itself up (max frame, multicast list, a VLAN joined and
// left; or only the VLAN, twice), each timed from the request written to the answer read.
#pragma once

#include "dev/register_io.hpp"
#include "mbx/timing.hpp"
#include "sriov/mac_address.hpp"

#include <chrono>
#include <cstdint>
#include <latch>
#include <string>
#include <vector>

namespace sriov::bench {

struct VfScript {
    unsigned rounds = 10;  // of requests_per_round requests each, after VF_RESET
    // Only VLAN 100 joined and left, as bench_mailbox_rtt asks (to compare with the kernel's igb),
    // instead of the set-up mix.
    bool vlan_only = false;
    mbx::Timing timing;    // at most timing.timeout per step, VFMAILBOX read every timing.poll
    std::chrono::milliseconds pf_ready{1000};
    static constexpr unsigned requests_per_round = 4;
};

struct VfRun {
    std::chrono::nanoseconds handshake{};           // the reset handshake, VTCTRL.RST to the MAC read
    std::vector<std::chrono::nanoseconds> answers;  // each request after VF_RESET, answered
    unsigned failures = 0;                          // steps that ended in an error (timeout, NACK, wrong MAC)
    std::string first_failure;
};

// Runs in the calling thread: waits for `start`, then plays the VF. Never throws.
VfRun run_vf(dev::RegisterIo& regs, const std::string& name, const MacAddress& expected_mac,
             const VfScript& script, std::latch& start);

}  // namespace sriov::bench
