// libvf's coalescing arithmetic: EITR values for an interrupt rate, and the adaptive rate.
// Every expected value is worked out by hand below from the fact sheet (section 2.8): EITR b14:2 is
// the interval, b31 CNT_IGNR is always set; on silicon a unit is 1 us and one interrupt passes
// per interval; QEMU 10.0 waits (value & 0x7FFE) * 1024 ns, i.e. 4.096 us per b14:2 unit, and
// sends a second message when the interval ends, so an interval must last two interrupts' worth.
#include "sriov/error.hpp"
#include "vf/coalescing.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace sriov;
using namespace sriov::vf;

TEST_CASE("coalescing: EITR for a rate on the 82576 (1 us per interval unit)")
{
    // 20 000/s: 50 us, 50 << 2 = 200 = 0xC8, with CNT_IGNR.
    CHECK(eitr_for_rate(20000, EitrTiming::datasheet) == 0x800000C8);
    // 1000/s: 1000 us, 4000 = 0xFA0.
    CHECK(eitr_for_rate(1000, EitrTiming::datasheet) == 0x80000FA0);
    // 8000/s: 125 us, 500 = 0x1F4.
    CHECK(eitr_for_rate(8000, EitrTiming::datasheet) == 0x800001F4);
    // 3906.25/s: 256 us, 1024 = 0x400.
    CHECK(eitr_for_rate(3906.25, EitrTiming::datasheet) == 0x80000400);
    // 3000/s: 333.3 us rounds to 333, 1332 = 0x534.
    CHECK(eitr_for_rate(3000, EitrTiming::datasheet) == 0x80000534);
}

TEST_CASE("coalescing: EITR for a rate under QEMU 10.0 (4.096 us per unit, two messages per interval)")
{
    // 1000/s: an interval of 2 ms; 2 000 000 / 4096 = 488.3 -> 488 units, 1952 = 0x7A0.
    // QEMU then waits 1952 * 1.024 us = 1998.8 us and fires twice in it: 1000.6/s.
    CHECK(eitr_for_rate(1000, EitrTiming::qemu_10_0) == 0x800007A0);
    // 20 000/s: 100 us; 100 000 / 4096 = 24.4 -> 24 units, 96 = 0x60 (98.3 us, 20 345/s).
    CHECK(eitr_for_rate(20000, EitrTiming::qemu_10_0) == 0x80000060);
    // 8000/s: 250 us; 250 000 / 4096 = 61.04 -> 61 units, 244 = 0xF4.
    CHECK(eitr_for_rate(8000, EitrTiming::qemu_10_0) == 0x800000F4);
}

TEST_CASE("coalescing: rate 0 means no throttling; the interval stays within b14:2")
{
    CHECK(eitr_for_rate(0, EitrTiming::datasheet) == 0);
    CHECK(eitr_for_rate(-5, EitrTiming::qemu_10_0) == 0);
    // 10 000 000/s: 0.1 us rounds to 0, but 0 would turn throttling off: one unit, 4.
    CHECK(eitr_for_rate(1e7, EitrTiming::datasheet) == 0x80000004);
    // 100/s: 10 000 us does not fit 13 bits: 0x1FFF units, 0x7FFC.
    CHECK(eitr_for_rate(100, EitrTiming::datasheet) == 0x80007FFC);
    CHECK(eitr_for_rate(10, EitrTiming::qemu_10_0) == 0x80007FFC);
}

TEST_CASE("coalescing: the interval an EITR value gives")
{
    CHECK(eitr_interval_ns(0x80000FA0, EitrTiming::datasheet) == 1000000.0);
    // QEMU: 0x7A0 = 1952, times 1024 ns = 1 998 848 ns, the same as 488 units of 4096 ns.
    CHECK(eitr_interval_ns(0x800007A0, EitrTiming::qemu_10_0) == 1998848.0);
    CHECK(eitr_interval_ns(0, EitrTiming::qemu_10_0) == 0.0);
}

