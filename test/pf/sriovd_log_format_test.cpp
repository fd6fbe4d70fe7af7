// How sriovd's log reaches journald (src/sriovd/log_format.hpp): the priority prefix of each level,
// and the journal's stream recognised only when JOURNAL_STREAM names stderr itself.
#include "sriovd/log_format.hpp"

#include <catch2/catch_test_macros.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

using sriov::sriovd::stderr_is_journal;
using sriov::sriovd::syslog_prefix;

TEST_CASE("each log level gets its syslog priority", "[sriovd][log]")
{
    CHECK(syslog_prefix(spdlog::level::debug) == "<7>");
    CHECK(syslog_prefix(spdlog::level::info) == "<6>");
    CHECK(syslog_prefix(spdlog::level::warn) == "<4>");
    CHECK(syslog_prefix(spdlog::level::err) == "<3>");
    CHECK(syslog_prefix(spdlog::level::critical) == "<2>");
}

TEST_CASE("stderr is the journal's stream only when JOURNAL_STREAM names it", "[sriovd][log]")
{
    struct stat st {};
    REQUIRE(::fstat(STDERR_FILENO, &st) == 0);
    const char* saved = std::getenv("JOURNAL_STREAM");
    const std::string before = saved ? saved : "";

    ::unsetenv("JOURNAL_STREAM");
    CHECK_FALSE(stderr_is_journal());
    ::setenv("JOURNAL_STREAM", fmt::format("{}:{}", st.st_dev, st.st_ino).c_str(), 1);
    CHECK(stderr_is_journal());
    // A stream systemd gave a parent: stderr was redirected since.
    ::setenv("JOURNAL_STREAM", fmt::format("{}:{}", st.st_dev, st.st_ino + 1).c_str(), 1);
    CHECK_FALSE(stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "not a stream", 1);
    CHECK_FALSE(stderr_is_journal());

    if (saved)
        ::setenv("JOURNAL_STREAM", before.c_str(), 1);
    else
        ::unsetenv("JOURNAL_STREAM");
}
