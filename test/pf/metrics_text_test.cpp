// sriovd's metrics as Prometheus text: the exact exposition of a small snapshot taken from control
// answers, label escaping, and figures a backend does not report being absent rather than 0.
#include "sriovd/metrics_snapshot.hpp"
#include "sriovd/metrics_text.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

using namespace sriov::sriovd;
using Catch::Matchers::ContainsSubstring;
using nlohmann::json;

namespace {

// Only the histogram, whose lines every exposition ends with; count answers in total, of which
// `fast` took 200 us and the rest 2 s.
std::string histogram(unsigned fast, unsigned count, const std::string& sum)
{
    std::string text = "# HELP sriovd_control_request_duration_seconds Time the event loop took to answer a "
                       "control request.\n"
                       "# TYPE sriovd_control_request_duration_seconds histogram\n";
    for (const auto& b : LatencyHistogram::bounds)
        text += "sriovd_control_request_duration_seconds_bucket{le=\"" + std::string(b.text) + "\"} " +
            std::to_string(b.seconds >= 200e-6 ? fast : 0) + "\n";
    text += "sriovd_control_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(count) + "\n";
    text += "sriovd_control_request_duration_seconds_sum " + sum + "\n";
    text += "sriovd_control_request_duration_seconds_count " + std::to_string(count) + "\n";
    return text;
}

}  // namespace

TEST_CASE("metrics: a small snapshot's exact exposition", "[metrics]")
{
    MetricsSnapshot s;
    add_stats(s, json::parse(R"({"vfs":[
        {"pf":"0000:00:02.0","vf":0,"rx_packets":5,"rx_bytes":300,"mailbox_requests":7,"quarantined":false},
        {"pf":"0000:00:02.0","vf":1,"rx_packets":1,"rx_bytes":64,"mailbox_requests":0,"quarantined":true}]})"));
    add_status(s, json::parse(R"({"version":"0.1.0","pfs":1,"uptime_s":3,"mailbox":{"vf_resets":2}})"));
    count_event(s.events, json::parse(R"({"event":"quarantine","pf":"0000:00:02.0","vf":1,"message":"m"})"));
    count_event(s.events, json::parse(R"({"event":"quarantine","pf":"0000:00:02.0","vf":1,"message":"m"})"));
    s.latency.observe(std::chrono::microseconds(200));

    CHECK(metrics_text(s) ==
          "# HELP sriovd_vf_rx_packets_total Frames the VF received.\n"
          "# TYPE sriovd_vf_rx_packets_total counter\n"
          "sriovd_vf_rx_packets_total{pf=\"0000:00:02.0\",vf=\"0\"} 5\n"
          "sriovd_vf_rx_packets_total{pf=\"0000:00:02.0\",vf=\"1\"} 1\n"
          "# HELP sriovd_vf_rx_bytes_total Bytes the VF received.\n"
          "# TYPE sriovd_vf_rx_bytes_total counter\n"
          "sriovd_vf_rx_bytes_total{pf=\"0000:00:02.0\",vf=\"0\"} 300\n"
          "sriovd_vf_rx_bytes_total{pf=\"0000:00:02.0\",vf=\"1\"} 64\n"
          "# HELP sriovd_vf_mailbox_requests_total Mailbox requests the VF sent.\n"
          "# TYPE sriovd_vf_mailbox_requests_total counter\n"
          "sriovd_vf_mailbox_requests_total{pf=\"0000:00:02.0\",vf=\"0\"} 7\n"
          "sriovd_vf_mailbox_requests_total{pf=\"0000:00:02.0\",vf=\"1\"} 0\n"
          "# HELP sriovd_vf_quarantined 1 while the VF is quarantined, else 0.\n"
          "# TYPE sriovd_vf_quarantined gauge\n"
          "sriovd_vf_quarantined{pf=\"0000:00:02.0\",vf=\"0\"} 0\n"
          "sriovd_vf_quarantined{pf=\"0000:00:02.0\",vf=\"1\"} 1\n"
          "# HELP sriovd_vf_resets_total VF resets (function level resets and the VFs' own).\n"
          "# TYPE sriovd_vf_resets_total counter\n"
          "sriovd_vf_resets_total 2\n"
          "# HELP sriovd_events_total Events published (vfctl monitor), by PF and kind; kind=\"drift\" counts "
          "drifts found.\n"
          "# TYPE sriovd_events_total counter\n"
          "sriovd_events_total{pf=\"0000:00:02.0\",kind=\"quarantine\"} 2\n" +
              histogram(1, 1, "0.0002"));
}

