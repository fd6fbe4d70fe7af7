// sriovd's state file of one PF (<state dir>/state-<PF address>.json, named by PfInstance): each
// VF's settings as sriovd last applied them, every value with its origin, so that changes made at
// run time survive a restart.
//
// Format (version 1), one JSON object:
//   {"format": "sriovd-state", "version": 1, "checksum": "fnv1a64:<16 hex digits>",
//    "body": {"pf": "0000:00:02.0", "num_vfs": 2, "num_vfs_origin": "config",
//             "vfs": [{"mac": {"value": "02:11:22:33:44:55", "origin": "config"},
//                      "trust": {"value": false, "origin": "runtime"}, ...}, ...]}}
// The checksum is FNV-1a (64 bits) of the body as nlohmann::json dumps it (compact, keys sorted).
// Keys of a VF are those of the configuration file (config_file.hpp); a value of null means
// "none" (no MAC, no port VLAN, any VLAN allowed).
//
// "num_vfs_origin" is "runtime" once the VF count was changed at run time (then it wins over the
// configuration's num_vfs, and VFs beyond the configuration's get the defaults); a file without
// it (older) means "config".
//
// Precedence, value by value: a value whose origin is "runtime" (changed while sriovd ran) wins
// over the configuration file; a value whose origin is "config" is taken from the configuration
// file as it is now, so that editing the file takes effect for everything not changed at run
// time. A state file for another PF is ignored (and replaced); VFs beyond the configured count
// are dropped.
//
// Writes are atomic (atomic_file.hpp). A state file that is torn, not JSON, of another format or
// version, or whose checksum does not match is reported and never applied in part.
#pragma once

#include "config_file.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sriov::sriovd {

inline constexpr int state_version = 1;

enum class Origin { config, runtime };

struct StateValue {
    nlohmann::json value;
    Origin origin = Origin::config;
    friend bool operator==(const StateValue&, const StateValue&) = default;
};

struct PfState {
    std::string pf;
    unsigned num_vfs = 0;
    Origin num_vfs_origin = Origin::config;
    std::vector<std::map<std::string, StateValue>> vfs;  // num_vfs entries, by configuration key
    friend bool operator==(const PfState&, const PfState&) = default;
};

// The whole file's text for state. Never throws (but bad_alloc).
std::string encode_state(const PfState& state);

// The state held in text; name is how errors name it.
// Throws sriov::Error(protocol, name) saying what is wrong: not JSON (a torn write), not a
// sriovd state file, a version this sriovd does not read, a checksum mismatch, a malformed body.
PfState decode_state(std::string_view text, const std::string& name);

// The state file at path, or nothing if there is none. A symbolic link there is refused, not
// followed (read_own_file_if_present()).
// Throws sriov::Error: as decode_state(); permission (also: a symbolic link), busy or io if it
// cannot be read.
std::optional<PfState> load_state(const std::filesystem::path& path);

// Replaces the state file at path atomically (mode 0640).
// Throws sriov::Error as write_file_atomically().
void save_state(const std::filesystem::path& path, const PfState& state);

// The state of a configuration: every value with origin "config".
PfState state_of(const DaemonConfig& config);

// The configuration with the runtime values of saved laid over it (see the precedence above),
// and the state to save for it. notes receives a line for every runtime value applied and for
// whatever of saved is ignored.
// Throws sriov::Error(protocol) if a runtime value does not fit its key (a hand-edited file), or
// if a VF's settings with its runtime values are ones VfPolicy::set_admin() refuses (the error
// names the VF, the policy's reason and the runtime values), so that nothing is rewritten or
// programmed from such a file.
std::pair<DaemonConfig, PfState> apply_state(const DaemonConfig& config, const PfState& saved,
                                             std::vector<std::string>& notes);

// A VF's settings as the state file holds them, by configuration key. Never throws (but bad_alloc).
std::map<std::string, nlohmann::json> state_values(const pf::VfAdmin& admin, const std::string& driver);

// Records a change of the VF count made at run time: state and config (the effective
// configuration) get num_vfs VFs, and the count's origin becomes "runtime". VFs that stay keep
// what they have; a VF added comes back as the configuration file (`configured`) has it, or with
// the defaults (driver vfio-pci) if the file has no such VF, so lowering the count and raising it
// again loses none of the file's settings. Never throws (but bad_alloc).
void record_runtime_num_vfs(PfState& state, DaemonConfig& config, unsigned num_vfs, const DaemonConfig& configured);

// Records a change made at run time: VF vf's key now has value (origin "runtime").
// Throws sriov::Error(invalid_argument) for a VF beyond num_vfs.
void record_runtime(PfState& state, unsigned vf, const std::string& key, nlohmann::json value);

}  // namespace sriov::sriovd
