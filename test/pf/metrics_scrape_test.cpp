// A scrape through the real control handlers and router, over fake backends: every figure of the
// stats and status answers vfctl gets is in the metrics with the same value, and a kernel-owned
// PF's unreported traffic is absent.
#include "sriovd/control_handler.hpp"
#include "sriovd/control_router.hpp"
#include "sriovd/metrics_scrape.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

using namespace sriov;
using namespace sriov::sriovd;
using Catch::Matchers::ContainsSubstring;
using nlohmann::json;

namespace {

// A PF whose stats and mailbox answers are fixed; nothing else is asked of it here.
class FixedBackend : public PfBackend {
public:
    FixedBackend(const char* pf, std::vector<json> stats, json mailbox)
        : address_(pci::Address::parse(pf)), stats_(std::move(stats)), mailbox_(std::move(mailbox)),
          admin_(stats_.size())
    {
    }
    std::string_view owner() const override { return "sriovd"; }
    const pci::Address& address() const override { return address_; }
    std::string interface() const override { return {}; }
    unsigned num_vfs() const override { return static_cast<unsigned>(stats_.size()); }
    const pf::VfAdmin& admin(unsigned vf) const override { return admin_.at(vf); }
    json show_pf() override { return json::object(); }
    json show_vf(unsigned) override { return json::object(); }
    json stats_vf(unsigned vf) override { return stats_.at(vf); }
    json mailbox_status() const override { return mailbox_; }
    void check(unsigned, const control::VfSettings&) const override {}
    void apply(unsigned, const pf::VfAdmin&, const std::vector<std::string>&) override {}
    void reset_vf(unsigned) override {}
    void reset_pf() override {}
    bool release_vf(unsigned) override { return false; }
    std::vector<pci::Address> provision(const std::vector<std::string>&) override { return {}; }
    void provisioned() override {}
    bool vfs_existed() const override { return true; }
    void remove_vfs() override {}
    void set_num_vfs(unsigned, std::vector<std::string>, std::function<std::vector<pf::VfAdmin>(unsigned)>) override {}

private:
    pci::Address address_;
    std::vector<json> stats_;
    json mailbox_;
    std::vector<pf::VfAdmin> admin_;
};

// The metric each stats key is served as (metrics_text.cpp's table, written out again here so
// that a change of a name shows up as a failing test).
const std::map<std::string, std::string> vf_metric = {
    {"rx_packets", "sriovd_vf_rx_packets_total"},
    {"rx_bytes", "sriovd_vf_rx_bytes_total"},
    {"tx_packets", "sriovd_vf_tx_packets_total"},
    {"tx_bytes", "sriovd_vf_tx_bytes_total"},
    {"rx_multicast", "sriovd_vf_rx_multicast_packets_total"},
    {"multicast", "sriovd_vf_rx_multicast_packets_total"},
    {"broadcast", "sriovd_vf_rx_broadcast_packets_total"},
    {"rx_dropped", "sriovd_vf_rx_dropped_packets_total"},
    {"tx_dropped", "sriovd_vf_tx_dropped_packets_total"},
    {"mailbox_requests", "sriovd_vf_mailbox_requests_total"},
    {"refused", "sriovd_vf_mailbox_refused_total"},
    {"malformed", "sriovd_vf_mailbox_malformed_total"},
    {"dropped", "sriovd_vf_mailbox_dropped_total"},
    {"quarantines", "sriovd_vf_quarantines_total"},
};

}  // namespace

