#include "datapath_timing.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <x86intrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <thread>
#include <vector>

namespace bench {

using sriov::vf::PacketBuffer;

namespace {

bool pin_to_core(int core)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// The time-stamp counter's ticks per second, against the steady clock over 50 ms of spinning.
double tsc_hz()
{
    const auto start = std::chrono::steady_clock::now();
    const std::uint64_t tsc_start = __rdtsc();
    while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(50)) {
    }
    const std::uint64_t ticks = __rdtsc() - tsc_start;
    return static_cast<double>(ticks) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Reads of the time-stamp counter that the timed code cannot be moved across by the processor's
// out-of-order execution: LFENCE before and after the first read, RDTSCP (after everything
// before it) and LFENCE for the second.
std::uint64_t tsc_begin()
{
    _mm_lfence();
    const std::uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}

std::uint64_t tsc_end()
{
    unsigned core;
    const std::uint64_t t = __rdtscp(&core);
    _mm_lfence();
    return t;
}

// Ticks that a begin/end pair around nothing costs: taken off each step.
std::uint64_t tsc_overhead()
{
    std::uint64_t best = ~std::uint64_t{0};
    for (int i = 0; i < 1000; ++i) {
        const std::uint64_t a = tsc_begin();
        best = std::min(best, tsc_end() - a);
    }
    return best;
}

// How long the libvf thread waits for the device, or keeps moving no frame, before the run is
// given up as broken: far beyond any scheduling delay on a busy machine.
constexpr auto stall_timeout = std::chrono::seconds(10);

// The device thread counts what it did; the libvf thread starts a step only once a full burst is
// there to take (RX: frames delivered; TX: room in the ring after reclaim), waiting outside the
// measured time, so that each measured step does as much as the instruction pass's steps do.
// nullopt (said on stderr) when the frames stopped moving: a functional error.
std::optional<Figures> time_one(Subject subject, Mode mode, std::uint32_t burst, const TimingOptions& o,
                                sriov::vf::DataPath path)
{
    DatapathRig rig(path);
    std::atomic<bool> stop{false};
    std::atomic<bool> device_pinned{true};
    std::atomic<std::uint64_t> delivered{0}, completed{0};
    std::thread device([&] {
        device_pinned = pin_to_core(o.device_core);
        std::uint64_t rx_done = 0, tx_done = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            if (mode != tx)
                delivered.store(rx_done += rig.device_rx(DatapathRig::ring_size), std::memory_order_release);
            if (mode != rx)
                completed.store(tx_done += rig.device_tx(), std::memory_order_release);
        }
    });
    PacketBuffer* bufs[max_burst];
    std::uint64_t received = 0, sent = 0;
    const std::uint64_t overhead = tsc_overhead();
    auto ready = [&] {
        if (mode != tx && delivered.load(std::memory_order_acquire) - received < burst)
            return false;
        // After reclaim the ring (one slot always empty) must have room for the whole burst.
        return mode == rx || sent - completed.load(std::memory_order_acquire) + burst < DatapathRig::ring_size;
    };
    // Each measured step's ticks (each step moves a full burst); the median is the figure, so that
    // steps slowed by an interrupt, a preemption or caches cooled by another process on the core
    // do not count.
    std::vector<std::uint32_t> step_ticks;
    std::uint64_t moved = 0, short_steps = 0;
    // Spins waiting and steps that moved nothing since a frame last moved; the clock is read only
    // every 64 Ki of them, so that watching for a stall costs the measured loop nothing.
    std::uint64_t idle = 0;
    std::chrono::steady_clock::time_point idle_since;
    bool stalled = false;
    auto still_moving = [&] {
        if (++idle % 65536 != 0)
            return true;
        const auto now = std::chrono::steady_clock::now();
        if (idle == 65536)
            idle_since = now;
        stalled = now - idle_since > stall_timeout;
        return !stalled;
    };
    auto run = [&](std::uint64_t packets) {
        step_ticks.clear();
        short_steps = 0;
        for (moved = 0; moved < packets && !stalled;) {
            while (!ready() && still_moving()) {
            }
            if (stalled)
                break;
            const std::uint64_t start = tsc_begin();
            const std::uint32_t n = run_step(subject, mode, rig, bufs, burst);
            const std::uint64_t ticks = tsc_end() - start;
            received += mode != tx ? n : 0;
            sent += mode != rx ? n : 0;
            moved += n;
            if (n == 0)
                still_moving();
            else
                idle = 0;
            if (n != burst)
                ++short_steps;
            if (step_ticks.size() < step_ticks.capacity())
                step_ticks.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(ticks, UINT32_MAX)));
        }
    };
    step_ticks.reserve(o.packets / burst + 1);  // allocated before anything is measured
    const double hz = tsc_hz();
    run(std::max<std::uint64_t>(o.packets / 10, 1000));  // warm-up: caches, branches
    const auto wall_start = std::chrono::steady_clock::now();
    run(o.packets);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    stop = true;
    device.join();
    if (!device_pinned)
        fmt::print(stderr, "bench-datapath: could not pin the device thread to core {}\n", o.device_core);
    if (stalled) {
        fmt::print(stderr,
                   "bench-datapath: frames not delivered, {} {} at burst {}: nothing moved for {} s (the device "
                   "delivered {} and completed {}; libvf received {} and sent {})\n",
                   subject_titles[subject], mode_titles[mode], burst, stall_timeout.count(), delivered.load(),
                   completed.load(), received, sent);
        return std::nullopt;
    }
    if (short_steps)
        fmt::print(stderr, "bench-datapath: {} {} at burst {}: {} steps moved less than a full burst\n",
                   subject_titles[subject], mode_titles[mode], burst, short_steps);
    auto middle = step_ticks.begin() + static_cast<std::ptrdiff_t>(step_ticks.size() / 2);
    std::nth_element(step_ticks.begin(), middle, step_ticks.end());
    const double median = static_cast<double>(*middle > overhead ? *middle - overhead : 1);
    Figures f;
    f.mpps = burst / (median / hz) / 1e6;
    f.wall_mpps = static_cast<double>(moved) / wall / 1e6;
    return f;
}

}  // namespace

bool timing_pass(const std::vector<std::uint32_t>& bursts, const TimingOptions& o, sriov::vf::DataPath path,
                 Results& results)
{
    if (!pin_to_core(o.libvf_core))
        fmt::print(stderr, "bench-datapath: could not pin the libvf thread to core {}\n", o.libvf_core);
    bool ok = true;
    // The subjects of one mode and burst one after the other, so that what other processes do to
    // the machine meanwhile falls on their comparison as little as it can.
    for (std::uint32_t burst : bursts)
        for (Mode mode : {rx, tx, rxtx})
            for (Subject subject : subjects) {
                const std::optional<Figures> f = time_one(subject, mode, burst, o, path);
                if (!f) {
                    ok = false;
                    continue;
                }
                results[burst][subject][mode].mpps = f->mpps;
                results[burst][subject][mode].wall_mpps = f->wall_mpps;
            }
    return ok;
}

}  // namespace bench
