#include "ctl/outbox.hpp"

#include "sriov/control/protocol.hpp"

namespace sriov::control {

void Outbox::queue(std::string line, bool event)
{
    line += '\n';
    (event ? event_bytes_ : answer_bytes_) += line.size();
    lines_.push_back(Line{std::move(line), event});
}

Outbox::EventFate Outbox::push_event(std::string line)
{
    if (missed_ == 0 && event_bytes_ + line.size() + 1 <= limit_) {
        queue(std::move(line), true);
        return EventFate::queued;
    }
    // Once dropping, keep dropping until the client has caught up, so that a client reading a
    // little slower than events come gets one notice per gap rather than one per event.
    const bool first = missed_++ == 0;
    report_if_caught_up();  // only for an event larger than half the limit, with little waiting
    return first ? EventFate::began_dropping : EventFate::dropped;
}

bool Outbox::push_answer(std::string line)
{
    if (answer_bytes_ > 0 && answer_bytes_ + line.size() + 1 > limit_)
        return false;
    queue(std::move(line), false);
    return true;
}

std::uint64_t Outbox::pop()
{
    const Line& line = lines_.front();
    (line.event ? event_bytes_ : answer_bytes_) -= line.text.size();
    lines_.pop_front();
    return report_if_caught_up();
}

std::uint64_t Outbox::report_if_caught_up()
{
    if (missed_ == 0 || event_bytes_ > limit_ / 2)
        return 0;
    const std::uint64_t count = missed_;
    missed_ = 0;
    queue(encode_events_missed(count), true);
    return count;
}

}  // namespace sriov::control
