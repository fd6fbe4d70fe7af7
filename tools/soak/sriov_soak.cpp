// sriov-soak: a fault-injection soak of sriovd, run inside the testbed guest (test/testbed/soak.sh
// prepares it). It starts sriovd itself and starts it again at once whenever it ends, as systemd's
// Restart= would; traffic flows between two igbvf VFs all along; each cycle an operator changes
// settings with vfctl and one fault, drawn from a generator seeded by --seed and the cycle's number,
// is injected; then the checks (soak.hpp). After the cycles, a run of faults that leave sriovd
// running looks for leaks. Prints each cycle, the recovery figures and any failure with the seed
// and cycle that replay it; exits 1 on any failure.
#include "report.hpp"
#include "soak.hpp"

#include "sriov/error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <iostream>

using namespace sriov::soak;

namespace {

struct Options {
    unsigned long seed = 0;
    unsigned cycles = 20, from = 1, leak_cycles = 0, warmup = 3;
    unsigned long rss_slack_kb = 512;
    unsigned restart_delay_ms = 0, hold_ms = 2500;
    std::string csv, log_dir = "/tmp", config;
};

void print_cycle(const CycleResult& r)
{
    fmt::print("cycle {:>3}: {:<14} recovery {:>6.0f} ms", r.cycle, name(r.fault), r.recovery_ms);
    if (ends_sriovd(r.fault))
        fmt::print(" (ready after {:.0f} ms)", r.restart_ms);
    fmt::print("; fds {}, VmRSS {} kB; {}\n", r.footprint.fds, r.footprint.rss_kb, r.change.empty() ? "-" : r.change);
    std::fflush(stdout);
}

bool report_failures(const Options& o, const CycleResult& r, const char* phase)
{
    for (const auto& f : r.failures)
        fmt::print("FAIL: seed {} cycle {} ({}, {}): {}\n", o.seed, r.cycle, phase, name(r.fault), f);
    if (!r.failures.empty())
        fmt::print("replay: sriov-soak --seed {} --from-cycle {} (same options)\n", o.seed, r.cycle);
    return r.failures.empty();
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Fault-injection soak of sriovd: seeded cycles of kills, resets, FLRs, link flaps and hostile "
                 "bursts under traffic and operators' changes, each checked by effect"};
    Options o;
    Rig rig;
    rig.link_command = ". /lib/testbed.sh && tb_monitor set_link n0 \"$1\"";
    std::string sriovd = "sriovd";
    app.add_option("--seed", o.seed, "the seed (default: the time; printed)");
    app.add_option("--cycles", o.cycles, "cycles of random faults")->capture_default_str();
    app.add_option("--from-cycle", o.from, "number of the first cycle (to replay one)")->capture_default_str();
    app.add_option("--leak-cycles", o.leak_cycles, "cycles without a restart of sriovd afterwards, for the leak check")
        ->capture_default_str();
    app.add_option("--warmup", o.warmup, "leak cycles before fds and VmRSS are taken as the base")
        ->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--rss-slack-kb", o.rss_slack_kb, "VmRSS allowed above the base")->capture_default_str();
    app.add_option("--restart-delay-ms", o.restart_delay_ms, "wait before starting sriovd again (systemd's RestartSec)")
        ->capture_default_str();
    app.add_option("--hold-ms", o.hold_ms,
                   "how long traffic must flow after a fault's action to count as back (igbvf looks every 2 s)")
        ->capture_default_str();
    app.add_option("--csv", o.csv, "write every cycle to this CSV file");
    app.add_option("--log-dir", o.log_dir, "where sriovd's logs go (sriovd.RUN.log)")->capture_default_str();
    app.add_option("--sriovd", sriovd, "the sriovd program")->capture_default_str();
    app.add_option("--config", o.config, "sriovd's configuration file")->required();
    app.add_option("--state-dir", rig.state_dir, "its state directory")->required();
    app.add_option("--traffic-pf", rig.traffic_pf, "the PF whose VFs carry the traffic")->required();
    app.add_option("--count-pf", rig.count_pf, "the PF whose VF count the operator changes")->required();
    std::pair<unsigned, unsigned> counts{2, 3};
    std::vector<std::string> vf0, vf1;
    app.add_option("--counts", counts, "the two VF counts it changes between")->capture_default_str();
    app.add_option("--vf0", vf0, "VF 0's igbvf interface and IPv4 address (this namespace)")->expected(2)->required();
    app.add_option("--vf1", vf1, "VF 1's interface, address and network namespace")->expected(3)->required();
    app.add_option("--hostile-vf", rig.hostile_vf, "the traffic PF's VF the burst comes from")->capture_default_str();
    app.add_option("--hostile-command", rig.hostile_command, "the burst: a shell command, the VF's PCI address in $1")
        ->required();
    app.add_option("--link-command", rig.link_command, "the wire's link: a shell command, on or off in $1")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    rig.count_low = counts.first;
    rig.count_high = counts.second;
    rig.vf0 = {0, vf0.at(0), "", vf0.at(1)};
    rig.vf1 = {1, vf1.at(0), vf1.at(2), vf1.at(1)};
    if (o.seed == 0)
        o.seed = static_cast<unsigned long>(std::chrono::system_clock::now().time_since_epoch().count()) % 1000000007;
    rig.sriovd = {sriovd, "--foreground", "--config", o.config};

    fmt::print("soak: seed {}, cycles {} from {}, leak cycles {} (warm-up {}), restart delay {} ms\n", o.seed,
               o.cycles, o.from, o.leak_cycles, o.warmup, o.restart_delay_ms);
    std::vector<CycleResult> results;
    bool ok = true;
    try {
        Soak soak(rig, std::chrono::milliseconds(o.restart_delay_ms), std::chrono::milliseconds(o.hold_ms), o.log_dir);
        soak.start();
        const auto t0 = std::chrono::steady_clock::now();
        unsigned cycle = o.from;
        for (; ok && cycle < o.from + o.cycles; ++cycle) {
            results.push_back(soak.cycle(o.seed, cycle, all_faults));
            print_cycle(results.back());
            ok = report_failures(o, results.back(), "random faults");
        }
        const std::size_t survived = results.size() - (ok ? 0 : 1);
        std::vector<CycleResult> lasting;
        for (unsigned i = 0; ok && i < o.leak_cycles; ++i, ++cycle) {
            lasting.push_back(soak.cycle(o.seed, cycle, lasting_faults));
            print_cycle(lasting.back());
            ok = report_failures(o, lasting.back(), "leak run");
        }
        const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        fmt::print("traffic: {}\n", soak.traffic_counts());
        std::vector<CycleResult> all = results;
        all.insert(all.end(), lasting.begin(), lasting.end());
        print_recovery(std::cout, all);
        if (ok && o.leak_cycles > 0)
            for (const auto& f : check_leaks(std::cout, lasting, o.warmup, o.rss_slack_kb)) {
                fmt::print("FAIL: seed {}: {}\n", o.seed, f);
                ok = false;
            }
        if (!o.csv.empty())
            write_csv(o.csv, all);
        fmt::print("soak: seed {}: {} of {} cycles survived, {} leak cycles, in {:.0f} s: {}\n", o.seed, survived,
                   o.cycles, lasting.size(), seconds, ok ? "passed" : "FAILED");
    } catch (const sriov::Error& e) {
        fmt::print("FAIL: seed {}: {}\n", o.seed, e.what());
        return 1;
    }
    return ok ? 0 : 1;
}
