// What the soak expects of each PF: the VF count and every VF's settings as the last confirmed
// change left them (confirmed: `vfctl set` exited 0; a VF count change: sysfs reached the count),
// by the state file's keys (src/sriovd/state_file.hpp), and how it is compared with what sriovd's
// state file and vfctl's view show.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace sriov::soak {

using Settings = std::map<std::string, nlohmann::json>;  // by state-file key: "mac", "trust", ...

struct PfView {
    std::string pf;
    unsigned num_vfs = 0;
    std::vector<Settings> vfs;
};

// The state file's view of pf in state_dir: decoded by sriovd's own reader (format, version,
// checksum, body), and every VF holding every key sriovd writes.
// Throws sriov::Error naming the file and what is wrong.
PfView read_state_file(const std::string& state_dir, const std::string& pf);

// vfctl's view of pf (`vfctl -j show PF`), in the state file's keys and values, for the keys vfctl
// shows. Throws sriov::Error if vfctl fails or its output is not what it documents.
PfView read_vfctl(const std::string& pf);

// One line per difference between want and found, for the keys found has ("" if none); what
// names found ("the state file", "vfctl").
std::vector<std::string> differences(const PfView& want, const PfView& found, const std::string& what);

// A change an operator makes with `vfctl set PF vf N ...`: its arguments and what it sets.
struct Change {
    std::string pf;
    unsigned vf = 0;
    std::vector<std::string> args;  // after "vf N"
    Settings values;
    std::string text() const;  // "vfctl set PF vf N ARGS..."
};

// How an unconfirmed change was found: all of it there, none of it, or part (a failure).
enum class Found { all, none, part };
Found found_in(const Change& change, const PfView& before, const PfView& found);

}  // namespace sriov::soak