TEST_CASE("metrics scrape: every figure vfctl -s gets, with the same value", "[metrics]")
{
    const auto owned = [](unsigned vf, std::uint64_t base) {
        return json{{"pf", "0000:00:02.0"},        {"vf", vf},
                    {"rx_packets", base + 1},      {"rx_bytes", base + 2},
                    {"tx_packets", base + 3},      {"tx_bytes", base + 4},
                    {"rx_multicast", base + 5},    {"mailbox_requests", base + 6},
                    {"refused", base + 7},         {"malformed", base + 8},
                    {"dropped", base + 9},         {"quarantines", base + 10},
                    {"quarantined", vf == 1}};
    };
    FixedBackend sriovd_pf("0000:00:02.0", {owned(0, 100), owned(1, 200)},
                           json{{"interrupts", 11}, {"vf_resets", 12}, {"requests", 13}, {"nacks", 14}, {"acks", 15},
                                {"control_messages", 16}, {"errors", 17}, {"dropped", 18}, {"quarantines", 19},
                                {"lock_recoveries", 20}, {"log_suppressed", 21}});
    FixedBackend kernel_pf("0000:03:00.0",
                           {json{{"pf", "0000:03:00.0"}, {"vf", 0}, {"traffic", "not_reported"},
                                 {"traffic_driver", "igb"}},
                            json{{"pf", "0000:03:00.0"}, {"vf", 1}, {"rx_packets", 31}, {"tx_packets", 32},
                                 {"rx_bytes", 33}, {"tx_bytes", 34}, {"broadcast", 35}, {"multicast", 36},
                                 {"rx_dropped", 37}, {"tx_dropped", 38}}},
                           json::object());
    const std::vector<std::string> drivers;
    PfState state_a, state_b;
    ControlHandler a(sriovd_pf, drivers, state_a, "/nonexistent/a", [](unsigned) {});
    ControlHandler b(kernel_pf, drivers, state_b, "/nonexistent/b", [](unsigned) {});
    ControlRouter router({{sriovd_pf.address(), &a}, {kernel_pf.address(), &b}});

    LatencyHistogram latency;
    latency.observe(std::chrono::microseconds(70));
    const std::string text = scrape_metrics(router, {{{"0000:03:00.0", "drift"}, 2}}, latency);
    INFO(text);

    // What vfctl -j -s show prints, figure by figure.
    const json stats = json::parse(router(control::Request{1, control::Stats{}}));
    unsigned figures = 0;
    for (const auto& vf : stats.at("vfs")) {
        const std::string labels = fmt::format("{{pf=\"{}\",vf=\"{}\"}}", vf.at("pf").get<std::string>(),
                                               vf.at("vf").get<unsigned>());
        for (const auto& [key, value] : vf.items()) {
            if (!value.is_number_unsigned() || key == "vf")
                continue;
            REQUIRE(vf_metric.count(key) == 1);
            CHECK_THAT(text, ContainsSubstring(fmt::format("\n{}{} {}\n", vf_metric.at(key), labels,
                                                           value.get<std::uint64_t>())));
            ++figures;
        }
        if (vf.contains("quarantined"))
            CHECK_THAT(text, ContainsSubstring(fmt::format("\nsriovd_vf_quarantined{} {}\n", labels,
                                                           vf.at("quarantined").get<bool>() ? 1 : 0)));
    }
    CHECK(figures == 2 * 10 + 8);  // ten figures of each VF sriovd serves, eight of the kernel-owned one
    CHECK_THAT(text, !ContainsSubstring("pf=\"0000:03:00.0\",vf=\"0\""));

    // What vfctl status prints of the mailbox.
    const json status = json::parse(router(control::Request{2, control::Status{}}));
    CHECK_THAT(text, ContainsSubstring(fmt::format("\nsriovd_vf_resets_total {}\n",
                                                   status.at("mailbox").at("vf_resets").get<std::uint64_t>())));
    CHECK_THAT(text, ContainsSubstring("\nsriovd_mailbox_lock_recoveries_total 20\n"));
    CHECK_THAT(text, ContainsSubstring("\nsriovd_log_suppressed_total 21\n"));
    CHECK_THAT(text, ContainsSubstring("\nsriovd_events_total{pf=\"0000:03:00.0\",kind=\"drift\"} 2\n"));
    CHECK_THAT(text, ContainsSubstring("\nsriovd_control_request_duration_seconds_bucket{le=\"0.0001\"} 1\n"));
}
