// sriovd's command line, and what it means for the PF: turning "N=VALUE" options into a PfConfig
// and a driver per VF. Parsing is separate from main() so that it can be tested.
#pragma once

#include "pf/pf_manager.hpp"

#include <string>
#include <vector>

namespace sriov::sriovd {

struct Options {
    bool foreground = false;
    std::string pf;                       // PCI address of the PF
    unsigned vfs = 0;                     // number of VFs to create
    std::vector<std::string> vf_macs;     // "N=MAC"
    std::vector<std::string> vf_drivers;  // "N=DRIVER"
    std::vector<unsigned> trusted;        // VF numbers
    std::string token_file;               // empty: do not write the VF token anywhere; removed at exit
    unsigned timeout_s = 30;              // longest wait for a change of the VF count
    bool verbose = false;
};

// The drivers a VF may be given.
inline constexpr const char* vf_driver_names[] = {"vfio-pci", "igbvf"};

// The PF's configuration: its address, the number of VFs, and each VF's administrator settings.
// Throws sriov::Error(invalid_argument) naming the offending option: a PF address that does not
// parse, more VFs than the 82576 serves (with the reason), a malformed N=VALUE, N not below --vfs,
// a MAC that is not unicast, the same VF twice in one option.
pf::PfConfig make_config(const Options& options);

// The driver for each VF (empty string: the default, vfio-pci).
// Throws sriov::Error(invalid_argument) as make_config() does, and for a driver other than
// vfio-pci or igbvf.
std::vector<std::string> vf_drivers(const Options& options);

}  // namespace sriov::sriovd
