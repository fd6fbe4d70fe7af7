#include "report.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

namespace sriov::soak {

double quantile(std::vector<double> values, double q)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

void print_recovery(std::ostream& out, const std::vector<CycleResult>& results)
{
    std::map<Fault, std::vector<double>> recovery, restart;
    for (const auto& r : results) {
        recovery[r.fault].push_back(r.recovery_ms);
        if (ends_sriovd(r.fault))
            restart[r.fault].push_back(r.restart_ms);
    }
    fmt::print(out, "recovery, fault to traffic flowing both ways (ms):\n");
    fmt::print(out, "  {:<14} {:>6} {:>8} {:>8} {:>8}   {}\n", "fault", "cycles", "p50", "p99", "max",
               "sriovd ready again p50/p99/max");
    for (const auto& [fault, ms] : recovery) {
        std::string ready;
        if (const auto it = restart.find(fault); it != restart.end())
            ready = fmt::format("{:.0f} / {:.0f} / {:.0f}", quantile(it->second, 0.5), quantile(it->second, 0.99),
                                quantile(it->second, 1));
        fmt::print(out, "  {:<14} {:>6} {:>8.0f} {:>8.0f} {:>8.0f}   {}\n", name(fault), ms.size(), quantile(ms, 0.5),
                   quantile(ms, 0.99), quantile(ms, 1), ready);
    }
}

std::vector<std::string> check_leaks(std::ostream& out, const std::vector<CycleResult>& run, unsigned warmup,
                                     unsigned long rss_slack_kb)
{
    std::vector<std::string> failures;
    if (warmup == 0 || run.size() <= warmup) {
        fmt::print(out, "leaks: {} cycles without a restart, not more than the warm-up of {}: nothing to judge\n",
                   run.size(), warmup);
        return failures;
    }
    const Footprint base = run[warmup - 1].footprint;  // warmup >= 1
    unsigned fds_min = base.fds, fds_max = base.fds;
    unsigned long rss_max = base.rss_kb;
    for (std::size_t i = warmup; i < run.size(); ++i) {
        const Footprint& f = run[i].footprint;
        fds_min = std::min(fds_min, f.fds);
        fds_max = std::max(fds_max, f.fds);
        rss_max = std::max(rss_max, f.rss_kb);
        if (f.fds != base.fds)
            failures.push_back(fmt::format("leak: cycle {}: sriovd has {} fds open, {} after the warm-up", run[i].cycle,
                                           f.fds, base.fds));
        if (f.rss_kb > base.rss_kb + rss_slack_kb)
            failures.push_back(fmt::format("leak: cycle {}: sriovd's VmRSS is {} kB, more than {} kB after the "
                                           "warm-up + {} kB",
                                           run[i].cycle, f.rss_kb, base.rss_kb, rss_slack_kb));
    }
    fmt::print(out,
               "leaks: {} cycles without a restart (warm-up {}): fds {} after the warm-up, {}..{} after; VmRSS {} kB "
               "after the warm-up, at most {} kB after (+{} kB, limit +{} kB): {}\n",
               run.size(), warmup, base.fds, fds_min, fds_max, base.rss_kb, rss_max, rss_max - base.rss_kb,
               rss_slack_kb, failures.empty() ? "no growth" : "GROWTH");
    return failures;
}

void write_csv(const std::string& path, const std::vector<CycleResult>& results)
{
    std::ofstream out(path);
    out << "cycle,fault,recovery_ms,restart_ms,fds,rss_kb,ok,change\n";
    for (const auto& r : results) {
        std::string change = r.change;
        std::replace(change.begin(), change.end(), ',', ';');
        out << fmt::format("{},{},{:.0f},{:.0f},{},{},{},\"{}\"\n", r.cycle, name(r.fault), r.recovery_ms, r.restart_ms,
                           r.footprint.fds, r.footprint.rss_kb, r.failures.empty() ? 1 : 0, change);
    }
    if (!out)
        throw Error(Errc::io, path, "cannot write the CSV");
}

}  // namespace sriov::soak
