// bench-mailbox-scale (issue 7, part 4; issue 17): sriovd's mailbox service and policy engine with
// many PFs at once, against the 82576 register model (one model per PF). For each PF count
// (default 1 to 36, of 7 VFs each: 36 x 7 = 252 VFs, as many as the largest SR-IOV NICs offer),
// every VF resets and then sends its requests at the same moment, through libvf's VF-side mailbox
// code; the PF side is served on one event loop thread, as sriovd serves all its PFs.
//
// By default (--vf-driver events) every VF runs on one thread and is woken by its mailbox
// interrupt (the model's PF-to-VF message), and the PF's loop and the VF thread each have a CPU of
// their own (--pin): the figures are then sriovd's, not the scheduler's. --vf-driver threads is
// the first rig, for comparison: a thread per VF polling VFMAILBOX every --poll-us (igbvf's 500 us),
// all sharing the machine's cores as VMs on an over-committed host would.
//
// Prints, per PF count: requests answered per second over the whole run; the answer time end to
// end (request written to answer read by the VF: p50, p95, p99, max); the PF side alone (request
// written to answer written, both timed by the model: p50, p99, max); the reset handshake's; and
// the CPU time the PF side's loop spent per request. --csv writes the same as CSV
// (bench_mailbox_scale.gp plots it, run-mailbox-scale.sh does both). Exits 1 if a request went
// unanswered or was refused (a functional error, not a slow answer), 2 on bad options.
#include "bench_mailbox_scale_round.hpp"

#include "sriov/error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <string>
#include <vector>

using namespace sriov;
using namespace sriov::bench;

