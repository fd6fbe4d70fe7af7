// One scrape of sriovd's metrics: the per-VF and mailbox figures asked of the control router as
// vfctl asks for them ("stats" and "status" for all PFs), with the daemon's event counts and
// control latency, as Prometheus text. Runs on the event loop.
#pragma once

#include "control_router.hpp"
#include "latency_histogram.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace sriov::sriovd {

// Throws what the router throws for a stats or status request (sriov::Error).
std::string scrape_metrics(ControlRouter& router,
                           const std::map<std::pair<std::string, std::string>, std::uint64_t>& events,
                           const LatencyHistogram& latency);

}  // namespace sriov::sriovd
