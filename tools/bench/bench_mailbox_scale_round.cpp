#include "bench_mailbox_scale_round.hpp"

#include "bench_mailbox_scale_pf.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <future>
#include <latch>
#include <memory>
#include <thread>

namespace sriov::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Runs f on the loop's thread and waits for it.
template <typename F>
void on_loop(boost::asio::io_context& io, F f)
{
    std::promise<void> done;
    boost::asio::post(io, [&] {
        f();
        done.set_value();
    });
    done.get_future().wait();
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

RoundResult run_round(const RoundOptions& options)
{
    boost::asio::io_context io;
    auto guard = boost::asio::make_work_guard(io);
    std::vector<std::unique_ptr<ModelPf>> pfs;
    for (unsigned p = 0; p < options.pfs; ++p)
        pfs.push_back(std::make_unique<ModelPf>(io, p, options.vfs_per_pf, options.limits));
    std::thread loop([&] { io.run(); });
    on_loop(io, [&] {
        for (auto& pf : pfs)
            pf->start();
    });

    const unsigned total = options.pfs * options.vfs_per_pf;
    std::latch start(total + 1);
    std::vector<VfRun> runs(total);
    std::vector<std::thread> vfs;
    vfs.reserve(total);
    for (unsigned p = 0; p < options.pfs; ++p)
        for (unsigned v = 0; v < options.vfs_per_pf; ++v)
            vfs.emplace_back([&, p, v] {
                runs[p * options.vfs_per_pf + v] = run_vf(pfs[p]->vf(v), fmt::format("{} VF {}", pfs[p]->name(), v),
                                                          ModelPf::vf_mac(p, v), options.script, start);
            });
    start.arrive_and_wait();
    const auto began = Clock::now();
    for (auto& t : vfs)
        t.join();
    const auto ended = Clock::now();
    on_loop(io, [&] {
        for (auto& pf : pfs)
            pf->stop();
        guard.reset();
    });
    loop.join();

    RoundResult r;
    r.pfs = options.pfs;
    r.vfs = total;
    r.seconds = std::chrono::duration<double>(ended - began).count();
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
    std::sort(r.answers.begin(), r.answers.end());
    std::sort(r.handshakes.begin(), r.handshakes.end());
    for (const auto& pf : pfs) {
        r.pf_wakeups += pf->stats().wakeups;
        r.pf_requests += pf->stats().requests;
        r.pf_dropped += pf->stats().dropped;
        r.pf_errors += pf->stats().errors;
    }
    return r;
}

}  // namespace sriov::bench