namespace {

constexpr const char* csv_header =
    "pfs,vfs,requests,seconds,requests_per_s,p50_us,p95_us,p99_us,max_us,handshake_p50_us,handshake_p99_us,"
    "handshake_max_us,failures,pf_wakeups,pf_cpu_us_per_request,poll_us,pf_side_p50_us,pf_side_p99_us,pf_side_max_us,"
    "vf_driver,pf_reads_per_request,pf_writes_per_request";

// The PF side's CPU time per request read (its loop thread; VF_RESET included).
double pf_cpu_us(const RoundResult& r)
{
    return r.pf_requests ? r.pf_loop_cpu_seconds * 1e6 / static_cast<double>(r.pf_requests) : 0;
}

// The PF side's register accesses per request read (reset handling and the VFs' ACKs included).
double per_request(const RoundResult& r, std::uint64_t accesses)
{
    return r.pf_requests ? static_cast<double>(accesses) / static_cast<double>(r.pf_requests) : 0;
}

const char* driver_name(VfDriver d) { return d == VfDriver::events ? "events" : "threads"; }

std::string csv_row(const RoundResult& r, unsigned poll_us, VfDriver driver)
{
    return fmt::format("{},{},{},{:.4f},{:.0f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{},{},{:.2f},{},{:.1f},{:.1f},"
                       "{:.1f},{},{:.2f},{:.2f}",
                       r.pfs, r.vfs, r.answered, r.seconds, static_cast<double>(r.answered) / r.seconds,
                       percentile_us(r.answers, 50), percentile_us(r.answers, 95), percentile_us(r.answers, 99),
                       percentile_us(r.answers, 100), percentile_us(r.handshakes, 50),
                       percentile_us(r.handshakes, 99), percentile_us(r.handshakes, 100), r.failures, r.pf_wakeups,
                       pf_cpu_us(r), driver == VfDriver::threads ? poll_us : 0, percentile_us(r.pf_side, 50),
                       percentile_us(r.pf_side, 99), percentile_us(r.pf_side, 100), driver_name(driver),
                       per_request(r, r.pf_register_reads), per_request(r, r.pf_register_writes));
}

void print_row(const RoundResult& r)
{
    fmt::print("{:>4} {:>5} {:>9} {:>8.4f} {:>11.0f}   {:>8.1f} {:>8.1f} {:>8.1f} {:>9.1f}   {:>8.1f} {:>8.1f} {:>9.1f}   "
               "{:>8.1f} {:>8.1f} {:>9.1f} {:>8.2f} {:>5.1f} {:>5.1f} {:>8}\n",
               r.pfs, r.vfs, r.answered, r.seconds, static_cast<double>(r.answered) / r.seconds,
               percentile_us(r.answers, 50), percentile_us(r.answers, 95), percentile_us(r.answers, 99),
               percentile_us(r.answers, 100), percentile_us(r.pf_side, 50), percentile_us(r.pf_side, 99),
               percentile_us(r.pf_side, 100), percentile_us(r.handshakes, 50), percentile_us(r.handshakes, 99),
               percentile_us(r.handshakes, 100), pf_cpu_us(r), per_request(r, r.pf_register_reads),
               per_request(r, r.pf_register_writes), r.failures);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"bench-mailbox-scale: sriovd's mailbox service and policy with many PFs at once, against the "
                 "82576 model; every VF (libvf's VF side) resets and sends requests together"};
    std::vector<unsigned> pf_counts{1, 2, 4, 8, 16, 36};
    RoundOptions options;
    unsigned poll_us = 500;  // as igbvf (E1000_VF_MBX_INIT_DELAY); libvf's own default is 50
    unsigned timeout_ms = 5000;
    unsigned repeat = 3;
    std::string csv_path;
    std::string log_path;
    app.add_option("--pfs", pf_counts, "PF counts to measure, one after the other")
        ->check(CLI::Range(1u, 64u))
        ->delimiter(',');
    app.add_option("--vfs", options.vfs_per_pf, "VFs per PF")->check(CLI::Range(1u, 7u))->capture_default_str();
    app.add_option("--rounds", options.script.rounds,
                   "rounds of 4 requests per VF after VF_RESET (above 15, sriovd's default burst of 64 requests "
                   "is exceeded and the policer drops some)")
        ->check(CLI::Range(0u, 1000u))
        ->capture_default_str();
    std::string requests = "setup";
    app.add_option("--requests", requests,
                   "setup: each round asks for a max frame, a multicast list, then joins and leaves VLAN 100, as a "
                   "VF driver setting itself up; vlan: only joins and leaves VLAN 100, as bench_mailbox_rtt (to "
                   "compare register counts with the kernel's igb)")
        ->check(CLI::IsMember({"setup", "vlan"}))
        ->capture_default_str();
    std::string driver = "events";
    app.add_option("--vf-driver", driver,
                   "events: every VF on one thread, woken by its mailbox interrupt; threads: a thread per VF "
                   "polling VFMAILBOX every --poll-us (the first rig, for comparison)")
        ->check(CLI::IsMember({"events", "threads"}))
        ->capture_default_str();
    bool no_pin = false;
    app.add_flag("--no-pin", no_pin,
                 "let the scheduler place the PF side's loop and the VF side (by default each has a CPU of its own)");
    app.add_option("--poll-us", poll_us, "the VF side's pause between two reads of VFMAILBOX: igbvf's 500 us by default (libvf's "
                   "default is 50; with 252 VF threads on 2 cores that polling starves the PF's loop)")
        ->check(CLI::Range(0u, 10000u))
        ->capture_default_str();
    app.add_option("--timeout-ms", timeout_ms, "the VF side's longest wait for one step (functional bound)")
        ->check(CLI::Range(1u, 60000u))
        ->capture_default_str();
    app.add_option("--repeat", repeat, "runs per PF count; their answer times are pooled, their counts summed")
        ->check(CLI::Range(1u, 100u))
        ->capture_default_str();
    app.add_option("--csv", csv_path, "write the figures as CSV to this file");
    app.add_option("--log", log_path, "write sriovd's log lines to this file (default: formatted, then dropped)");
    CLI11_PARSE(app, argc, argv);
    options.driver = driver == "threads" ? VfDriver::threads : VfDriver::events;
    options.pin = !no_pin;
    options.script.vlan_only = requests == "vlan";
    options.script.timing.poll = std::chrono::microseconds(poll_us);
    options.script.timing.timeout = std::chrono::milliseconds(timeout_ms);
    options.script.pf_ready = std::chrono::milliseconds(timeout_ms);

