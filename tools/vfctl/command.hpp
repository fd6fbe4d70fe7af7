// What an operator asked vfctl to do, after parsing and before talking to sriovd.
//
// The vocabulary is iproute2's (`ip link set DEV vf N mac ... vlan ... qos ... max_tx_rate ...
// spoofchk on|off trust on|off state auto|enable|disable`), so nothing has to be relearnt.
#pragma once

#include "sriov/control/protocol.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace sriov::vfctl {

// The settings of one `set PF vf N ...`, all applied or none: the control protocol's own type.
using control::LinkState;
using control::VfSettings;

// A PF as the operator named it: its PCI address in canonical form ("0000:00:02.0"), or its
// network interface's name ("eth0") as given, for sriovd to resolve.
using PfName = std::string;

struct Show {
    std::optional<PfName> pf;
    std::optional<unsigned> vf;
    bool stats = false;
};
struct SetVf {
    PfName pf;
    unsigned vf = 0;
    VfSettings settings;
};
struct SetNumVfs {
    PfName pf;
    unsigned count = 0;
};
struct Reset {
    PfName pf;
    std::optional<unsigned> vf;  // nullopt: the PF itself
};
struct Release {
    PfName pf;
    unsigned vf = 0;
};
struct Monitor {};
struct Status {};

using Command = std::variant<Show, SetVf, SetNumVfs, Reset, Release, Monitor, Status>;

}  // namespace sriov::vfctl
