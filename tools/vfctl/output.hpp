// How vfctl shows sriovd's answers to people: tables read at a glance, counters with units.
// With -j the answers are printed as they came (the protocol's stable schema) instead.
#pragma once

#include <string>
#include <string_view>

namespace sriov::vfctl {

// The table of PFs and VFs for a "show" result. Throws sriov::Error (protocol) if the result does
// not follow the schema in sriov/control/protocol.hpp.
std::string show_table(std::string_view result_json);

// One PF or VF in detail, a line per setting with where it comes from (config file or run time).
std::string show_detail(std::string_view result_json);

// Per-VF counters, with units.
std::string stats_table(std::string_view result_json);

}  // namespace sriov::vfctl
