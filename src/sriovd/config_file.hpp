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
//   [policing]                        optional: when a misbehaving VF is quarantined (PFs sriovd
//                                     owns; refused when every PF is kernel-owned)
//   requests_per_s = 20               mailbox requests a VF may send per second, sustained
//   burst = 64                        and at once
//   max_malformed = 10                more malformed requests than this within window_s: quarantine
//   max_refused = 30                  more refused requests than this: quarantine
//   max_dropped = 64                  more requests over the rate than this: quarantine
//   window_s = 60                     (a max_* of 0 turns that check off)
//
//   [metrics]                         optional: sriovd's counters for Prometheus (off without it)
//   listen = "127.0.0.1:9469"         a loopback address and port (metrics_address.hpp)
//
//   [[pf]]                            one per PF sriovd manages (at least one)
//   pci = "0000:00:02.0"              or: device = "8086:10c9" (the only PF with that id),
//                                     or: interface = "eth0" (a PF its kernel driver keeps)
//   owner = "kernel"                  "sriovd": sriovd takes the PF from user space (VFIO, an
//                                     82576); "kernel": the PF keeps its kernel driver and sriovd
//                                     sets its VFs through rtnetlink. None: "kernel" if the PF is
//                                     bound to a network driver, "sriovd" otherwise
//   num_vfs = 2                       0..7 on an 82576 owned by sriovd; up to the PF's TotalVFs
//   on_drift = "restore"              kernel-owned: a VF setting changed behind sriovd's back is
//                                     put back ("restore") or only reported ("report")
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
//   driver = "igbvf"                  igbvf or vfio-pci (default); kernel-owned: any driver, none:
//                                     the kernel's choice
//   Kernel-owned PFs only:
//   min_tx_rate = 0                   Mbit/s guaranteed, 0: none
//   vlan_protocol = "802.1Q"          or "802.1ad", the port VLAN's tag (needs vlan)
//   query_rss = false                 the VF may read the PF's RSS key and table
//   managed = true                    false: sriovd shows the VF but never changes it
//   on_drift = "report"               this VF's own choice (see [[pf]])
//
// On a kernel-owned PF only what a [[pf.vf]] table sets is managed: nothing else is written to
// the kernel, and a VF without a table is left alone. allowed_vlans, max_frame, max_multicast
// and max_vlans need a PF sriovd owns (it enforces them on the mailbox) and are refused there;
// min_tx_rate, vlan_protocol 802.1ad, query_rss, managed and on_drift are refused for a PF sriovd
// owns.
//
// Unknown keys are errors (a misspelt key would otherwise be silently ignored).
#pragma once

#include "pf/request_policer.hpp"
#include "pf/vf_policy.hpp"

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sriov::sriovd {

inline constexpr const char* default_config_path = "/etc/sriovd/sriovd.toml";
inline constexpr const char* default_state_dir = "/var/lib/sriovd";

// The most VFs a [[pf]] may ask for before sriovd looks at the PF (no NIC we know of has more); the
// PF's own TotalVFs is checked when sriovd starts, and an 82576 that sriovd owns has 7.
inline constexpr unsigned max_vfs_any_pf = 256;

inline constexpr const char* owner_sriovd = "sriovd";
inline constexpr const char* owner_kernel = "kernel";

// What one [[pf.vf]] table says beyond the VF's settings.
struct VfDeclaration {
    bool listed = false;          // the VF has a [[pf.vf]] table
    bool managed = true;          // its managed key
    std::set<std::string> keys;   // the settings the table gives (state file keys)
    std::string on_drift;         // its on_drift; empty: the PF's
    friend bool operator==(const VfDeclaration&, const VfDeclaration&) = default;
};

// Everything sriovd starts from, whether read from the file, given on the command line, or both
// (the command line overrides the file: options.hpp).
struct DaemonConfig {
    std::string pf;  // PCI address ("0000:00:02.0") or vendor:device ("8086:10c9"); empty: by interface
    std::string interface;  // the PF's network interface, when it is named so
    std::string owner;      // owner_sriovd, owner_kernel, or empty: decided by the PF's driver
    std::string on_drift = "restore";
    unsigned num_vfs = 0;
    std::vector<VfDeclaration> declared;  // num_vfs entries
    std::vector<pf::VfAdmin> vfs;      // num_vfs entries
    std::vector<std::string> drivers;  // num_vfs entries; empty: vfio-pci
    std::string state_dir = default_state_dir;
    bool remove_vfs_on_exit = false;
    unsigned timeout_s = 30;
    std::string group;  // operators' group (control socket, token); empty: root only
    pf::PolicingLimits policing;
    bool policing_given = false;  // the file has a [policing] table
    std::string metrics_listen;   // [metrics] listen: "127.0.0.1:9469"; empty: no metrics listener
    // The second and further [[pf]] tables of the file, each with the daemon-wide settings above
    // (state_dir ... policing) copied in; their own other_pfs are empty.
    std::vector<DaemonConfig> other_pfs;
};

// One DaemonConfig per PF: config itself (without other_pfs), then its other_pfs. Never throws
// (but bad_alloc).
std::vector<DaemonConfig> all_pfs(const DaemonConfig& config);

// Throws sriov::Error(invalid_argument, "PF <name>, VF <n>") for a setting config gives that a PF
// with this owner cannot take, naming the key and what to do instead.
void check_owner_keys(const DaemonConfig& config, const std::string& owner);

// Throws sriov::Error(invalid_argument, "[policing]") when config has a [policing] table and every
// owner in owners is "kernel": a kernel driver serves its VFs' mailbox itself, so the limits
// would apply to nothing.
void check_policing(const DaemonConfig& config, const std::vector<std::string>& owners);

// The PF as the configuration names it: its PCI address, vendor:device or interface.
std::string pf_name(const DaemonConfig& config);

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
