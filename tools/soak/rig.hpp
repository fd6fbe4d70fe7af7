// The guest as the soak finds it (the scenario test/testbed/soak.sh sets it up): which PF carries
// the traffic and which one has its VF count changed, the two traffic VFs' interfaces, the VF a
// hostile program bursts from, and how to flap the wire.
#pragma once

#include <string>
#include <vector>

namespace sriov::soak {

struct TrafficVf {
    unsigned index = 0;
    std::string interface;
    std::string netns;    // "" for this process's namespace
    std::string address;  // IPv4
};

struct Rig {
    std::vector<std::string> sriovd;  // its command line, --foreground included
    std::string state_dir;
    std::string traffic_pf, count_pf;
    unsigned count_low = 2, count_high = 3;
    TrafficVf vf0, vf1;
    unsigned hostile_vf = 2;         // of traffic_pf, on vfio-pci
    std::string hostile_command;     // the burst: a shell command, the VF's PCI address in $1
    std::string link_command;        // a shell command, "on" or "off" in $1
};

}  // namespace sriov::soak
