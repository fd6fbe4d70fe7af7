// sriovd's metrics in the Prometheus text exposition format, version 0.0.4: a pure function of a
// snapshot (metrics_snapshot.hpp), so that what a scrape returns can be checked as text.
//
// Each family has its "# HELP" and "# TYPE" lines and then all its samples. Names start with
// "sriovd_"; counters end in "_total", byte counters in "_bytes_total", times are in seconds. VF
// families are labelled pf="0000:00:02.0",vf="0"; events also kind="quarantine". A family with no
// sample (no PF reports it) is left out entirely, so a figure sriovd does not have is absent, not 0.
#pragma once

#include "metrics_snapshot.hpp"

#include <string>
#include <string_view>

namespace sriov::sriovd {

// The media type a scrape answer declares.
inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4";

// The exposition of snapshot. Never throws (but bad_alloc).
std::string metrics_text(const MetricsSnapshot& snapshot);

// value as a label value: backslash, double quote and line feed escaped as the format requires.
std::string escape_label_value(std::string_view value);

}  // namespace sriov::sriovd
