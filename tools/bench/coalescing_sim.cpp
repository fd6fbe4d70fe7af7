#include "coalescing_sim.hpp"

#include "coalescing_sim_device.hpp"
#include "coalescing_sim_dim.hpp"
#include "vf/coalescing.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <random>
#include <stdexcept>

namespace coalescing_sim {

namespace vf = sriov::vf;  // libvf's coalescing arithmetic

const char* name(Scheme s)
{
    switch (s) {
    case Scheme::off: return "off";
    case Scheme::fixed: return "fixed";
    case Scheme::adaptive: return "adaptive";
    case Scheme::dim: return "dim";
    }
    return "?";
}

const char* name(Arrivals a) { return a == Arrivals::constant ? "constant" : "poisson"; }

namespace {

// Frame arrival times: constant spacing from 0, or a Poisson process (exponential gaps drawn by
// inversion from a 64-bit Mersenne Twister, whose output the standard fixes).
class ArrivalSource {
public:
    explicit ArrivalSource(const Params& p) : p_(p), gen_(p.seed) { next_ = p.arrivals == Arrivals::constant ? 0 : gap(); }

    double next() const { return done() ? ThrottledVector::never : next_; }
    void advance()
    {
        ++emitted_;
        next_ = p_.arrivals == Arrivals::constant ? static_cast<double>(emitted_) * 1e9 / p_.rate : next_ + gap();
    }

private:
    bool done() const { return p_.count > 0 ? emitted_ >= p_.count : next_ >= p_.duration_s * 1e9; }
    double gap()
    {
        const double u = static_cast<double>(gen_() >> 11) * 0x1.0p-53;  // [0, 1)
        return -std::log1p(-u) * 1e9 / p_.rate;
    }

    const Params& p_;
    std::mt19937_64 gen_;
    std::uint64_t emitted_ = 0;
    double next_ = 0;
};

class Simulation {
public:
    explicit Simulation(const Params& p)
        : p_(p), arrivals_(p), vector_(p.coalescing.timing),
          bufs_(vf::coalescing_buffers(p.coalescing.app_buffers, p.ring_size))
    {
        if (!(p.rate > 0) || p.ring_size < 2 || p.burst == 0)
            throw std::invalid_argument("coalescing-sim: the rate, ring size and burst must be above 0 (ring at least 2)");
        window_end_ = p.count > 0 ? ThrottledVector::never : p.duration_s * 1e9;
        if (p.scheme == Scheme::fixed)
            vector_.set_eitr(vf::eitr_for_rate(p.coalescing.rate, p.coalescing.timing));
        if (p.scheme == Scheme::adaptive) {  // as RxInterrupts::start
            vf::Coalescing adaptive = p.coalescing;
            adaptive.mode = vf::Coalescing::Mode::adaptive;
            vector_.set_eitr(vf::initial_eitr(adaptive));
        }
        if (p.scheme == Scheme::dim)
            dim_.emplace(p.dim, p.ring_size);
    }

    Result run()
    {
        for (;;) {
            const double arrival = arrivals_.next();
            const double timer = vector_.timer_end();
            const double app = app_at_;
            const double now = std::min({arrival, timer, app});
            if (now == ThrottledVector::never)
                break;
            if (now == arrival)
                on_arrival(now);
            else if (now == timer)
                sent(now, vector_.on_timer(now));
            else
                on_app(now);
        }
        finish();
        return r_;
    }

private:
    enum class App { sleeping, waking, polling, rearming };

    bool counted(double t) const { return t >= p_.warmup_s * 1e9 && t < window_end_; }
    void cpu(double t, double ns)
    {
        if (counted(t))
            r_.cpu_ns += ns;
    }

    void on_arrival(double now)
    {
        arrivals_.advance();
        r_.offered += counted(now);
        if (ring_.size() >= p_.ring_size - 1) {
            r_.dropped += counted(now);
            return;
        }
        ring_.push_back(now);
        sent(now, vector_.raise(now));
    }

    // A message on the RX vector's eventfd: it wakes a sleeping application.
    void sent(double now, bool message)
    {
        if (!message || (app_ != App::sleeping && now < last_message_ + p_.merge_ns))
            return;
        last_message_ = now;
        r_.interrupts += counted(now);
        ++interrupts_;
        cpu(now, p_.costs.irq_ns);
        if (app_ == App::sleeping) {
            app_ = App::waking;
            app_at_ = now + p_.costs.irq_ns + p_.costs.wake_ns;
        }
    }

