// What sriovd tells its operators happened to a PF or one of its VFs (vfctl monitor shows these).
// Produced in the event loop by the mailbox service and the PF manager; sriovd publishes them on
// its control socket (include/sriov/control/protocol.hpp lists the kinds).
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace sriov::pf {

struct PfEvent {
    // "vf_reset" (the VF reset itself, or completed VF_RESET), "request_refused", "quarantine",
    // "release", "link_change", "pf_reset", "vf_changed".
    std::string kind;
    std::optional<unsigned> vf;  // nullopt: the PF as a whole
    std::string message;         // what happened, in words
};

// Receives events; must not throw, must not block.
using EventSink = std::function<void(const PfEvent&)>;

}  // namespace sriov::pf