    // The service logs what sriovd logs (at info level, each VF's lines rate-limited); the lines
    // are formatted as in sriovd so their cost counts, and go to --log or nowhere.
    std::shared_ptr<spdlog::logger> logger;
    if (log_path.empty())
        logger = std::make_shared<spdlog::logger>("sriovd", std::make_shared<spdlog::sinks::null_sink_mt>());
    else
        logger = std::make_shared<spdlog::logger>("sriovd",
                                                  std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_path, true));
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e sriovd %l: %v");
    spdlog::set_level(spdlog::level::info);

    if (options.driver == VfDriver::events)
        fmt::print("bench-mailbox-scale: {} VFs per PF, VF_RESET then {} requests per VF ({}), every VF on one thread woken "
                   "by its mailbox interrupt, {}; {} runs per PF count\n",
                   options.vfs_per_pf, options.script.rounds * VfScript::requests_per_round,
                   options.script.vlan_only ? "VLAN 100 joined and left" : "set-up mix",
                   options.pin ? "PF loop on CPU 1, VFs on CPU 0" : "not pinned", repeat);
    else
        fmt::print("bench-mailbox-scale: {} VFs per PF, VF_RESET then {} requests per VF ({}), a thread per VF polling every "
                   "{} us, {}; {} runs per PF count\n",
                   options.vfs_per_pf, options.script.rounds * VfScript::requests_per_round,
                   options.script.vlan_only ? "VLAN 100 joined and left" : "set-up mix", poll_us,
                   options.pin ? "PF loop on CPU 1, VFs on CPU 0" : "not pinned", repeat);
    fmt::print("{:>4} {:>5} {:>9} {:>8} {:>11}   {:>37}   {:>27}   {:>27} {:>8} {:>11} {:>8}\n", "", "", "", "", "",
               "end to end (us)", "PF side (us)", "reset handshake (us)", "PF CPU", "PF regs/req", "");
    fmt::print("{:>4} {:>5} {:>9} {:>8} {:>11}   {:>8} {:>8} {:>8} {:>9}   {:>8} {:>8} {:>9}   {:>8} {:>8} {:>9} {:>8} "
               "{:>5} {:>5} {:>8}\n",
               "PFs", "VFs", "requests", "seconds", "requests/s", "p50", "p95", "p99", "max", "p50", "p99", "max", "p50",
               "p99", "max", "us/req", "reads", "wrts", "failures");
    std::vector<RoundResult> results;
    bool all_answered = true;
    try {
        for (unsigned pfs : pf_counts) {
            options.pfs = pfs;
            RoundResult r;
            for (unsigned i = 0; i < repeat; ++i)
                merge(r, run_round(options));
            results.push_back(r);
            print_row(r);
            if (r.failures != 0) {
                all_answered = false;
                fmt::print(stderr, "bench-mailbox-scale: {} PFs: {} VFs not fully answered ({} failures), first: {}\n",
                           pfs, r.failed_vfs, r.failures, r.first_failure);
            }
        }
    } catch (const Error& e) {
        fmt::print(stderr, "bench-mailbox-scale: {}\n", e.what());
        return 1;
    }
    if (!csv_path.empty()) {
        std::ofstream csv(csv_path);
        csv << csv_header << '\n';
        for (const RoundResult& r : results)
            csv << csv_row(r, poll_us, options.driver) << '\n';
        if (!csv.flush()) {
            fmt::print(stderr, "bench-mailbox-scale: cannot write {}\n", csv_path);
            return 1;
        }
    }
    return all_answered ? 0 : 1;
}
