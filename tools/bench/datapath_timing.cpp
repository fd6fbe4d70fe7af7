#include "datapath_timing.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <x86intrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

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

// The device thread counts what it did; the libvf thread starts a step only once a full burst is
// there to take (RX: frames delivered; TX: room in the ring after reclaim), waiting outside the
// measured time, so that each measured step does as much as the instruction pass's steps do.
Figures time_one(Mode mode, std::uint32_t burst, const TimingOptions& o)
{
    DatapathRig rig;
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
    struct Totals {
        std::uint64_t packets = 0, ticks = 0, preempted = 0;  // of the steps kept
        std::uint64_t moved = 0;                               // by all steps
    };
    auto run = [&](std::uint64_t packets, std::uint64_t preempted_ticks) {
        Totals t;
        while (t.moved < packets) {
            while (!ready()) {
            }
            const std::uint64_t start = tsc_begin();
            const std::uint32_t n = run_step(mode, rig, bufs, burst);
            const std::uint64_t ticks = tsc_end() - start;
            received += mode != tx ? n : 0;
            sent += mode != rx ? n : 0;
            t.moved += n;
            if (ticks > preempted_ticks) {
                ++t.preempted;
                continue;
            }
            t.packets += n;
            t.ticks += ticks > overhead ? ticks - overhead : 0;
        }
        return t;
    };
    const double hz = tsc_hz();
    run(std::max<std::uint64_t>(o.packets / 10, 1000), ~std::uint64_t{0});  // warm-up: caches, branches
    const auto wall_start = std::chrono::steady_clock::now();
    const Totals t = run(o.packets, static_cast<std::uint64_t>(preempted_seconds * hz));
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    stop = true;
    device.join();
    if (!device_pinned)
        fmt::print(stderr, "bench-datapath: could not pin the device thread to core {}\n", o.device_core);
    Figures f;
    f.mpps = static_cast<double>(t.packets) / (static_cast<double>(t.ticks) / hz) / 1e6;
    f.wall_mpps = static_cast<double>(t.moved) / wall / 1e6;
    f.preempted = t.preempted;
    return f;
}

}  // namespace

void timing_pass(const std::vector<std::uint32_t>& bursts, const TimingOptions& o, Results& results)
{
    if (!pin_to_core(o.libvf_core))
        fmt::print(stderr, "bench-datapath: could not pin the libvf thread to core {}\n", o.libvf_core);
    for (std::uint32_t burst : bursts)
        for (Mode mode : {rx, tx, rxtx}) {
            const Figures f = time_one(mode, burst, o);
            results[burst][mode].mpps = f.mpps;
            results[burst][mode].wall_mpps = f.wall_mpps;
            results[burst][mode].preempted = f.preempted;
        }
}

}  // namespace bench
