#include "metrics_text.hpp"

#include <fmt/format.h>

#include <iterator>

namespace sriov::sriovd {

namespace {

// A counter family fed by one key of a control answer.
struct Family {
    std::string_view key;   // the key in the stats entry or the status "mailbox" object
    std::string_view name;  // the metric's name
    std::string_view help;
};

// One row per key of a stats entry (include/sriov/control/protocol.hpp). A kernel driver's
// "broadcast" and "multicast" count frames the VF received, as "rx_multicast" does on an 82576,
// so they share its families.
constexpr Family vf_families[] = {
    {"rx_packets", "sriovd_vf_rx_packets_total", "Frames the VF received."},
    {"rx_bytes", "sriovd_vf_rx_bytes_total", "Bytes the VF received."},
    {"tx_packets", "sriovd_vf_tx_packets_total", "Frames the VF sent."},
    {"tx_bytes", "sriovd_vf_tx_bytes_total", "Bytes the VF sent."},
    {"rx_multicast", "sriovd_vf_rx_multicast_packets_total", "Multicast frames the VF received."},
    {"multicast", "sriovd_vf_rx_multicast_packets_total", "Multicast frames the VF received."},
    {"broadcast", "sriovd_vf_rx_broadcast_packets_total", "Broadcast frames the VF received."},
    {"rx_dropped", "sriovd_vf_rx_dropped_packets_total", "Frames for the VF the kernel driver dropped."},
    {"tx_dropped", "sriovd_vf_tx_dropped_packets_total", "Frames from the VF the kernel driver dropped."},
    {"mailbox_requests", "sriovd_vf_mailbox_requests_total", "Mailbox requests the VF sent."},
    {"refused", "sriovd_vf_mailbox_refused_total", "Mailbox requests of the VF the policy refused."},
    {"malformed", "sriovd_vf_mailbox_malformed_total", "Mailbox requests of the VF that were malformed."},
    {"dropped", "sriovd_vf_mailbox_dropped_total", "Mailbox requests of the VF dropped over its rate."},
    {"quarantines", "sriovd_vf_quarantines_total", "Times the VF was quarantined."},
};

// One row per key of the status answer's "mailbox" object, summed over the PFs sriovd owns.
constexpr Family mailbox_families[] = {
    {"interrupts", "sriovd_mailbox_interrupts_total", "Mailbox interrupts served."},
    {"vf_resets", "sriovd_vf_resets_total", "VF resets (function level resets and the VFs' own)."},
    {"requests", "sriovd_mailbox_requests_total", "Mailbox requests read from VFs."},
    {"nacks", "sriovd_mailbox_nacks_total", "Mailbox requests answered NACK."},
    {"acks", "sriovd_mailbox_acks_total", "Acknowledgements received from VFs."},
    {"control_messages", "sriovd_mailbox_control_messages_total", "Control messages sent to VFs."},
    {"errors", "sriovd_mailbox_errors_total", "Mailbox accesses that failed."},
    {"dropped", "sriovd_mailbox_dropped_total", "Mailbox requests dropped over a VF's rate."},
    {"quarantines", "sriovd_mailbox_quarantines_total", "VF quarantines."},
    {"lock_recoveries", "sriovd_mailbox_lock_recoveries_total", "Mailbox locks taken back from a VF."},
    {"log_suppressed", "sriovd_log_suppressed_total", "Log lines left out to keep the log bounded."},
};

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help)
{
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string vf_labels(const VfFigures& v)
{
    return fmt::format("pf=\"{}\",vf=\"{}\"", escape_label_value(v.pf), v.vf);
}

void vf_counters(std::string& out, const MetricsSnapshot& s)
{
    for (std::size_t i = 0; i < std::size(vf_families); ++i) {
        const Family& f = vf_families[i];
        // Families that share a name (two keys for one meaning) are written once, together.
        bool seen_before = false;
        for (std::size_t j = 0; j < i; ++j)
            seen_before = seen_before || vf_families[j].name == f.name;
        if (seen_before)
            continue;
        std::string samples;
        for (const VfFigures& v : s.vfs)
            for (std::size_t j = i; j < std::size(vf_families); ++j)
                if (vf_families[j].name == f.name)
                    if (const auto it = v.counters.find(std::string(vf_families[j].key)); it != v.counters.end())
                        fmt::format_to(std::back_inserter(samples), "{}{{{}}} {}\n", f.name, vf_labels(v), it->second);
        if (samples.empty())
            continue;
        header(out, f.name, "counter", f.help);
        out += samples;
    }
    std::string samples;
    for (const VfFigures& v : s.vfs)
        if (v.quarantined)
            fmt::format_to(std::back_inserter(samples), "sriovd_vf_quarantined{{{}}} {}\n", vf_labels(v),
                           *v.quarantined ? 1 : 0);
    if (!samples.empty()) {
        header(out, "sriovd_vf_quarantined", "gauge", "1 while the VF is quarantined, else 0.");
        out += samples;
    }
}

void mailbox_counters(std::string& out, const MetricsSnapshot& s)
{
    for (const Family& f : mailbox_families) {
        const auto it = s.mailbox.find(std::string(f.key));
        if (it == s.mailbox.end())
            continue;
        header(out, f.name, "counter", f.help);
        fmt::format_to(std::back_inserter(out), "{} {}\n", f.name, it->second);
    }
}

void events(std::string& out, const MetricsSnapshot& s)
{
    if (s.events.empty())
        return;
    header(out, "sriovd_events_total", "counter",
           "Events published (vfctl monitor), by PF and kind; kind=\"drift\" counts drifts found.");
    for (const auto& [key, count] : s.events)
        fmt::format_to(std::back_inserter(out), "sriovd_events_total{{pf=\"{}\",kind=\"{}\"}} {}\n",
                       escape_label_value(key.first), escape_label_value(key.second), count);
}

void latency(std::string& out, const MetricsSnapshot& s)
{
    constexpr std::string_view name = "sriovd_control_request_duration_seconds";
    header(out, name, "histogram", "Time the event loop took to answer a control request.");
    const LatencyHistogram& h = s.latency;
    for (std::size_t i = 0; i < LatencyHistogram::bounds.size(); ++i)
        fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"{}\"}} {}\n", name, LatencyHistogram::bounds[i].text,
                       h.at_most(i));
    fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, h.count(),
                   name, h.sum_seconds(), name, h.count());
}

}  // namespace

std::string escape_label_value(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string metrics_text(const MetricsSnapshot& snapshot)
{
    std::string out;
    vf_counters(out, snapshot);
    mailbox_counters(out, snapshot);
    events(out, snapshot);
    latency(out, snapshot);
    return out;
}

}  // namespace sriov::sriovd