TEST_CASE("metrics: a kernel-owned PF's unreported traffic is absent, not 0", "[metrics]")
{
    MetricsSnapshot s;
    add_stats(s, json::parse(R"({"vfs":[
        {"pf":"0000:03:00.0","vf":0,"traffic":"not_reported","traffic_driver":"igb"},
        {"pf":"0000:04:00.0","vf":0,"rx_packets":9,"tx_packets":4,"rx_bytes":900,"tx_bytes":400,
         "broadcast":1,"multicast":2,"rx_dropped":0,"tx_dropped":0}]})"));
    add_status(s, json::parse(R"({"version":"0.1.0","pfs":2,"uptime_s":3,"mailbox":{}})"));
    const std::string text = metrics_text(s);
    CHECK_THAT(text, !ContainsSubstring("0000:03:00.0"));
    CHECK_THAT(text, ContainsSubstring("sriovd_vf_rx_packets_total{pf=\"0000:04:00.0\",vf=\"0\"} 9\n"));
    // The kernel's received multicast shares the 82576's family, and its header is written once.
    CHECK_THAT(text, ContainsSubstring("sriovd_vf_rx_multicast_packets_total{pf=\"0000:04:00.0\",vf=\"0\"} 2\n"));
    CHECK_THAT(text, ContainsSubstring("sriovd_vf_rx_broadcast_packets_total{pf=\"0000:04:00.0\",vf=\"0\"} 1\n"));
    CHECK_THAT(text, ContainsSubstring("sriovd_vf_tx_dropped_packets_total{pf=\"0000:04:00.0\",vf=\"0\"} 0\n"));
    // No mailbox served by sriovd: no mailbox families at all, and no quarantine gauge.
    CHECK_THAT(text, !ContainsSubstring("mailbox"));
    CHECK_THAT(text, !ContainsSubstring("quarantined"));
    CHECK(text.ends_with(histogram(0, 0, "0")));
}

TEST_CASE("metrics: families shared by two keys have one header", "[metrics]")
{
    MetricsSnapshot s;
    add_stats(s, json::parse(R"({"vfs":[{"pf":"a","vf":0,"rx_multicast":3},{"pf":"b","vf":0,"multicast":4}]})"));
    const std::string text = metrics_text(s);
    CHECK(text.starts_with("# HELP sriovd_vf_rx_multicast_packets_total Multicast frames the VF received.\n"
                           "# TYPE sriovd_vf_rx_multicast_packets_total counter\n"
                           "sriovd_vf_rx_multicast_packets_total{pf=\"a\",vf=\"0\"} 3\n"
                           "sriovd_vf_rx_multicast_packets_total{pf=\"b\",vf=\"0\"} 4\n#"));
}

TEST_CASE("metrics: label values are escaped", "[metrics]")
{
    CHECK(escape_label_value("0000:00:02.0") == "0000:00:02.0");
    CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
    MetricsSnapshot s;
    count_event(s.events, json::parse(R"({"event":"odd\"kind\n","pf":"x\\y"})"));
    CHECK_THAT(metrics_text(s), ContainsSubstring("sriovd_events_total{pf=\"x\\\\y\",kind=\"odd\\\"kind\\n\"} 1\n"));
}

TEST_CASE("metrics: the latency histogram's buckets are cumulative", "[metrics]")
{
    LatencyHistogram h;
    h.observe(std::chrono::microseconds(50));  // on a bound: counted in that bucket
    h.observe(std::chrono::milliseconds(3));
    h.observe(std::chrono::seconds(2));         // beyond the last bound: only in +Inf
    CHECK(h.at_most(0) == 1);
    CHECK(h.at_most(5) == 1);  // 2.5 ms
    CHECK(h.at_most(6) == 2);  // 5 ms
    CHECK(h.at_most(LatencyHistogram::bounds.size() - 1) == 2);
    CHECK(h.count() == 3);
    CHECK(h.sum_seconds() > 2.003);
}
