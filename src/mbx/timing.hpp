// How long mailbox operations may wait, and how often they look.
//
// Every wait in the mailbox is bounded: a peer that never answers, or holds the buffer lock
// forever, ends in an sriov::Error (Errc::timeout) naming what was waited for.
#pragma once

#include <chrono>

namespace sriov::mbx {

struct Timing {
    // Longest wait for one step (the lock, an acknowledgement, a reply). igbvf allows about 1 s.
    std::chrono::microseconds timeout{std::chrono::milliseconds(1000)};
    // Pause between two looks at the mailbox register while waiting.
    std::chrono::microseconds poll{50};
};

// A deadline for one wait: `expired()` becomes true `timing.timeout` after construction; `pause()`
// sleeps one poll interval.
class Deadline {
public:
    explicit Deadline(const Timing& timing)
        : poll_(timing.poll), end_(std::chrono::steady_clock::now() + timing.timeout)
    {
    }
    bool expired() const { return std::chrono::steady_clock::now() >= end_; }
    void pause() const;

private:
    std::chrono::microseconds poll_;
    std::chrono::steady_clock::time_point end_;
};

}  // namespace sriov::mbx
