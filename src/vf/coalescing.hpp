// Interrupt coalescing arithmetic: an interrupt rate as an EITR value, and the adaptive rate.
// Pure functions, no device access; the fact sheet's section 2.8 is the reference.
//
// EITR b14:2 holds the interval, the least time between two interrupts of a vector; b31
// (CNT_IGNR) is always set, as Linux does on the 82576, and 0 means no throttling at all. On the
// 82576 an interval unit is 1 us. QEMU 10.0 throttles for the whole register value times 1.024 us,
// i.e. 4.096 us per interval unit, and when that time is up it sends the vector once more: under
// load a vector then fires twice per interval, so an interval twice as long gives the rate asked.
// The price under QEMU 10.0: a frame that arrives just after an interrupt may wait the whole
// interval, 2 / IF instead of 1 / IF (2 ms for the default lowest rate of 1000/s). In the testbed
// (10 000 frames/s from a paced sender) the rates measured stayed below the rate asked, since
// frames arrive in bursts and a quiet gap costs the second message: fixed 1000/s gave 484/s,
// 4000/s gave 1210/s, 250/s gave 175/s; EITR 0x14 (near no throttling) gave about 4500/s.
#pragma once

#include "sriov/libvf.hpp"

#include <cstdint>

namespace sriov::vf {

// The EITR value that lets at most about `interrupts_per_second` interrupts through under load,
// with CNT_IGNR set. 0 (no throttling) for a rate <= 0; the interval is at least one unit and at
// most eitr::INTERVAL_MAX units (about 122 interrupts/s on silicon, 15/s under QEMU 10.0).
std::uint32_t eitr_for_rate(double interrupts_per_second, EitrTiming timing);

// The interval, in nanoseconds, that the device waits for an EITR value (0 when not throttled).
double eitr_interval_ns(std::uint32_t eitr, EitrTiming timing);

// The adaptive interrupt frequency IF = max(pps / (bufs * safety_ratio), min_rate): under load
// every interrupt carries about bufs * safety_ratio frames, and at low load an interrupt comes at
// least min_rate times a second, which bounds a frame's wait to 1 / min_rate.
// bufs = min(application buffers, RX ring size), see coalescing_buffers.
double adaptive_rate(double frames_per_second, std::uint32_t bufs, double safety_ratio, double min_rate);

// The VTEITR value adaptive mode writes for a measured frame rate. Throttling only pays when an
// interrupt would carry several frames: while frames come no faster than twice min_rate (an
// interval of 1 / min_rate would hold two on average), none is throttled (0), so none waits for
// an interval, at the cost of at most 2 * min_rate interrupts a second. Faster,
// eitr_for_rate(adaptive_rate(...)): IF = max(pps / (bufs * r), lif).
inline constexpr double adaptive_unthrottled_below = 2.0;  // times min_rate
std::uint32_t adaptive_eitr(double frames_per_second, std::uint32_t bufs, const Coalescing& c);

// The VTEITR value a mode starts with: off 0, fixed eitr_for_rate(rate), adaptive 0 (nothing
// measured yet, as when idle; the first period's measurement sets the rate).
std::uint32_t initial_eitr(const Coalescing& c);

// bufs for adaptive_rate: the frames one wake-up may take, the RX ring's size unless the
// application takes fewer (app_buffers > 0).
std::uint32_t coalescing_buffers(std::uint32_t app_buffers, std::uint32_t rx_ring_size);

// Throws sriov::Error(invalid_argument, subject = name) for parameters adaptive_rate and
// eitr_for_rate cannot use: a safety ratio outside (0, 1], min_rate <= 0, a fixed rate <= 0, an
// adapt period <= 0.
void check_coalescing(const Coalescing& c, const std::string& name);

}  // namespace sriov::vf
