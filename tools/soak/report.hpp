// The soak's figures: recovery time per kind of fault (p50, p99, max), the leak rule over the runs
// without a restart, and the CSV of every cycle.
#pragma once

#include "soak.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace sriov::soak {

// The q-quantile (0..1) of values by the nearest-rank method: the smallest value that at least
// q of them do not exceed. 0 for no values.
double quantile(std::vector<double> values, double q);

// A line per kind of fault seen: count, recovery p50/p99/max, and for the faults that end sriovd
// the time until it was ready again.
void print_recovery(std::ostream& out, const std::vector<CycleResult>& results);

// The leak rule over consecutive cycles that did not restart sriovd, after the first `warmup` of
// them: open fds equal to the count after warm-up, VmRSS at most rss_slack_kb above it. Prints the
// samples' range; returns the failures ("" if none).
std::vector<std::string> check_leaks(std::ostream& out, const std::vector<CycleResult>& run, unsigned warmup,
                                     unsigned long rss_slack_kb);

// cycle,fault,recovery_ms,restart_ms,fds,rss_kb,ok,change
void write_csv(const std::string& path, const std::vector<CycleResult>& results);

}  // namespace sriov::soak
