// coalescing-sim: the DIM-like moderation scheme (see Dim in coalescing_sim.hpp). It samples at
// the same points as libvf's adaptive scheme, wait() and rearm(), once per period.
#pragma once

#include "coalescing_sim.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace coalescing_sim {

class DimModerator {
public:
    DimModerator(const Dim& d, std::uint32_t ring_size) : dim_(d), ring_(ring_size) {}

    // The profile now in use (an index into Dim::profiles) and its interrupt rate (0: none).
    std::size_t profile() const { return profile_; }
    double rate() const { return dim_.profiles[profile_]; }

    // Called with the totals so far; returns whether the profile changed.
    bool sample(double now_ns, std::uint64_t frames, std::uint64_t interrupts)
    {
        const double elapsed = now_ns - sampled_at_;
        if (elapsed < dim_.period_ms * 1e6)
            return false;
        const double pps = static_cast<double>(frames - frames_) * 1e9 / elapsed;
        const double per_interrupt
            = static_cast<double>(frames - frames_) / static_cast<double>(std::max<std::uint64_t>(interrupts - interrupts_, 1));
        sampled_at_ = now_ns;
        frames_ = frames;
        interrupts_ = interrupts;
        pps_ = first_ ? pps : dim_.weight * pps + (1 - dim_.weight) * pps_;
        per_interrupt_ = first_ ? per_interrupt : dim_.weight * per_interrupt + (1 - dim_.weight) * per_interrupt_;
        first_ = false;

        const std::size_t before = profile_;
        const std::size_t heaviest = dim_.profiles.size() - 1;
        if (pps_ < dim_.quiet_pps)
            profile_ = 0;
        else if (per_interrupt_ > dim_.high_share * ring_ && profile_ > 0)
            --profile_;
        else if (per_interrupt_ < dim_.low_share * ring_ && profile_ < heaviest)
            ++profile_;
        return profile_ != before;
    }

private:
    Dim dim_;
    double ring_;
    std::size_t profile_ = 0;
    double sampled_at_ = 0;
    std::uint64_t frames_ = 0;
    std::uint64_t interrupts_ = 0;
    bool first_ = true;
    double pps_ = 0;
    double per_interrupt_ = 0;
};

}  // namespace coalescing_sim
