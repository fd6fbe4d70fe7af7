#include "metrics_scrape.hpp"

#include "metrics_snapshot.hpp"
#include "metrics_text.hpp"

#include <nlohmann/json.hpp>

namespace sriov::sriovd {

std::string scrape_metrics(ControlRouter& router,
                           const std::map<std::pair<std::string, std::string>, std::uint64_t>& events,
                           const LatencyHistogram& latency)
{
    MetricsSnapshot snapshot;
    add_stats(snapshot, nlohmann::json::parse(router(control::Request{0, control::Stats{}})));
    add_status(snapshot, nlohmann::json::parse(router(control::Request{0, control::Status{}})));
    snapshot.events = events;
    snapshot.latency = latency;
    return metrics_text(snapshot);
}

}  // namespace sriov::sriovd
