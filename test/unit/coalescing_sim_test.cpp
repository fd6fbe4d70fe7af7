// coalescing-sim's model (tools/bench/coalescing_sim.hpp) against cases worked out by hand.
// The default costs: 1000 ns per MSI-X message, 4000 ns per wake-up, 30 ns per rx_burst call,
// 100 ns per frame; a frame's latency runs from its arrival to the rx_burst call returning it.
#include "coalescing_sim.hpp"
#include "vf/coalescing.hpp"

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

using namespace coalescing_sim;
using Catch::Approx;
using sriov::vf::EitrTiming;

namespace {

Params constant(double rate, Scheme scheme)
{
    Params p;
    p.arrivals = Arrivals::constant;
    p.rate = rate;
    p.scheme = scheme;
    return p;
}

}  // namespace

TEST_CASE("coalescing-sim: EITR 0 at 1000 frames/s gives an interrupt per frame, each waiting one wake-up")
{
    const Result r = simulate(constant(1000, Scheme::off));
    // Window 0.5 s to 2 s: frames at 500, 501, ... 1999 ms.
    CHECK(r.offered == 1500);
    CHECK(r.delivered == 1500);
    CHECK(r.interrupts_per_s() == Approx(1000));
    // Message, then wake-up: 1000 + 4000 ns, for every frame.
    CHECK(r.p50_ns == Approx(5000));
    CHECK(r.p99_ns == Approx(5000));
    // Per frame: a message, a wake-up, two rx_burst calls (one frame, then none) and the frame.
    CHECK(r.cpu_per_packet_ns() == Approx(1000 + 4000 + 2 * 30 + 100));
}

TEST_CASE("coalescing-sim: a fixed 4000/s with 16 000 frames/s gives 4000 interrupts/s of 4 frames")
{
    Params p = constant(16000, Scheme::fixed);
    p.coalescing.rate = 4000;  // 250 us on the 82576
    const Result r = simulate(p);
    // Frames every 62.5 us; an interrupt each 250 us takes the frames of 62.5, 125, 187.5 and 250 us
    // after the last one.
    CHECK(r.interrupts_per_s() == Approx(4000));
    CHECK(r.frames_per_interrupt() == Approx(4));
    CHECK(r.throughput() == 1.0);
    // They waited 187.5, 125, 62.5 and 0 us for it, plus the 5 us to the first rx_burst: a
    // quarter each of 192.5, 130, 67.5 and 5 us.
    CHECK(r.p50_ns == Approx(62500 + 5000));
    CHECK(r.p95_ns == Approx(187500 + 5000));
}

TEST_CASE("coalescing-sim: frames that find the ring full are dropped")
{
    Params p = constant(1e6, Scheme::off);
    p.count = 11;  // frames at 0, 1, ... 10 us
    p.warmup_s = 0;
    p.ring_size = 8;  // holds 7 frames
    p.costs = Costs{.irq_ns = 0, .wake_ns = 10000, .poll_ns = 0, .packet_ns = 0};
    const Result r = simulate(p);
    // The application wakes at 10 us; by then frames 0..6 filled the ring and 7..10 were dropped.
    CHECK(r.offered == 11);
    CHECK(r.delivered == 7);
    CHECK(r.dropped == 4);
    CHECK(r.throughput() == Approx(7.0 / 11));
}

TEST_CASE("coalescing-sim: libvf's adaptive rate at 1 GbE line rate, re-measured every period")
{
    Params p = constant(line_rate_1g, Scheme::adaptive);
    // bufs = the 512-descriptor ring, r = 0.5: 256 frames per interrupt, 1 488 095 / 256 = 5813/s;
    // eitr_for_rate rounds the interval to 172 us, 5814/s.
    const Result r = simulate(p);
    CHECK(r.interrupts_per_s() == Approx(1e6 / 172).epsilon(0.02));
    CHECK(r.frames_per_interrupt() == Approx(256).epsilon(0.02));
    CHECK(r.dropped == 0);
    // From idle it starts unthrottled (nothing measured yet), so the poll loop keeps up during
    // the first 20 ms too, until the first measurement throttles it; throttled at lif from the
    // start instead, 1 ms would hold 1488 frames, more than the ring's 511.
    p.warmup_s = 0;
    CHECK(simulate(p).dropped == 0);
}

TEST_CASE("coalescing-sim: QEMU 10.0 sends once more when the interval ends")
{
    // One frame, fixed 1000/s: QEMU's interval is 2 ms (eitr_for_rate doubles it for QEMU); the
    // frame's message starts it and its end sends a second message with nothing to take.
    Params p = constant(1000, Scheme::fixed);
    p.coalescing.rate = 1000;
    p.count = 1;
    p.warmup_s = 0;
    p.coalescing.timing = EitrTiming::qemu_10_0;
    Result r = simulate(p);
    CHECK(r.interrupts == 2);
    CHECK(r.wakeups == 2);
    CHECK(r.delivered == 1);
    p.coalescing.timing = EitrTiming::datasheet;
    r = simulate(p);
    CHECK(r.interrupts == 1);
    CHECK(r.wakeups == 1);
}

TEST_CASE("coalescing-sim: under QEMU 10.0 a fixed 1000/s at 1000 frames/s holds every other frame")
{
    // The interval is 0x7A0 * 1.024 us = 1998.848 us. A frame at 0 is sent at once; the frame at
    // 1 ms is held until 1998.848 us; the frame at 2 ms is sent at once, and so on: 1000
    // messages/s, half the frames waiting 998.848 us more than the 5 us of a wake-up.
    Params p = constant(1000, Scheme::fixed);
    p.coalescing.rate = 1000;
    p.coalescing.timing = EitrTiming::qemu_10_0;
    const Result r = simulate(p);
    CHECK(r.interrupts_per_s() == Approx(1000).epsilon(0.01));
    CHECK(r.p99_ns == Approx(1998848 - 1000000 + 5000));
    CHECK(r.delivered == r.offered);
}

TEST_CASE("coalescing-sim: the DIM-like scheme is off at low load and settles where the ring is safe")
{
    // 1000 frames/s is below quiet_pps: EITR 0, the latency of no coalescing.
    Result r = simulate(constant(1000, Scheme::dim));
    CHECK(r.last_eitr == 0);
    CHECK(r.p95_ns == Approx(5000));
    // Line rate, 512 descriptors: 20 000/s would carry 74 frames per interrupt (under a quarter of
    // the ring, 128), 4000/s 372 (over half, 256), 8000/s 186: it settles on 8000/s.
    r = simulate(constant(line_rate_1g, Scheme::dim));
    CHECK(r.last_eitr == sriov::vf::eitr_for_rate(8000, EitrTiming::datasheet));
    CHECK(r.interrupts_per_s() == Approx(8000).epsilon(0.01));
    CHECK(r.dropped == 0);
}

TEST_CASE("coalescing-sim: the same seed gives the same Poisson run")
{
    Params p;
    p.arrivals = Arrivals::poisson;
    p.rate = 8000;
    const Result a = simulate(p), b = simulate(p);
    CHECK(a.offered == b.offered);
    CHECK(a.interrupts == b.interrupts);
    CHECK(a.p99_ns == b.p99_ns);
    p.seed = 2;
    CHECK(simulate(p).offered != a.offered);
}