    void on_app(double now)
    {
        switch (app_) {
        case App::sleeping: break;
        case App::waking:  // wait() returns: mask the RX vector, re-measure, start polling
            r_.wakeups += counted(now);
            cpu(now, p_.costs.wake_ns);
            vector_.mask();
            adapt(now);
            app_ = App::polling;
            break;
        case App::polling: {
            const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(p_.burst, ring_.size()));
            r_.polls += counted(now);
            for (std::uint32_t i = 0; i < n; ++i) {
                const double arrived = ring_.front();
                ring_.pop_front();
                ++frames_;
                if (counted(arrived)) {
                    ++r_.delivered;
                    latencies_.push_back(now - arrived);
                }
            }
            const double cost = p_.costs.poll_ns + n * p_.costs.packet_ns;
            cpu(now, cost);
            app_at_ = now + cost;
            if (n == 0)
                app_ = App::rearming;
            return;
        }
        case App::rearming:  // rearm(): re-measure, clear, unmask; a frame already there wakes at once
            adapt(now);
            vector_.clear_cause();
            app_ = App::sleeping;
            app_at_ = ThrottledVector::never;
            sent(now, vector_.unmask(now));
            if (app_ == App::sleeping && !ring_.empty()) {
                app_ = App::waking;
                app_at_ = now + p_.costs.wake_ns;
            }
            return;
        }
        app_at_ = now;
    }

    // libvf's RxInterrupts::adapt with its own arithmetic, or the DIM-like scheme's sample.
    void adapt(double now)
    {
        if (dim_) {
            if (dim_->sample(now, frames_, interrupts_))
                vector_.set_eitr(vf::eitr_for_rate(dim_->rate(), p_.coalescing.timing));
            return;
        }
        if (p_.scheme != Scheme::adaptive)
            return;
        const double elapsed = now - measured_at_;
        if (elapsed < static_cast<double>(p_.coalescing.adapt_period.count()) * 1e6)
            return;
        const double pps = static_cast<double>(frames_ - measured_frames_) * 1e9 / elapsed;
        measured_at_ = now;
        measured_frames_ = frames_;
        const std::uint32_t eitr = vf::adaptive_eitr(pps, bufs_, p_.coalescing);
        if (eitr != vector_.eitr())
            vector_.set_eitr(eitr);
    }

    void finish()
    {
        // With a frame count instead of a duration, the window lasts count / rate (20 000 frames
        // at 10 000/s: 2 s), the frames' drain after it included.
        const double end = p_.count > 0 ? static_cast<double>(p_.count) * 1e9 / p_.rate : window_end_;
        r_.seconds = std::max(end - p_.warmup_s * 1e9, 0.0) / 1e9;
        r_.last_eitr = vector_.eitr();
        if (latencies_.empty())
            return;
        auto pct = [&](double q) {  // nearest rank
            const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(latencies_.size()))) - 1;
            std::nth_element(latencies_.begin(), latencies_.begin() + static_cast<std::ptrdiff_t>(k), latencies_.end());
            return latencies_[k];
        };
        r_.p50_ns = pct(0.50);
        r_.p95_ns = pct(0.95);
        r_.p99_ns = pct(0.99);
    }

    const Params& p_;
    ArrivalSource arrivals_;
    ThrottledVector vector_;
    std::optional<DimModerator> dim_;
    std::uint32_t bufs_;
    std::deque<double> ring_;  // arrival times of the frames in the ring
    App app_ = App::sleeping;
    double app_at_ = ThrottledVector::never;
    double window_end_ = 0;
    std::uint64_t frames_ = 0;      // frames taken so far (the RX queue's count)
    std::uint64_t interrupts_ = 0;  // messages so far
    double last_message_ = -ThrottledVector::never;
    double measured_at_ = 0;
    std::uint64_t measured_frames_ = 0;
    std::vector<double> latencies_;
    Result r_;
};

}  // namespace

Result simulate(const Params& p)
{
    return Simulation(p).run();
}

}  // namespace coalescing_sim
