// The figures sriovd serves as metrics (metrics_text.hpp), taken at one moment.
//
// The per-VF and mailbox figures are read from sriovd's own answers to the control requests
// "stats" and "status" (ControlRouter), the answers vfctl -s and vfctl status print, so the two can
// never disagree: a figure a backend does not report (a kernel driver that gives no VF traffic,
// "traffic":"not_reported") is absent here too, never 0. Events are counted as they are published,
// by PF and kind; the latency histogram is the control loop's.
#pragma once

#include "latency_histogram.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sriov::sriovd {

struct VfFigures {
    std::string pf;  // the PF's PCI address
    unsigned vf = 0;
    // The stats answer's counters by their key ("rx_packets", "mailbox_requests"...): only those
    // the backend reported.
    std::map<std::string, std::uint64_t> counters;
    std::optional<bool> quarantined;  // absent for a VF without a mailbox served by sriovd
};

struct MetricsSnapshot {
    std::vector<VfFigures> vfs;
    // The status answer's "mailbox" object (summed over the PFs); empty without a PF sriovd owns.
    std::map<std::string, std::uint64_t> mailbox;
    // Events published so far, by (PF, kind).
    std::map<std::pair<std::string, std::string>, std::uint64_t> events;
    LatencyHistogram latency;
};

// Fills snapshot.vfs from a stats answer ({"vfs":[...]}) and snapshot.mailbox from a status
// answer, as include/sriov/control/protocol.hpp documents them. Keys that are not unsigned numbers
// ("pf", "traffic", "traffic_driver") are not figures and are left out. Throws
// nlohmann::json::exception for an answer without the documented arrays and objects.
void add_stats(MetricsSnapshot& snapshot, const nlohmann::json& stats);
void add_status(MetricsSnapshot& snapshot, const nlohmann::json& status);

// Counts one published event (its "pf" and "event" keys; "" for one that lacks them).
void count_event(std::map<std::pair<std::string, std::string>, std::uint64_t>& events, const nlohmann::json& event);

}  // namespace sriov::sriovd
