// sriovd's "up N ms after it started" figure: the start time read from /proc/PID/stat.
#include "sriovd/process_age.hpp"

#include <catch2/catch_test_macros.hpp>

using sriov::sriovd::stat_start_ticks;

TEST_CASE("the start time is the 22nd field of /proc/PID/stat, counted after the name")
{
    // A real line (procps' layout: pid (comm) state ppid pgrp session tty tpgid flags minflt
    // cminflt majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime).
    const char* line = "4242 (sriovd) S 1 4242 4242 0 -1 4194560 512 0 0 0 3 1 0 0 20 0 3 0 123456 "
                       "25165824 1024 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    CHECK(stat_start_ticks(line) == 123456ULL);

    // A name with spaces and parentheses does not shift the fields.
    const char* odd = "7 (a b) (c) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0\n";
    CHECK(stat_start_ticks(odd) == 99ULL);
}

TEST_CASE("a line that is not a stat line gives no start time")
{
    CHECK_FALSE(stat_start_ticks(""));
    CHECK_FALSE(stat_start_ticks("12 sriovd S 1"));
    CHECK_FALSE(stat_start_ticks("12 (sriovd) S 1 2 3"));
    CHECK_FALSE(stat_start_ticks("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12x 0\n"));
}

TEST_CASE("this process's age is known and small")
{
    const auto age = sriov::sriovd::time_since_start();
    REQUIRE(age);
    CHECK(age->count() >= 0);
}
