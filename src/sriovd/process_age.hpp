// How long this process has been running, from the kernel's record of when it started: the part of
// a restart's recovery that is sriovd's own (exec, loading, opening and taking back the PF) is then
// one figure in the log, apart from the restart delay of whoever started it.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace sriov::sriovd {

// The start time field (the 22nd) of a /proc/PID/stat line, in clock ticks since boot; nothing if
// the line is not one. The process name (2nd field, in parentheses) may hold spaces and ')', so
// the fields are counted from its last ')'.
std::optional<unsigned long long> stat_start_ticks(std::string_view stat_line);

// Time since this process was started (exec), at the kernel's tick resolution (10 ms at 100 Hz);
// nothing if /proc/self/stat cannot be read.
std::optional<std::chrono::milliseconds> time_since_start();

}  // namespace sriov::sriovd
