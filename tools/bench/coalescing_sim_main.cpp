// coalescing-sim: the interrupt coalescing study of issue 7 (part 5), in simulated time.
//
//   coalescing-sim [--csv FILE]   the study: every scheme at every rate, both kinds of arrivals,
//                                 then the goals and whether each scheme meets them
//   coalescing-sim --testbed      what testbed.vf_interrupts should measure on QEMU 10.0
//
// The model is in coalescing_sim.hpp; libvf's own arithmetic (src/vf/coalescing.hpp) computes
// the adaptive rate and every EITR value.
#include "coalescing_sim.hpp"
#include "vf/coalescing.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace coalescing_sim;

namespace {

const std::vector<double> rates{1000, 2000, 4000, 8000, 16000, line_rate_1g};
const std::vector<Scheme> schemes{Scheme::off, Scheme::fixed, Scheme::adaptive, Scheme::dim};
const std::vector<Arrivals> kinds{Arrivals::constant, Arrivals::poisson};
// The goals' "high rates": where coalescing must pay off.
const std::vector<double> high_rates{16000, line_rate_1g};

std::string rate_name(double r) { return r == line_rate_1g ? "1.488M" : fmt::format("{:.0f}K", r / 1000); }

using Key = std::tuple<Arrivals, double, Scheme>;

void print_row(const Params& p, const Result& r)
{
    fmt::print("{:>7} {:<9} {:>11.0f} {:>9.3f}% {:>9.1f} {:>9.1f} {:>9.1f} {:>8.0f} {:>9.1f}  0x{:08X}\n",
               rate_name(p.rate), name(p.scheme), r.interrupts_per_s(), 100 * r.throughput(), r.p50_ns / 1e3,
               r.p95_ns / 1e3, r.p99_ns / 1e3, r.cpu_per_packet_ns(), r.frames_per_interrupt(), r.last_eitr);
}

void print_header()
{
    fmt::print("{:>7} {:<9} {:>11} {:>10} {:>9} {:>9} {:>9} {:>8} {:>9}  {}\n", "rate", "scheme", "interrupts/s",
               "delivered", "p50 us", "p95 us", "p99 us", "ns/pkt", "frames/i", "EITR at end");
}

Params with(const Params& base, Arrivals a, double rate, Scheme s)
{
    Params p = base;
    p.arrivals = a;
    p.rate = rate;
    p.scheme = s;
    // At least 20 000 measured frames, so that p99 stands on 200 of them.
    p.duration_s = std::max(base.duration_s, base.warmup_s + 20000 / rate);
    return p;
}

const char* verdict(bool met) { return met ? "met" : "MISSED"; }

int study(const Params& base, const std::string& csv_path)
{
    const Costs& c = base.costs;
    fmt::print("Interrupt coalescing in simulated time: one RX queue of {} descriptors, rx_burst of {}, {} s per run "
               "or 20 000 frames if longer ({} s warm-up not counted), seed {}\n",
               base.ring_size, base.burst, base.duration_s, base.warmup_s, base.seed);
    fmt::print("CPU model: {} ns per MSI-X message, {} ns per wake-up, {} ns per rx_burst call, {} ns per frame\n",
               c.irq_ns, c.wake_ns, c.poll_ns, c.packet_ns);
    fmt::print("Schemes: off = EITR 0; fixed = {}/s; adaptive = libvf's IF = max(pps / (bufs * {}), {}) (EITR 0 "
               "up to 2 * lif) re-measured every {} ms; dim = DIM-like profiles, sampled every {} ms\n\n",
               base.coalescing.rate, base.coalescing.safety_ratio, base.coalescing.min_rate,
               base.coalescing.adapt_period.count(), base.dim.period_ms);

    std::map<Key, Result> results;
    std::FILE* csv = csv_path.empty() ? nullptr : std::fopen(csv_path.c_str(), "w");
    if (!csv_path.empty() && !csv) {
        std::perror(csv_path.c_str());
        return 1;
    }
    if (csv)
        std::fputs("arrivals,rate,scheme,interrupts_per_s,throughput,p50_us,p95_us,p99_us,cpu_ns_per_packet,"
                   "frames_per_interrupt,offered,delivered,dropped\n", csv);
    for (Arrivals a : kinds) {
        fmt::print("{} arrivals\n", name(a));
        print_header();
        for (double rate : rates)
            for (Scheme s : schemes) {
                const Params p = with(base, a, rate, s);
                const Result r = simulate(p);
                results[{a, rate, s}] = r;
                print_row(p, r);
                if (csv)
                    fmt::print(csv, "{},{:.0f},{},{:.1f},{:.6f},{:.3f},{:.3f},{:.3f},{:.1f},{:.2f},{},{},{}\n", name(a),
                               rate, name(s), r.interrupts_per_s(), r.throughput(), r.p50_ns / 1e3, r.p95_ns / 1e3,
                               r.p99_ns / 1e3, r.cpu_per_packet_ns(), r.frames_per_interrupt(), r.offered, r.delivered,
                               r.dropped);
            }
        fmt::print("\n");
    }
    if (csv)
        std::fclose(csv);

    fmt::print("Goals: at 16K and 1.488M messages/s at least 10x fewer interrupts than off (A) with under 1% "
               "throughput loss (B); at 1K p95 latency within 10% of off's (C)\n");
    for (Arrivals a : kinds)
        for (Scheme s : schemes) {
            if (s == Scheme::off)
                continue;
            std::string a_text, b_text;
            bool a_met = true, b_met = true;
            for (double rate : high_rates) {
                const Result& r = results[{a, rate, s}];
                const double fewer = r.interrupts_per_s() > 0
                                         ? results[{a, rate, Scheme::off}].interrupts_per_s() / r.interrupts_per_s()
                                         : 0;
                a_met = a_met && fewer >= 10;
                b_met = b_met && r.throughput() > 0.99;
                a_text += fmt::format(" {} {:.1f}x", rate_name(rate), fewer);
                b_text += fmt::format(" {} {:.3f}%", rate_name(rate), 100 * (1 - r.throughput()));
            }
            const double p95 = results[{a, 1000.0, s}].p95_ns, p95_off = results[{a, 1000.0, Scheme::off}].p95_ns;
            fmt::print("  {:<8} {:<9} A{}: {}   B{}: {}   C p95 {:.1f} vs {:.1f} us: {}\n", name(a), name(s), a_text,
                       verdict(a_met), b_text, verdict(b_met), p95 / 1e3, p95_off / 1e3,
                       verdict(p95 <= 1.1 * p95_off));
        }

    // Why the adaptive scheme meets C: below 2 * lif frames/s it does not throttle at all.
    const Params& ad = base;
    fmt::print("\nAdaptive at 1K: up to {:.0f} frames/s (2 * lif) libvf leaves EITR at 0, so no frame waits for an "
               "interval; above it IF = max(pps / (bufs * r), lif), which the sweep below varies.\n",
               sriov::vf::adaptive_unthrottled_below * ad.coalescing.min_rate);
    fmt::print("lif sweep (Poisson): p95 at 1K against off's {:.1f} us, and interrupts at 16K against off's {:.0f}/s\n",
               results[{Arrivals::poisson, 1000.0, Scheme::off}].p95_ns / 1e3,
               results[{Arrivals::poisson, 16000.0, Scheme::off}].interrupts_per_s());
    for (double lif : {1000.0, 2000.0, 5000.0, 10000.0, 20000.0, 50000.0, 100000.0}) {
        Params p = with(base, Arrivals::poisson, 1000, Scheme::adaptive);
        p.coalescing.min_rate = lif;
        const Result low = simulate(p);
        p.rate = 16000;
        const Result high = simulate(p);
        fmt::print("  lif {:>6.0f}/s: p95 at 1K {:>7.1f} us ({}), interrupts at 16K {:>6.0f}/s ({:.1f}x fewer)\n", lif,
                   low.p95_ns / 1e3,
                   low.p95_ns <= 1.1 * results[{Arrivals::poisson, 1000.0, Scheme::off}].p95_ns ? "C met" : "C missed",
                   high.interrupts_per_s(),
                   results[{Arrivals::poisson, 16000.0, Scheme::off}].interrupts_per_s() / high.interrupts_per_s());
    }
    fmt::print("\nFrom idle (no warm-up), 1.488M Poisson, first {} s:", base.duration_s);
    for (Scheme s : schemes) {
        Params p = with(base, Arrivals::poisson, line_rate_1g, s);
        p.warmup_s = 0;
        fmt::print("  {} {:.2f}%", name(s), 100 * simulate(p).throughput());
    }
    fmt::print(" delivered\n");
    return 0;
}

// testbed.vf_interrupts on QEMU 10.0: vf-pktgen recv --ring 4096 --buffers 8192 --interrupts
// --eitr-timing qemu, and a sender pacing COUNT frames at RATE/s (constant spacing here).
int testbed(const Params& base)
{
    struct Case {
        const char* what;
        Scheme scheme;
        std::uint64_t count;
        double rate;
        double min_rate;
        double fixed;
    };
    const Case cases[] = {
        {"adaptive", Scheme::adaptive, 20000, 10000, 1000, 0},
        {"off", Scheme::off, 20000, 10000, 1000, 0},
        {"low-off", Scheme::off, 2000, 1000, 1000, 0},
        {"low-adaptive (lif 250)", Scheme::adaptive, 2000, 1000, 250, 0},
        {"low-fixed:25", Scheme::fixed, 2000, 1000, 1000, 25},
    };
    fmt::print("testbed.vf_interrupts predicted: ring 4096, rx_burst of 32, no warm-up; {} ns per wake-up{}\n",
               base.costs.wake_ns,
               base.merge_ns > 0 ? fmt::format(", messages within {} us merged", base.merge_ns / 1e3) : "");
    fmt::print("{:<24} {:>6} {:>7} {:>9} {:>10} {:>10} {:>9} {:>9} {:>9}\n", "receiver", "frames", "rate", "arrivals",
               "timing", "interrupts", "frames/i", "p50 us", "p95 us");
    const std::pair<sriov::vf::EitrTiming, Arrivals> runs[] = {
        {sriov::vf::EitrTiming::qemu_10_0, Arrivals::constant},
        {sriov::vf::EitrTiming::qemu_10_0, Arrivals::poisson},
        {sriov::vf::EitrTiming::datasheet, Arrivals::constant},
    };
    for (const auto& [timing, arrivals] : runs)
        for (const Case& c : cases) {
            Params p = with(base, arrivals, c.rate, c.scheme);
            p.count = c.count;
            p.warmup_s = 0;
            p.ring_size = 4096;
            p.burst = 32;
            p.coalescing.app_buffers = 0;
            p.coalescing.min_rate = c.min_rate;
            if (c.fixed > 0)
                p.coalescing.rate = c.fixed;
            p.coalescing.timing = timing;
            const Result r = simulate(p);
            fmt::print("{:<24} {:>6} {:>7.0f} {:>9} {:>10} {:>10} {:>10.2f} {:>9.1f} {:>9.1f}\n", c.what, c.count,
                       c.rate, name(arrivals), timing == sriov::vf::EitrTiming::qemu_10_0 ? "qemu-10.0" : "datasheet",
                       r.interrupts, r.frames_per_interrupt(), r.p50_ns / 1e3, r.p95_ns / 1e3);
        }
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    Params base;
    std::string csv;
    bool testbed_mode = false;
    double adapt_ms = 20;
    double merge_us = 0;
    CLI::App app{"coalescing-sim: interrupt coalescing schemes in simulated time (issue 7)"};
    app.add_option("--csv", csv, "write the study's rows to FILE as CSV");
    app.add_flag("--testbed", testbed_mode, "predict testbed.vf_interrupts (QEMU 10.0 timing) instead of the study");
    app.add_option("--seed", base.seed, "the Poisson arrivals' seed")->capture_default_str();
    app.add_option("--duration", base.duration_s, "simulated seconds per run")->capture_default_str();
    app.add_option("--warmup", base.warmup_s, "seconds at the start not counted")->capture_default_str();
    app.add_option("--ring", base.ring_size, "RX ring descriptors")->capture_default_str();
    app.add_option("--burst", base.burst, "frames per rx_burst call")->capture_default_str();
    app.add_option("--fixed-rate", base.coalescing.rate, "fixed: interrupts/s")->capture_default_str();
    app.add_option("--min-rate", base.coalescing.min_rate, "adaptive: lif, the lowest interrupts/s")->capture_default_str();
    app.add_option("--safety-ratio", base.coalescing.safety_ratio, "adaptive: r")->capture_default_str();
    app.add_option("--app-buffers", base.coalescing.app_buffers, "adaptive: frames per wake-up (0: the ring)")
        ->capture_default_str();
    app.add_option("--adapt-ms", adapt_ms, "adaptive: re-measure period")->capture_default_str();
    app.add_option("--merge-us", merge_us, "messages closer than this count as one interrupt")->capture_default_str();
    app.add_option("--irq-ns", base.costs.irq_ns, "CPU per MSI-X message")->capture_default_str();
    app.add_option("--wake-ns", base.costs.wake_ns, "CPU and delay per wake-up")->capture_default_str();
    app.add_option("--poll-ns", base.costs.poll_ns, "CPU per rx_burst call")->capture_default_str();
    app.add_option("--packet-ns", base.costs.packet_ns, "CPU per frame")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    base.merge_ns = merge_us * 1e3;
    base.coalescing.adapt_period = std::chrono::milliseconds(static_cast<long>(adapt_ms));
    try {
        return testbed_mode ? testbed(base) : study(base, csv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "coalescing-sim: %s\n", e.what());
        return 1;
    }
}
