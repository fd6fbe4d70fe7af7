#include "fake_sysfs.hpp"
#include "vfio/background_write.hpp"

#include <catch2/catch_test_macros.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

using sriov::pci::BackgroundWrite;
using sriov::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::chrono::milliseconds bound{30000};  // only ever reached if something is broken

// Opens a FIFO that a writer is blocked on and reads what it writes until it closes.
std::string drain_fifo(const fs::path& fifo)
{
    int fd = ::open(fifo.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    std::string text;
    char buffer[64];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        text.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    return text;
}

}  // namespace

TEST_CASE("a background write writes each value in turn")
{
    TempDir dir;
    std::string seen;
    {
        sriov::test::FifoResponder numvfs(dir.path() / "sriov_numvfs", [](const std::string&) {});
        BackgroundWrite writer(dir.path() / "sriov_numvfs", {"0\n", "4\n"});
        auto result = writer.wait(bound);
        REQUIRE(result.has_value());
        CHECK(result->ok());
        CHECK(result->completed == 2);
        auto joined = [](const std::vector<std::string>& writes) {
            std::string all;
            for (const auto& w : writes)
                all += w;  // a FIFO's reader may get both writes in one go
            return all;
        };
        seen = joined(numvfs.wait_for_writes([&](const auto& w) { return joined(w).size() >= 4; }, bound));
    }
    CHECK(seen == "0\n4\n");
}

TEST_CASE("a background write to a regular file leaves the last value")
{
    TempDir dir;
    sriov::test::write_file(dir.path() / "value", "12345\n");
    BackgroundWrite writer(dir.path() / "value", {"0", "4"});
    auto result = writer.wait(bound);
    REQUIRE(result.has_value());
    CHECK(result->ok());
    CHECK(sriov::test::read_file(dir.path() / "value") == "4");
    CHECK(writer.wait(std::chrono::milliseconds(0)) == result);  // the result stays
}

TEST_CASE("a background write reports the step that failed and its errno")
{
    TempDir dir;
    BackgroundWrite writer(dir.path() / "missing-dir" / "value", {"0", "4"});
    auto result = writer.wait(bound);
    REQUIRE(result.has_value());
    CHECK_FALSE(result->ok());
    CHECK(result->completed == 0);
    CHECK(result->error == ENOENT);
    CHECK(result->failed_at_open);
    CHECK_FALSE(result->lost);
}

TEST_CASE("a background write that blocks returns control, and finishes once unblocked")
{
    TempDir dir;
    const fs::path fifo = dir.path() / "sriov_numvfs";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);  // no reader: opening it for writing blocks

    BackgroundWrite writer(fifo, {"0"});
    CHECK_FALSE(writer.wait(std::chrono::milliseconds(50)).has_value());
    CHECK_FALSE(writer.wait(std::chrono::milliseconds(0)).has_value());
    CHECK(writer.pid() > 0);

    CHECK(drain_fifo(fifo) == "0");
    auto result = writer.wait(bound);
    REQUIRE(result.has_value());
    CHECK(result->ok());
}

TEST_CASE("the writing process keeps none of the caller's file descriptors open")
{
    // If it inherited them it could hold a VF's VFIO group open and wait for itself forever.
    TempDir dir;
    const fs::path fifo = dir.path() / "blocked";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);  // no O_CLOEXEC: a plain fork would share the write end

    BackgroundWrite writer(fifo, {"1"});
    REQUIRE_FALSE(writer.wait(std::chrono::milliseconds(0)).has_value());  // it is running
    ::close(fds[1]);
    // With the child blocked but holding no copy of the write end, the read end sees end of file.
    pollfd p{fds[0], POLLIN, 0};
    REQUIRE(::poll(&p, 1, static_cast<int>(bound.count())) == 1);
    char c;
    CHECK(::read(fds[0], &c, 1) == 0);
    ::close(fds[0]);

    CHECK(drain_fifo(fifo) == "1");
    CHECK(writer.wait(bound).has_value());
}
