// Policing a VF's requests: its rate, and the limits past which it is quarantined. Time is given,
// never slept.
#include "pf/request_policer.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace sriov::pf;
using namespace std::chrono_literals;

namespace {

const RequestPolicer::Clock::time_point t0 = RequestPolicer::Clock::time_point{} + 1000s;

}  // namespace

TEST_CASE("a token bucket allows its burst at once, then its rate")
{
    TokenBucket bucket(10, 3);  // 10 per second, 3 at once
    CHECK(bucket.take(t0));
    CHECK(bucket.take(t0));
    CHECK(bucket.take(t0));
    CHECK_FALSE(bucket.take(t0));
    CHECK_FALSE(bucket.take(t0 + 50ms));  // half a token
    CHECK(bucket.take(t0 + 100ms));
    CHECK_FALSE(bucket.take(t0 + 100ms));
    // A long pause refills it to its burst, no more.
    CHECK(bucket.take(t0 + 60s));
    CHECK(bucket.take(t0 + 60s));
    CHECK(bucket.take(t0 + 60s));
    CHECK_FALSE(bucket.take(t0 + 60s));
}

TEST_CASE("requests over the rate are dropped and counted; too many drops are an offence")
{
    PolicingLimits limits;
    limits.requests_per_s = 1;
    limits.burst = 2;
    limits.max_dropped = 1;
    RequestPolicer p(2, limits);
    CHECK(p.admit(0, t0));
    CHECK(p.admit(0, t0));
    CHECK_FALSE(p.admit(0, t0));
    CHECK_FALSE(p.offence(0));  // 1 drop is not more than 1
    CHECK_FALSE(p.admit(0, t0));
    CHECK(p.offence(0) == "2 requests over its rate of 1/s within 60 s (limit 1)");
    CHECK(p.counters(0).requests == 4);
    CHECK(p.counters(0).dropped == 2);
    // The other VF has its own bucket.
    CHECK(p.admit(1, t0));
    CHECK_FALSE(p.offence(1));
}

TEST_CASE("malformed and refused requests count within a window; a quiet window starts afresh")
{
    PolicingLimits limits;
    limits.max_malformed = 2;
    limits.max_refused = 3;
    RequestPolicer p(1, limits);
    for (int i = 0; i < 2; ++i) {
        REQUIRE(p.admit(0, t0));
        p.record(0, RequestResult::malformed);
    }
    CHECK_FALSE(p.offence(0));
    // The window passes: the two malformed requests no longer count towards the limit.
    REQUIRE(p.admit(0, t0 + 61s));
    p.record(0, RequestResult::malformed);
    CHECK_FALSE(p.offence(0));
    for (int i = 0; i < 4; ++i) {
        REQUIRE(p.admit(0, t0 + 62s));
        p.record(0, i == 3 ? RequestResult::served : RequestResult::refused);
    }
    CHECK_FALSE(p.offence(0));  // 3 refusals: not more than 3
    REQUIRE(p.admit(0, t0 + 62s));
    p.record(0, RequestResult::refused);
    CHECK(p.offence(0) == "4 refused requests within 60 s (limit 3)");
    CHECK(p.counters(0).malformed == 3);
    CHECK(p.counters(0).refused == 4);

    // Forgiven (quarantined, or released): the limits count from zero, the totals stay.
    p.forgive(0, t0 + 63s, true);
    CHECK_FALSE(p.offence(0));
    CHECK(p.counters(0).refused == 4);
    CHECK(p.counters(0).quarantines == 1);
}

TEST_CASE("a limit of 0 is never passed")
{
    PolicingLimits limits;
    limits.max_refused = 0;
    RequestPolicer p(1, limits);
    for (int i = 0; i < 50; ++i) {
        REQUIRE(p.admit(0, t0 + i * 1s));
        p.record(0, RequestResult::refused);
    }
    CHECK_FALSE(p.offence(0));
}
