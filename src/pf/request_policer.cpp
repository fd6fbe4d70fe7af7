#include "pf/request_policer.hpp"

#include <fmt/format.h>

namespace sriov::pf {

RequestPolicer::RequestPolicer(unsigned num_vfs, PolicingLimits limits)
    : limits_(limits), vfs_(num_vfs, PerVf{TokenBucket(limits.requests_per_s, limits.burst), {}, 0, 0, 0, {}})
{
}

void RequestPolicer::roll_window(PerVf& v, Clock::time_point now) const
{
    if (v.window_start == Clock::time_point{} || now - v.window_start >= limits_.window) {
        v.window_start = now;
        v.malformed = v.refused = v.dropped = 0;
    }
}

void RequestPolicer::resize(unsigned num_vfs)
{
    vfs_.assign(num_vfs, PerVf{TokenBucket(limits_.requests_per_s, limits_.burst), {}, 0, 0, 0, {}});
}

bool RequestPolicer::admit(unsigned vf, Clock::time_point now)
{
    PerVf& v = vfs_.at(vf);
    roll_window(v, now);
    ++v.totals.requests;
    if (v.bucket.take(now))
        return true;
    ++v.dropped;
    ++v.totals.dropped;
    return false;
}

void RequestPolicer::record(unsigned vf, RequestResult result)
{
    PerVf& v = vfs_.at(vf);
    switch (result) {
    case RequestResult::served: break;
    case RequestResult::refused:
        ++v.refused;
        ++v.totals.refused;
        break;
    case RequestResult::malformed:
        ++v.malformed;
        ++v.totals.malformed;
        break;
    }
}

std::optional<std::string> RequestPolicer::offence(unsigned vf) const
{
    const PerVf& v = vfs_.at(vf);
    const auto over = [](unsigned count, unsigned limit) { return limit != 0 && count > limit; };
    const long window_s = static_cast<long>(limits_.window.count());
    if (over(v.malformed, limits_.max_malformed))
        return fmt::format("{} malformed requests within {} s (limit {})", v.malformed, window_s,
                           limits_.max_malformed);
    if (over(v.refused, limits_.max_refused))
        return fmt::format("{} refused requests within {} s (limit {})", v.refused, window_s, limits_.max_refused);
    if (over(v.dropped, limits_.max_dropped))
        return fmt::format("{} requests over its rate of {}/s within {} s (limit {})", v.dropped,
                           limits_.requests_per_s, window_s, limits_.max_dropped);
    return std::nullopt;
}

void RequestPolicer::forgive(unsigned vf, Clock::time_point now, bool quarantined)
{
    PerVf& v = vfs_.at(vf);
    if (quarantined)
        ++v.totals.quarantines;
    v.window_start = now;
    v.malformed = v.refused = v.dropped = 0;
    v.bucket.fill(now);
}

}  // namespace sriov::pf
