// How long sriovd's event loop takes to answer a control request, kept as a Prometheus histogram:
// a count per bucket, the number of answers and their summed time. Observing is a few additions,
// cheap enough for every request. Runs on the event loop only (not thread safe).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sriov::sriovd {

class LatencyHistogram {
public:
    // The buckets' upper bounds in seconds, as text for the `le` label and as numbers. They span
    // 50 us (a show from memory) to 1 s (a kernel driver that is slow to answer rtnetlink).
    struct Bound {
        std::string_view text;
        double seconds;
    };
    static constexpr std::array<Bound, 14> bounds{{{"5e-05", 50e-6},
                                                   {"0.0001", 100e-6},
                                                   {"0.00025", 250e-6},
                                                   {"0.0005", 500e-6},
                                                   {"0.001", 1e-3},
                                                   {"0.0025", 2.5e-3},
                                                   {"0.005", 5e-3},
                                                   {"0.01", 10e-3},
                                                   {"0.025", 25e-3},
                                                   {"0.05", 50e-3},
                                                   {"0.1", 100e-3},
                                                   {"0.25", 250e-3},
                                                   {"0.5", 500e-3},
                                                   {"1", 1.0}}};

    void observe(std::chrono::steady_clock::duration took)
    {
        const double s = std::chrono::duration<double>(took).count();
        std::size_t i = 0;
        while (i < bounds.size() && s > bounds[i].seconds)
            ++i;
        if (i < bounds.size())
            ++in_bucket_[i];
        ++count_;
        sum_seconds_ += s;
    }

    // Answers no slower than bounds[i] (cumulative, as the exposition format wants it).
    std::uint64_t at_most(std::size_t i) const
    {
        std::uint64_t n = 0;
        for (std::size_t j = 0; j <= i && j < bounds.size(); ++j)
            n += in_bucket_[j];
        return n;
    }
    std::uint64_t count() const { return count_; }
    double sum_seconds() const { return sum_seconds_; }

private:
    std::array<std::uint64_t, bounds.size()> in_bucket_{};  // answers above the previous bound, up to this one
    std::uint64_t count_ = 0;
    double sum_seconds_ = 0;
};

}  // namespace sriov::sriovd
