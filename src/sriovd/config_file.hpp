// sriovd's configuration file (TOML, /etc/sriovd/sriovd.toml by default): the PF, its VFs and each
// VF's administrator settings, and where sriovd keeps its state. Example and every key:
// tools/sriovd/sriovd.toml.example.
//
//   [daemon]                          optional
//   state_dir = "/var/lib/sriovd"     the VF token and the state file
//   remove_vfs_on_exit = false        true: remove the VFs when sriovd stops
//   timeout_s = 30                    longest wait for a change of the VF count
//   group = "sriov"                   may use the control socket and read the VF token; none: root
//
//   [policing]                        optional: when a misbehaving VF is quarantined
//   requests_per_s = 20               mailbox requests a VF may send per second, sustained
//   burst = 64                        and at once
//   max_malformed = 10                more malformed requests than this within window_s: quarantine
//   max_refused = 30                  more refused requests than this: quarantine
//   max_dropped = 64                  more requests over the rate than this: quarantine
//   window_s = 60                     (a max_* of 0 turns that check off)
//
//   [[pf]]                            one per PF sriovd manages (at least one)
//   pci = "0000:00:02.0"              or: device = "8086:10c9" (the only PF with that id)
//   num_vfs = 2                       0..7 on an 82576
//
//   [[pf.vf]]                         one per VF that is not left at the defaults
//   index = 0                         0..num_vfs-1, each at most once
//   mac = "02:11:22:33:44:55"         unicast; "auto": made from the PF's MAC, the same every
//                                     time; none: the VF makes one up
//   trust = false
//   vlan = 100                        port VLAN 1..4095; none: the VF picks its VLANs
//   qos = 3                           priority 0..7 of the port VLAN's tag (needs vlan)
//   allowed_vlans = [10, 20]          VLANs the VF may join (0..4095); none: any
//   spoof_check = true
//   link_state = "auto"               auto, enable or disable
//   max_tx_rate = 0                   Mbit/s, 0: no limit
//   max_frame = 0                     largest frame the VF may ask for, 64..16383; 0: the chip's
//   max_multicast = 30                multicast groups the VF may ask for, 0..30
//   max_vlans = 8                     VLANs the VF may join through its mailbox, 0..32
//   driver = "igbvf"                  igbvf or vfio-pci (default)
//
// Unknown keys are errors (a misspelt key would otherwise be silently ignored).
#pragma once

#include "pf/request_policer.hpp"
#include "pf/vf_policy.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sriov::sriovd {

inline constexpr const char* default_config_path = "/etc/sriovd/sriovd.toml";
inline constexpr const char* default_state_dir = "/var/lib/sriovd";

// Everything sriovd starts from, whether read from the file, given on the command line, or both
// (the command line overrides the file: options.hpp).
struct DaemonConfig {
    std::string pf;  // PCI address ("0000:00:02.0") or vendor:device ("8086:10c9")
    unsigned num_vfs = 0;
    std::vector<pf::VfAdmin> vfs;      // num_vfs entries
    std::vector<std::string> drivers;  // num_vfs entries; empty: vfio-pci
    std::string state_dir = default_state_dir;
    bool remove_vfs_on_exit = false;
    unsigned timeout_s = 30;
    std::string group;  // operators' group (control socket, token); empty: root only
    pf::PolicingLimits policing;
    // The second and further [[pf]] tables of the file, each with the daemon-wide settings above
    // (state_dir ... policing) copied in; their own other_pfs are empty.
    std::vector<DaemonConfig> other_pfs;
};

// One DaemonConfig per PF: config itself (without other_pfs), then its other_pfs. Never throws
// (but bad_alloc).
std::vector<DaemonConfig> all_pfs(const DaemonConfig& config);

// Parses a configuration held in text; name is how errors name it (the file's path).
// Throws sriov::Error(invalid_argument) whose subject is "name:line" where the problem is (or
// "name" alone for a syntax error, whose message then holds the line) and whose cause names the
// key, what is wrong and the allowed values: TOML syntax, unknown keys, wrong types, values out
// of range, a missing or second [[pf]], a VF index given twice or not below num_vfs.
DaemonConfig parse_config(std::string_view text, const std::string& name);

// Reads and parses the file at path. Throws sriov::Error: not_found or permission (subject = path)
// if it cannot be read; otherwise as parse_config().
DaemonConfig load_config_file(const std::filesystem::path& path);

}  // namespace sriov::sriovd
