// VfCounters: 64-bit totals from wrapping 32-bit readings. Expected totals are worked out by hand.
#include "pf/vf_counters.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace sriov::pf;

namespace {

// A reading with every counter at the same value.
VfCounterReading all(std::uint32_t v)
{
    return {v, v, v, v, v};
}

VfTotals all_totals(std::uint64_t v)
{
    return {v, v, v, v, v};
}

}  // namespace

TEST_CASE("VfCounters counts from its base what each counter moved, separately")
{
    VfCounters c({100, 6400, 10, 640, 1});
    CHECK(c.totals() == VfTotals{});
    c.sample({150, 9600, 12, 768, 4});
    CHECK(c.totals() == VfTotals{50, 3200, 2, 128, 3});
    c.sample({150, 9600, 12, 768, 4});  // nothing moved
    CHECK(c.totals() == VfTotals{50, 3200, 2, 128, 3});
    c.sample({151, 9664, 13, 832, 4});
    CHECK(c.totals() == VfTotals{51, 3264, 3, 192, 3});
    CHECK(c.last() == VfCounterReading{151, 9664, 13, 832, 4});
}

TEST_CASE("VfCounters default-constructed counts from counters at 0")
{
    VfCounters c;
    c.sample(all(7));
    CHECK(c.totals() == all_totals(7));
}

TEST_CASE("VfCounters: a counter that wrapped adds the distance modulo 2^32")
{
    VfCounters c(all(0xFFFFFFF0));
    c.sample(all(0x10));  // 0x10 up to the wrap, 0x10 after it
    CHECK(c.totals() == all_totals(0x20));
    // From 0x10 round to 0x0F: one short of a full turn.
    c.sample(all(0x0F));
    CHECK(c.totals() == all_totals(0x20 + 0xFFFFFFFFull));
}

TEST_CASE("VfCounters totals go past 32 bits when sampled at least once per wrap")
{
    VfCounters c;
    c.sample(all(0x80000000));
    c.sample(all(0));
    c.sample(all(0x80000000));
    CHECK(c.totals() == all_totals(0x180000000ull));  // three half turns
}

TEST_CASE("VfCounters rebase after a PF reset keeps the totals and adds nothing")
{
    VfCounters c(all(1000));
    c.sample(all(1500));
    REQUIRE(c.totals() == all_totals(500));
    // The PF reset set the chip's counters back to 0; by the first reading 3 more were counted.
    c.rebase(all(3));
    CHECK(c.totals() == all_totals(500));
    c.sample(all(10));
    CHECK(c.totals() == all_totals(507));
}

TEST_CASE("VfCounters without rebase takes counters that went back for a wrap")
{
    // Why the caller must rebase after a known reset: 1500 then 3 reads as 2^32 - 1497 more.
    VfCounters c(all(1500));
    c.sample(all(3));
    CHECK(c.totals() == all_totals(0x100000000ull - 1497));
}

TEST_CASE("VfCounters reset starts the totals again from the reading given")
{
    VfCounters c;
    c.sample(all(40));
    c.reset(all(90));
    CHECK(c.totals() == VfTotals{});
    c.sample(all(100));
    CHECK(c.totals() == all_totals(10));
}
