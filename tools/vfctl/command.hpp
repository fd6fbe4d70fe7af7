// What an operator asked vfctl to do, after parsing and before talking to sriovd.
//
// The vocabulary is iproute2's (`ip link set DEV vf N mac ... vlan ... qos ... max_tx_rate ...
// spoofchk on|off trust on|off state auto|enable|disable`), so nothing has to be relearnt.
#pragma once

#include "sriov/mac_address.hpp"
#include "vfio/pci_address.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace sriov::vfctl {

enum class LinkState { automatic, enable, disable };

// The settings named in one `set PF vf N ...` command; all of them are applied or none.
struct VfSettings {
    std::optional<MacAddress> mac;
    std::optional<std::uint16_t> vlan;  // 0 removes the port VLAN
    std::optional<std::uint8_t> qos;    // priority of the port VLAN's tag, 0..7
    std::optional<std::uint32_t> max_tx_rate;  // Mb/s; 0 removes the limit
    std::optional<bool> spoofchk;
    std::optional<bool> trust;
    std::optional<LinkState> state;

    bool empty() const
    {
        return !mac && !vlan && !qos && !max_tx_rate && !spoofchk && !trust && !state;
    }
};

struct Show {
    std::optional<pci::Address> pf;
    std::optional<unsigned> vf;
    bool stats = false;
};
struct SetVf {
    pci::Address pf;
    unsigned vf = 0;
    VfSettings settings;
};
struct SetNumVfs {
    pci::Address pf;
    unsigned count = 0;
};
struct Reset {
    pci::Address pf;
    std::optional<unsigned> vf;  // nullopt: the PF itself
};
struct Release {
    pci::Address pf;
    unsigned vf = 0;
};
struct Monitor {};
struct Status {};

using Command = std::variant<Show, SetVf, SetNumVfs, Reset, Release, Monitor, Status>;

}  // namespace sriov::vfctl
