// The bounded output of one control-socket connection (src/ctl/outbox.hpp), without a socket.
#include "ctl/outbox.hpp"

#include <catch2/catch_test_macros.hpp>

#include <string>

using sriov::control::Outbox;
using Fate = Outbox::EventFate;

namespace {

// An event of exactly `size` bytes with its newline.
std::string event(std::size_t size) { return std::string(size - 1, 'e'); }

}  // namespace

TEST_CASE("outbox: events beyond the limit are dropped, and counted in one notice once the client caught up")
{
    Outbox out(1000);
    for (int i = 0; i < 10; ++i)
        REQUIRE(out.push_event(event(100)) == Fate::queued);
    CHECK(out.push_event(event(100)) == Fate::began_dropping);
    for (int i = 0; i < 89; ++i)
        CHECK(out.push_event(event(100)) == Fate::dropped);
    CHECK(out.event_bytes() == 1000);
    CHECK(out.missed() == 90);

    // Room for one more is not enough: dropping goes on until the waiting events are down to half.
    CHECK(out.pop() == 0);
    CHECK(out.push_event(event(100)) == Fate::dropped);
    for (int i = 0; i < 3; ++i)
        CHECK(out.pop() == 0);
    CHECK(out.pop() == 91);  // 500 bytes left: caught up, the notice queued behind them
    CHECK(out.missed() == 0);

    // The five events queued before the gap leave first, then the notice, then what came after.
    CHECK(out.push_event("after") == Fate::queued);
    for (int i = 0; i < 5; ++i) {
        CHECK(out.front() == event(100) + '\n');
        out.pop();
    }
    CHECK(out.front() ==
          R"({"count":91,"event":"events_missed","message":"91 events dropped: this connection did not read them in time"})"
          "\n");
    out.pop();
    CHECK(out.front() == "after\n");
    out.pop();
    CHECK(out.empty());
    CHECK(out.event_bytes() == 0);
}

TEST_CASE("outbox: answers have a bound of their own, and one answer always fits")
{
    Outbox out(1000);
    // A subscriber whose events fill its share still gets its answers.
    for (int i = 0; i < 10; ++i)
        REQUIRE(out.push_event(event(100)) == Fate::queued);
    CHECK(out.push_answer(std::string(599, 'a')));
    CHECK(out.push_answer(std::string(399, 'a')));
    CHECK(out.answer_bytes() == 1000);
    // One more byte of answers is a client that does not read them.
    CHECK_FALSE(out.push_answer(""));
    CHECK(out.answer_bytes() == 1000);

    // An answer larger than the limit goes out when no other answer waits (a long "show").
    Outbox fresh(1000);
    CHECK(fresh.push_answer(std::string(5000, 'a')));
    CHECK_FALSE(fresh.push_answer("{}"));
}

TEST_CASE("outbox: an event larger than half the limit, dropped with little waiting, is reported at once")
{
    Outbox out(1000);
    CHECK(out.push_event(event(1200)) == Fate::began_dropping);
    CHECK(out.missed() == 0);
    REQUIRE_FALSE(out.empty());
    CHECK(out.front().find(R"("count":1,"event":"events_missed")") != std::string::npos);
}
