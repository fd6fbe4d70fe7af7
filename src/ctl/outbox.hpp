// What one control-socket connection has yet to write to its client, bounded so that a client that
// does not read cannot make sriovd's memory grow.
//
// Events and answers are bounded apart, each to `limit` bytes waiting (one answer always fits):
//   - an event that does not fit is dropped and counted; once the client has caught up (the events
//     waiting have gone down to half the limit) one "events_missed" event with the count takes the
//     place of those dropped, and events are queued again;
//   - an answer that does not fit means the client sends requests and does not read the answers:
//     push_answer refuses it, and the connection is to be closed.
// Lines leave in the order they came. Not thread-safe; used in the server's loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace sriov::control {

class Outbox {
public:
    explicit Outbox(std::size_t limit) : limit_(limit) {}

    enum class EventFate {
        queued,
        dropped,        // dropped and counted, as events before it were
        began_dropping  // the first one dropped since the client last caught up
    };
    // Queues one event line (the newline is added).
    EventFate push_event(std::string line);

    // Queues one answer line; false when the answers waiting would go over the limit (nothing queued).
    bool push_answer(std::string line);

    bool empty() const { return lines_.empty(); }
    // The line to write next, with its newline. Only when !empty().
    const std::string& front() const { return lines_.front().text; }

    // The front line was written. Returns how many events the notice it queued reports (0: none
    // queued), for the server's log.
    std::uint64_t pop();

    std::size_t event_bytes() const { return event_bytes_; }
    std::size_t answer_bytes() const { return answer_bytes_; }
    // Events dropped and not yet reported to the client.
    std::uint64_t missed() const { return missed_; }

private:
    struct Line {
        std::string text;
        bool event;
    };
    void queue(std::string line, bool event);
    // Queues the events_missed notice if the client has caught up; returns the count it carries.
    std::uint64_t report_if_caught_up();

    std::size_t limit_;
    std::deque<Line> lines_;
    std::size_t event_bytes_ = 0;
    std::size_t answer_bytes_ = 0;
    std::uint64_t missed_ = 0;
};

}  // namespace sriov::control
