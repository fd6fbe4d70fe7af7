// coalescing-sim: the RX vector's interrupt throttling as the 82576 or QEMU 10.0 does it (see
// coalescing_sim.hpp for the behaviour). Time in simulated nanoseconds.
#pragma once

#include "sriov/libvf.hpp"
#include "vf/coalescing.hpp"

#include <cstdint>
#include <limits>

namespace coalescing_sim {

class ThrottledVector {
public:
    static constexpr double never = std::numeric_limits<double>::infinity();

    explicit ThrottledVector(sriov::vf::EitrTiming timing) : timing_(timing) {}

    // A new EITR value. The 82576 measures the next interval from the last interrupt with it;
    // QEMU's running timer keeps the end it was given.
    void set_eitr(std::uint32_t eitr)
    {
        eitr_ = eitr;
        interval_ns_ = sriov::vf::eitr_interval_ns(eitr, timing_);
        if (!qemu() && timer_end_ != never)
            timer_end_ = last_sent_ + interval_ns_;
    }
    std::uint32_t eitr() const { return eitr_; }

    // Each returns whether a message was sent at `now`.
    bool raise(double now)
    {
        cause_ = true;
        return try_send(now);
    }
    bool unmask(double now)
    {
        unmasked_ = true;
        return try_send(now);
    }
    void mask() { unmasked_ = false; }
    void clear_cause() { cause_ = false; }

    // When the throttle interval ends (never if no timer runs), and what happens then.
    double timer_end() const { return timer_end_; }
    bool on_timer(double now)
    {
        timer_end_ = never;
        if (qemu()) {  // QEMU sends the vector again, whatever the cause or the mask
            send(now);
            return true;
        }
        return try_send(now);
    }

private:
    bool qemu() const { return timing_ == sriov::vf::EitrTiming::qemu_10_0; }

    bool try_send(double now)
    {
        if (!cause_ || !unmasked_)
            return false;
        if (qemu()) {
            if (timer_end_ != never)
                return false;  // held until the timer ends
            send(now);
            if (interval_ns_ > 0)
                timer_end_ = now + interval_ns_;
            return true;
        }
        if (interval_ns_ > 0 && now < last_sent_ + interval_ns_) {
            timer_end_ = last_sent_ + interval_ns_;
            return false;
        }
        send(now);
        return true;
    }
    void send(double now)
    {
        last_sent_ = now;
        cause_ = false;  // VTEIAC: the cause clears when its message is sent
        if (!qemu())
            unmasked_ = false;  // VTEIAM: the 82576 masks the vector too (QEMU ignores it)
    }

    sriov::vf::EitrTiming timing_;
    std::uint32_t eitr_ = 0;
    double interval_ns_ = 0;
    bool cause_ = false;
    bool unmasked_ = true;
    double last_sent_ = -never;
    double timer_end_ = never;
};

}  // namespace coalescing_sim
