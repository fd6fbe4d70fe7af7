// A token bucket: at most `burst` events at once, and `rate` per second on average. sriovd uses it
// to bound how fast a VF may send requests (request_policer.hpp) and how fast one VF may fill the
// log. Time is passed in, so tests drive it without sleeping.
#pragma once

#include <algorithm>
#include <chrono>

namespace sriov::pf {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    // rate: tokens added per second; burst: the most the bucket holds (and holds at first).
    TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

    // Takes one token if there is one. Never throws.
    bool take(Clock::time_point now) noexcept
    {
        refill(now);
        if (tokens_ < 1.0)
            return false;
        tokens_ -= 1.0;
        return true;
    }

    // Fills the bucket up (an operator forgave the VF). Never throws.
    void fill(Clock::time_point now) noexcept
    {
        tokens_ = burst_;
        last_ = now;
    }

private:
    void refill(Clock::time_point now) noexcept
    {
        if (last_ == Clock::time_point{} || now < last_) {
            last_ = now;
            return;
        }
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
        last_ = now;
    }

    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point last_{};
};

}  // namespace sriov::pf
