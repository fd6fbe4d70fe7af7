#include "bench_mailbox_scale_round.hpp"

#include "bench_mailbox_scale_events.hpp"
#include "bench_mailbox_scale_pf.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <future>
#include <latch>
#include <memory>
#include <thread>

namespace sriov::bench {

namespace {

using Clock = std::chrono::steady_clock;

// The CPU time a thread has used so far (0 if the clock cannot be read).
std::chrono::nanoseconds cpu_time(std::thread& t)
{
    clockid_t clock{};
    timespec ts{};
    if (::pthread_getcpuclockid(t.native_handle(), &clock) != 0 || ::clock_gettime(clock, &ts) != 0)
        return {};
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// Keeps thread t on CPU `cpu`, if the machine has it.
void pin(pthread_t t, unsigned cpu)
{
    if (std::thread::hardware_concurrency() <= cpu)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    ::pthread_setaffinity_np(t, sizeof set, &set);
}

constexpr unsigned pf_cpu = 1;
constexpr unsigned vf_cpu = 0;

// The first rig: one thread per VF, each polling VFMAILBOX (bench_mailbox_scale_vf.hpp), all
// starting at the same moment, placed by the scheduler (pinned to one CPU, hundreds of polling
// threads starve each other). Sets `began` to that moment.
std::vector<VfRun> run_vf_threads(std::vector<std::unique_ptr<ModelPf>>& pfs, const RoundOptions& options,
                                  Clock::time_point& began)
{
    const unsigned total = options.pfs * options.vfs_per_pf;
    std::latch start(total + 1);
    std::vector<VfRun> runs(total);
    std::vector<std::thread> vfs;
    vfs.reserve(total);
    for (unsigned p = 0; p < options.pfs; ++p)
        for (unsigned v = 0; v < options.vfs_per_pf; ++v) {
            vfs.emplace_back([&, p, v] {
                runs[p * options.vfs_per_pf + v] = run_vf(pfs[p]->vf(v), fmt::format("{} VF {}", pfs[p]->name(), v),
                                                          ModelPf::vf_mac(p, v), options.script, start);
            });
        }
    start.arrive_and_wait();
    began = Clock::now();
    for (auto& t : vfs)
        t.join();
    return runs;
}

}  // namespace

double percentile_us(const std::vector<std::chrono::nanoseconds>& sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    const auto& v = sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
    return std::chrono::duration<double, std::micro>(v).count();
}

void merge(RoundResult& total, const RoundResult& more)
{
    const auto pool = [](std::vector<std::chrono::nanoseconds>& into, const std::vector<std::chrono::nanoseconds>& from) {
        std::vector<std::chrono::nanoseconds> merged(into.size() + from.size());
        std::merge(into.begin(), into.end(), from.begin(), from.end(), merged.begin());
        into = std::move(merged);
    };
    pool(total.answers, more.answers);
    pool(total.handshakes, more.handshakes);
    pool(total.pf_side, more.pf_side);
    total.pfs = more.pfs;
    total.vfs = more.vfs;
    total.seconds += more.seconds;
    total.answered += more.answered;
    total.failures += more.failures;
    total.failed_vfs += more.failed_vfs;
    if (total.first_failure.empty())
        total.first_failure = more.first_failure;
    total.pf_wakeups += more.pf_wakeups;
    total.pf_requests += more.pf_requests;
    total.pf_dropped += more.pf_dropped;
    total.pf_errors += more.pf_errors;
    total.pf_loop_cpu_seconds += more.pf_loop_cpu_seconds;
    total.pf_register_reads += more.pf_register_reads;
    total.pf_register_writes += more.pf_register_writes;
}

RoundResult run_round(const RoundOptions& options)
{
    boost::asio::io_context io;
    auto guard = boost::asio::make_work_guard(io);
    std::vector<std::unique_ptr<ModelPf>> pfs;
    for (unsigned p = 0; p < options.pfs; ++p)
        pfs.push_back(std::make_unique<ModelPf>(io, p, options.vfs_per_pf, options.limits));
    std::thread loop([&] { io.run(); });
    if (options.pin)
        pin(loop.native_handle(), pf_cpu);
    const auto loop_cpu_before = cpu_time(loop);
    Clock::time_point began;
    std::vector<VfRun> runs;
    if (options.driver == VfDriver::threads) {
        on_loop(io, [&] {
            for (auto& pf : pfs)
                pf->start();
        });
        runs = run_vf_threads(pfs, options, began);
    } else {
        // The VF side on this thread, on its own CPU while it plays the VFs.
        cpu_set_t before;
        const bool pinned = options.pin && ::pthread_getaffinity_np(::pthread_self(), sizeof before, &before) == 0;
        if (pinned)
            pin(::pthread_self(), vf_cpu);
        on_loop(io, [&] {
            for (auto& pf : pfs)
                pf->start();
        });
        began = Clock::now();
        runs = run_vfs_on_events(io, pfs, options.vfs_per_pf, options.script);
        if (pinned)
            ::pthread_setaffinity_np(::pthread_self(), sizeof before, &before);
    }
    const auto ended = Clock::now();
    const auto loop_cpu = cpu_time(loop) - loop_cpu_before;
    on_loop(io, [&] {
        for (auto& pf : pfs)
            pf->stop();
        guard.reset();
    });
    loop.join();

    RoundResult r;
    r.pfs = options.pfs;
    r.vfs = options.pfs * options.vfs_per_pf;
    r.seconds = std::chrono::duration<double>(ended - began).count();
    r.pf_loop_cpu_seconds = std::chrono::duration<double>(loop_cpu).count();
    for (const VfRun& run : runs) {
        r.answers.insert(r.answers.end(), run.answers.begin(), run.answers.end());
        if (run.handshake.count() > 0)
            r.handshakes.push_back(run.handshake);
        r.answered += run.answers.size() + (run.handshake.count() > 0 ? 1 : 0);
        r.failures += run.failures;
        if (run.failures != 0) {
            ++r.failed_vfs;
            if (r.first_failure.empty())
                r.first_failure = run.first_failure;
        }
    }
    for (const auto& pf : pfs)
        r.pf_side.insert(r.pf_side.end(), pf->pf_side().begin(), pf->pf_side().end());
    std::sort(r.pf_side.begin(), r.pf_side.end());
    std::sort(r.answers.begin(), r.answers.end());
    std::sort(r.handshakes.begin(), r.handshakes.end());
    for (const auto& pf : pfs) {
        r.pf_wakeups += pf->stats().wakeups;
        r.pf_requests += pf->stats().requests;
        r.pf_dropped += pf->stats().dropped;
        r.pf_errors += pf->stats().errors;
        r.pf_register_reads += pf->register_accesses().reads;
        r.pf_register_writes += pf->register_accesses().writes;
    }
    return r;
}

}  // namespace sriov::bench
