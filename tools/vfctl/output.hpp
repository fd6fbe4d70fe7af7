// How vfctl shows sriovd's answers to people: tables read at a glance, counters with units.
// With -j the answers are printed as they came (the protocol's stable schema) instead.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace sriov::vfctl {

// The table of PFs and VFs for a "show" result. Throws sriov::Error (protocol) if the result does
// not follow the schema in sriov/control/protocol.hpp.
std::string show_table(std::string_view result_json);

// One PF or VF in detail, a line per setting with where it comes from (config file or run time).
std::string show_detail(std::string_view result_json);

// Per-VF counters, with units (k, M, G; B, kB, MB, GB), and whether each VF is quarantined.
std::string stats_table(std::string_view result_json);

// The daemon's "status" result for people: version, uptime, PFs, then the mailbox counters by name
// (counters sriovd adds later appear under their JSON key). Throws sriov::Error (protocol) if the
// result is not a JSON object.
std::string status_text(std::string_view result_json);

// One event of `vfctl monitor` as a line, without its newline: the local time it arrived
// (2026-11-22T03:15:32), the PF ("-" for events_missed, which is about the connection), "vf N"
// unless the event concerns the whole PF, the event's kind and its message. A line that is not a JSON object comes back unchanged: monitor prints what it
// cannot read rather than stop.
std::string event_line(std::string_view event_json, std::chrono::system_clock::time_point arrival);

}  // namespace sriov::vfctl
