// What sriovd does when the kernel's view of a managed VF differs from what is desired (a change
// made behind its back: `ip link set PF vf N ...`, another tool, a VF resetting itself). Decisions
// only; KernelBackend reads the view and acts on them.
//
//  - A trusted VF may pick its own MAC: a MAC found that differs from the desired one is adopted
//    (kept as the desired MAC from then on), not put back; an all-zero MAC is no choice and is not
//    adopted. (The kernel does not say who changed a MAC: on a trusted VF an operator's
//    `ip link set PF vf N mac X` is adopted too.)
//  - Each drift is reported once: a `drift` event when the differences are new, none while the
//    same differences persist (on_drift = "report" leaves them).
//  - With on_drift = "restore" every difference is put back, on every check until it holds.
#pragma once

#include "netlink/vf_settings.hpp"
#include "sriov/mac_address.hpp"

#include <optional>
#include <string>

namespace sriov::sriovd {

struct DriftCheck {
    std::optional<MacAddress> adopt_mac;  // a trusted VF's own MAC, to keep as desired
    nl::VfSettings want;                  // what the VF should have (with an adopted MAC)
    std::string text;                     // "mac X (desired Y), vlan ..." ; empty: no drift
    bool report = false;                  // text differs from what was reported last: an event
    bool restore = false;                 // put want back now
};

// last_reported: the text of the last drift reported for this VF ("" if none, or it went away).
// Never throws (but bad_alloc).
DriftCheck drift_of(const nl::VfSettings& desired, const nl::VfSettings& found, bool trusted, bool restore,
                       const std::string& last_reported);

}  // namespace sriov::sriovd