TEST_CASE("coalescing: adaptive rate IF = max(pps / (bufs * r), lif)")
{
    // 1 000 000 frames/s, 512 buffers, r = 0.5: 256 frames per interrupt, 3906.25/s.
    CHECK(adaptive_rate(1e6, 512, 0.5, 1000) == 3906.25);
    // 100 000 frames/s: 390.6/s is below lif, so 1000/s (a frame waits at most 1 ms).
    CHECK(adaptive_rate(1e5, 512, 0.5, 1000) == 1000);
    // Idle: lif.
    CHECK(adaptive_rate(0, 512, 0.5, 1000) == 1000);
    // r = 1, 100 buffers, 1 000 000 frames/s: 10 000/s.
    CHECK(adaptive_rate(1e6, 100, 1.0, 1000) == 10000);
    // 64 application buffers of a 512 ring, r = 0.25: 16 frames per interrupt.
    CHECK(adaptive_rate(160000, coalescing_buffers(64, 512), 0.25, 500) == 10000);
    // And on to EITR: 3906.25/s on silicon is 256 us, 1024 = 0x400.
    CHECK(eitr_for_rate(adaptive_rate(1e6, 512, 0.5, 1000), EitrTiming::datasheet) == 0x80000400);
}

TEST_CASE("coalescing: bufs is the smaller of the application's buffers and the RX ring")
{
    CHECK(coalescing_buffers(0, 512) == 512);
    CHECK(coalescing_buffers(64, 512) == 64);
    CHECK(coalescing_buffers(4096, 512) == 512);
}

TEST_CASE("coalescing: parameters the formula cannot use are refused")
{
    Coalescing c;
    CHECK_NOTHROW(check_coalescing(c, "vf"));
    c.safety_ratio = 0;
    CHECK_THROWS_AS(check_coalescing(c, "vf"), Error);
    c.safety_ratio = 1.5;
    CHECK_THROWS_AS(check_coalescing(c, "vf"), Error);
    c = Coalescing{};
    c.min_rate = 0;
    CHECK_THROWS_AS(check_coalescing(c, "vf"), Error);
    c = Coalescing{};
    c.mode = Coalescing::Mode::fixed;
    c.rate = 0;
    CHECK_THROWS_AS(check_coalescing(c, "vf"), Error);
    c.mode = Coalescing::Mode::off;
    CHECK_NOTHROW(check_coalescing(c, "vf"));
}

TEST_CASE("coalescing: adaptive mode does not throttle frames that come no faster than 2 * lif")
{
    Coalescing c;  // r 0.5, lif 1000/s, datasheet timing
    // Up to 2 * lif frames/s every frame may have its own interrupt: at most 2000 a second.
    CHECK(adaptive_eitr(0, 512, c) == 0);
    CHECK(adaptive_eitr(1000, 512, c) == 0);
    CHECK(adaptive_eitr(2000, 512, c) == 0);
    // Above it, IF = max(pps / (bufs * r), lif): 2001/s gives lif, 1000 us, 1000 << 2 | CNT_IGNR.
    CHECK(adaptive_eitr(2001, 512, c) == 0x80000FA0);
    // 1 000 000/s with bufs * r = 256: 3906.25/s, 256 us, 256 << 2 | CNT_IGNR.
    CHECK(adaptive_eitr(1e6, 512, c) == 0x80000400);
    c.min_rate = 250;
    CHECK(adaptive_eitr(500, 512, c) == 0);
    CHECK(adaptive_eitr(1000, 512, c) == eitr_for_rate(250, EitrTiming::datasheet));
}

TEST_CASE("coalescing: the VTEITR value each mode starts with")
{
    Coalescing c;
    c.mode = Coalescing::Mode::off;
    CHECK(initial_eitr(c) == 0);
    c.mode = Coalescing::Mode::fixed;  // 8000/s: 125 us, 125 << 2 | CNT_IGNR
    CHECK(initial_eitr(c) == 0x800001F4);
    c.mode = Coalescing::Mode::adaptive;  // nothing measured yet: as when idle
    CHECK(initial_eitr(c) == 0);
}
