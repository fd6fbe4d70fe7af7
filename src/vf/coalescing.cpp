#include "vf/coalescing.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace sriov::vf {

namespace e = e82576;

namespace {

// Nanoseconds per b14:2 unit, and interrupts per interval under load (fact sheet 2.8).
double unit_ns(EitrTiming timing) { return timing == EitrTiming::qemu_10_0 ? 4096.0 : 1000.0; }
double interrupts_per_interval(EitrTiming timing) { return timing == EitrTiming::qemu_10_0 ? 2.0 : 1.0; }

}  // namespace

std::uint32_t eitr_for_rate(double interrupts_per_second, EitrTiming timing)
{
    if (!(interrupts_per_second > 0))
        return 0;
    const double interval_ns = 1e9 * interrupts_per_interval(timing) / interrupts_per_second;
    const double units = std::clamp(std::round(interval_ns / unit_ns(timing)), 1.0,
                                    static_cast<double>(e::eitr::INTERVAL_MAX));
    return static_cast<std::uint32_t>(units) << e::eitr::INTERVAL_SHIFT | e::eitr::CNT_IGNR;
}

double eitr_interval_ns(std::uint32_t eitr, EitrTiming timing)
{
    const std::uint32_t units = (eitr >> e::eitr::INTERVAL_SHIFT) & e::eitr::INTERVAL_MAX;
    return units * unit_ns(timing);
}

double adaptive_rate(double frames_per_second, std::uint32_t bufs, double safety_ratio, double min_rate)
{
    const double per_interrupt = std::max(1.0, bufs * safety_ratio);
    return std::max(std::max(frames_per_second, 0.0) / per_interrupt, min_rate);
}

std::uint32_t adaptive_eitr(double frames_per_second, std::uint32_t bufs, const Coalescing& c)
{
    if (!(frames_per_second > adaptive_unthrottled_below * c.min_rate))
        return 0;
    return eitr_for_rate(adaptive_rate(frames_per_second, bufs, c.safety_ratio, c.min_rate), c.timing);
}

std::uint32_t initial_eitr(const Coalescing& c)
{
    return c.mode == Coalescing::Mode::fixed ? eitr_for_rate(c.rate, c.timing) : 0;
}

std::uint32_t coalescing_buffers(std::uint32_t app_buffers, std::uint32_t rx_ring_size)
{
    return app_buffers == 0 ? rx_ring_size : std::min(app_buffers, rx_ring_size);
}

void check_coalescing(const Coalescing& c, const std::string& name)
{
    if (c.mode == Coalescing::Mode::fixed && !(c.rate > 0))
        throw Error(Errc::invalid_argument, name,
                    fmt::format("a fixed interrupt rate of {}/s: it must be above 0 (use off for none)", c.rate));
    if (c.mode != Coalescing::Mode::adaptive)
        return;
    if (!(c.safety_ratio > 0 && c.safety_ratio <= 1))
        throw Error(Errc::invalid_argument, name,
                    fmt::format("an adaptive safety ratio of {}: it must be above 0 and at most 1", c.safety_ratio));
    if (!(c.min_rate > 0))
        throw Error(Errc::invalid_argument, name,
                    fmt::format("a lowest interrupt rate of {}/s: it must be above 0", c.min_rate));
    if (c.adapt_period.count() <= 0)
        throw Error(Errc::invalid_argument, name, "the adaptive period must be above 0 ms");
}

}  // namespace sriov::vf
