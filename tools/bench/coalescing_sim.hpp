// coalescing-sim's model: one RX queue of a VF whose interrupt is throttled by EITR, the
// application's NAPI-like loop around it, and what that costs, in simulated time (issue 7, part 5).
//
// Everything happens on a simulated clock in nanoseconds, so a run is exact and repeatable: the
// arrivals come from a seeded generator, nothing reads a wall clock.
//
// The device (fact sheet 2.8, and coalescing.hpp for QEMU): a frame written to the ring raises the
// RX cause. While the vector is unmasked, the 82576 (EitrTiming::datasheet) sends an interrupt at
// once if a whole interval has passed since the last one, otherwise when the interval ends if the
// cause is still there. QEMU 10.0 (EitrTiming::qemu_10_0) sends at once when its throttle timer is
// not running and starts the timer; causes raised while it runs are held, and when it ends QEMU
// sends the vector once more whatever the cause or mask. Sending clears the cause (VTEIAC) and,
// on the 82576 only, masks the vector (VTEIAM, which libvf sets and QEMU ignores). The
// ring holds ring_size - 1 frames (libvf posts every slot but one); a frame finding it full is
// dropped, as SRRCTL.DROP_EN does.
//
// The application, as libvf's interrupt mode with vf-pktgen's loop around it: wait() sleeps until
// an interrupt, masks the RX vector and re-measures (adaptive); then rx_burst takes up to `burst`
// frames per call until a call returns none; then rearm() re-measures, clears the cause, takes
// the messages that came meanwhile, unmasks, and wakes the next wait() at once if a frame came
// after the last poll (rx_interrupts.cpp). Not modelled: wait()'s timeout (at these rates an
// interrupt always comes sooner), the mailbox vector, TX.
#pragma once

#include "sriov/libvf.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace coalescing_sim {

// CPU costs, in nanoseconds. The defaults are estimates for a current x86 server core:
// - irq_ns: the host kernel's part of one MSI-X message, VFIO's handler signalling the eventfd
//   (interrupt entry and exit, one eventfd_signal; about a microsecond). Paid for every message,
//   also for those that wake nobody (QEMU's extra one, those taken in rearm()).
// - wake_ns: from the eventfd becoming readable to the application's first rx_burst: the
//   scheduler waking the thread and switching to it, epoll_wait returning, the eventfd reads of
//   take_events and the VTEIMC write (an idle-to-running switch with cold caches costs a few
//   microseconds; thread ping-pong through an eventfd measures 2 to 5 us). Paid per wake-up.
// - poll_ns: one rx_burst call beyond its frames: one descriptor read in DMA memory and the RDT
//   doorbell (a posted write); an empty call costs this too.
// - packet_ns: per frame: libvf's RX work (issue 7's data-path goal is under 100 instructions per
//   packet for RX and TX, some 25 ns) plus the application's first touch of the frame, a cache
//   miss on its header (60 to 80 ns).
struct Costs {
    double irq_ns = 1000;
    double wake_ns = 4000;
    double poll_ns = 30;
    double packet_ns = 100;
};

enum class Arrivals { constant, poisson };

// The DIM-like scheme (Linux's net_dim idea, in our own form): a table of moderation profiles,
// from none to heavy; once per period the application samples the frames and interrupts since the
// last sample, smooths them (exponential moving average, weight `weight` for the new sample) and
// moves at most one profile per sample. net_dim scores a step by the throughput it gave, which
// assumes traffic that answers to latency; the frames here arrive whatever the moderation, so the
// score is the smoothed frames per interrupt against the ring: below `low_share` of the ring
// (little saved per wake-up) one step heavier, above `high_share` (the ring at risk) one step
// lighter. Below `quiet_pps` frames/s moderation is off: wake-ups are then rare anyway, and any
// interval would only add latency.
struct Dim {
    std::vector<double> profiles{0, 20000, 8000, 4000, 2000, 1000};  // interrupts/s; 0: EITR 0
    double period_ms = 20;
    double weight = 0.5;
    double quiet_pps = 5000;
    double low_share = 0.25;
    double high_share = 0.5;
};

enum class Scheme { off, fixed, adaptive, dim };

struct Params {
    Arrivals arrivals = Arrivals::poisson;
    double rate = 1000;            // offered frames per second
    std::uint64_t seed = 1;        // the Poisson generator's seed
    double duration_s = 2;         // frames arrive during [0, duration_s) ...
    std::uint64_t count = 0;       // ... or, when above 0, exactly this many frames
    double warmup_s = 0.5;         // what happens before this is not counted (adaptive settles)
    std::uint32_t ring_size = 512; // RX descriptors (libvf's default)
    std::uint32_t burst = 32;      // frames per rx_burst call (vf-pktgen's burst)
    Scheme scheme = Scheme::adaptive;
    // off/fixed/adaptive as libvf's Config::coalescing (mode is taken from `scheme`); the timing
    // also decides how the device throttles. dim uses `timing` and `dim`.
    sriov::vf::Coalescing coalescing;
    Dim dim;
    Costs costs;
    // A message less than this after the last one, while the application has not yet gone back
    // to sleep, is the same interrupt: a second edge while the first is still pending in the
    // (guest's) interrupt controller adds nothing. 0: every message counts, as on a host that
    // takes MSI-X at once; a slow TCG guest takes them late.
    double merge_ns = 0;
};

struct Result {
    double seconds = 0;             // the measured window
    std::uint64_t offered = 0;      // frames that arrived in the window
    std::uint64_t delivered = 0;    // of those, taken by rx_burst
    std::uint64_t dropped = 0;      // of those, dropped at a full ring
    std::uint64_t interrupts = 0;   // MSI-X messages sent in the window
    std::uint64_t wakeups = 0;      // wait() returning in the window
    std::uint64_t polls = 0;        // rx_burst calls in the window
    double cpu_ns = 0;              // the cost model's total in the window
    double p50_ns = 0, p95_ns = 0, p99_ns = 0;  // latency: device write to the rx_burst returning it
    std::uint32_t last_eitr = 0;    // the RX vector's EITR at the end

    double interrupts_per_s() const { return seconds > 0 ? static_cast<double>(interrupts) / seconds : 0; }
    double throughput() const { return offered ? static_cast<double>(delivered) / static_cast<double>(offered) : 1; }
    double frames_per_interrupt() const
    {
        return interrupts ? static_cast<double>(delivered) / static_cast<double>(interrupts) : 0;
    }
    double cpu_per_packet_ns() const { return delivered ? cpu_ns / static_cast<double>(delivered) : 0; }
};

Result simulate(const Params& p);

// 1 GbE line rate: 64-byte frames with preamble and inter-frame gap, 84 bytes each.
constexpr double line_rate_1g = 1e9 / (84.0 * 8.0);

const char* name(Scheme s);
const char* name(Arrivals a);

}  // namespace coalescing_sim
