// bench-mailbox-rtt: how long a VF waits for its PF's answer to a mailbox request (issue 7,
// part 3). Runs in the testbed guest on a VF bound to vfio-pci, under whichever PF serves it:
// sriovd (user space, woken by a VFIO MSI-X eventfd) or the kernel's igb (its interrupt handler).
//
//   bench-mailbox-rtt --vf 0000:00:12.0 [--token-file /run/sriovd.token] --count 2000 --label sriovd
//
// The VF side is libvf's own (VfControl over VfMailbox, the code Vf::open uses): it resets the VF
// through the mailbox, then sends `count` requests, alternately adding and removing VLAN 100
// (both PFs ACK these for an untrusted VF), and times each from the start of the request (taking
// the VF's lock, writing the message, raising REQ) to the end of reading the PF's answer. The VF
// polls VFMAILBOX without sleeping (Timing::poll 0: a yield between looks), so the figures are the
// PF's reaction time plus the emulated register accesses, not a sleep granularity. Prints the
// percentiles and a "csv:" line: label,count,min_us,p50_us,p95_us,p99_us,max_us,mean_us.
//
// Not a test: the numbers depend on the emulator and the host's load. A PF that refuses or does
// not answer is an error (exit 2).
#include "sriov/error.hpp"
#include "vf/open_vf.hpp"
#include "vfio/pci_address.hpp"
#include "vfio/vf_token.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

using namespace sriov;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint16_t bench_vid = 100;
// Patient enough for a loaded emulator; a PF that needs longer has failed.
constexpr mbx::Timing busy_polling{std::chrono::milliseconds(5000), std::chrono::microseconds(0)};

struct Options {
    std::string vf;
    std::string token_file;  // empty: no token (the PF is not a VFIO user's)
    unsigned count = 2000;
    unsigned warmup = 20;
    std::string label = "pf";
};

double percentile_us(const std::vector<double>& sorted, double q)
{
    const auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1));
    return sorted[i];
}

int run(const Options& o)
{
    const auto address = pci::Address::parse(o.vf);
    vf::OpenVf::Options options;
    options.timing = busy_polling;
    if (!o.token_file.empty())
        options.vf_token = vfio::VfToken::read_file(o.token_file);
    vf::OpenVf vf(address, options);
    const auto mac = vf.control.reset(std::chrono::milliseconds(10000));
    std::printf("%s: reset handshake done, MAC %s\n", o.vf.c_str(), mac ? mac->to_string().c_str() : "(none)");

    std::vector<double> rtt_us;
    rtt_us.reserve(o.count);
    bool add = true;
    for (unsigned i = 0; i < o.warmup + o.count; ++i, add = !add) {
        const auto start = Clock::now();
        vf.control.set_vlan(bench_vid, add);
        const auto end = Clock::now();
        if (i >= o.warmup)
            rtt_us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
    if (!add)  // leave the VF as it was found: VLAN 100 removed
        vf.control.set_vlan(bench_vid, false);

    std::vector<double> sorted = rtt_us;
    std::sort(sorted.begin(), sorted.end());
    const double mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(sorted.size());
    std::printf("%s: %u round trips: min %.0f us, p50 %.0f us, p95 %.0f us, p99 %.0f us, max %.0f us, mean %.0f us\n",
                o.label.c_str(), o.count, sorted.front(), percentile_us(sorted, 0.50), percentile_us(sorted, 0.95),
                percentile_us(sorted, 0.99), sorted.back(), mean);
    std::printf("csv:%s,%u,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n", o.label.c_str(), o.count, sorted.front(),
                percentile_us(sorted, 0.50), percentile_us(sorted, 0.95), percentile_us(sorted, 0.99), sorted.back(),
                mean);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"bench-mailbox-rtt: time a VF's mailbox requests to its PF's answers (needs root)"};
    Options o;
    app.add_option("--vf", o.vf, "PCI address of the VF (bound to vfio-pci)")->required();
    app.add_option("--token-file", o.token_file, "file with the VF token, when the PF is sriovd's");
    app.add_option("--count", o.count, "round trips to time")->capture_default_str()->check(CLI::Range(1u, 1000000u));
    app.add_option("--warmup", o.warmup, "round trips before timing starts")->capture_default_str();
    app.add_option("--label", o.label, "the PF's name in the output (e.g. sriovd, igb)")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        return run(o);
    } catch (const Error& e) {
        std::fprintf(stderr, "bench-mailbox-rtt: %s\n", e.what());
        return 2;
    }
}
