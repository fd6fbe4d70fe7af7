// sriovd's command line, and what it means for the PF: the configuration file (if any) with the
// command-line options laid over it, turned into one DaemonConfig, whichever way it was given.
// Parsing is separate from main() so that it can be tested.
//
// Which file: --config PATH if given; otherwise /etc/sriovd/sriovd.toml, unless --pf is given
// (then the command line alone describes the PF, as tests do). Options given override the file:
// --pf and --vfs replace its PF and VF count, --vf-mac, --vf-driver and --vf-trust replace that VF's
// value, --state-dir, --timeout and --remove-vfs-on-exit replace the [daemon] values, --metrics the
// [metrics] listen address.
#pragma once

#include "config_file.hpp"
#include "pf/pf_manager.hpp"

#include <optional>
#include <string>
#include <vector>

namespace sriov::sriovd {

struct Options {
    bool foreground = false;
    std::string config;                   // configuration file; empty: see above
    std::string pf;                       // PCI address or vendor:device of the PF; empty: the file's
    std::optional<unsigned> vfs;          // number of VFs to create; nullopt: the file's
    std::vector<std::string> vf_macs;     // "N=MAC"
    std::vector<std::string> vf_drivers;  // "N=DRIVER"
    std::vector<unsigned> trusted;        // VF numbers
    std::string token_file;               // empty: no copy of the VF token for VF users
    std::string state_dir;                // empty: the file's, or /var/lib/sriovd
    bool take_over = false;               // take the PF from another driver (igb) if it has one
    bool remove_vfs_on_exit = false;      // true overrides the file; false leaves the file's value
    std::optional<unsigned> timeout_s;    // longest wait for a change of the VF count
    std::string socket = "/run/sriovd/sriovd.sock";  // the control socket (vfctl); "" for none
    std::string metrics;                  // --metrics 127.0.0.1:9469; empty: the file's [metrics] listen
    bool verbose = false;
};

// The drivers a VF may be given.
inline constexpr const char* vf_driver_names[] = {"vfio-pci", "igbvf"};

// The configuration file (as chosen above) with the options laid over it.
// Throws sriov::Error: as load_config_file() for the file (a missing default file is only an
// error when no --pf is given either); invalid_argument naming the offending option: no PF at all,
// more VFs than the 82576 serves (with the reason), a malformed N=VALUE, N not below the VF count,
// a MAC that is not unicast, the same VF twice in one option, a driver other than vfio-pci or
// igbvf.
DaemonConfig daemon_config(const Options& options);

// The PF's part of a DaemonConfig: its PCI address (a vendor:device is looked up in sysfs), the
// number of VFs and each VF's administrator settings.
// Throws sriov::Error: invalid_argument (a PF that does not parse), not_found (no PF with that
// vendor:device), busy (more than one: name it by its address), and as pci::PciDiscovery::list().
pf::PfConfig pf_config(const DaemonConfig& config);

// pf_config(daemon_config(options)), and daemon_config(options).drivers (an empty string: the
// default, vfio-pci). Throw as those do.
pf::PfConfig make_config(const Options& options);
std::vector<std::string> vf_drivers(const Options& options);

}  // namespace sriov::sriovd
