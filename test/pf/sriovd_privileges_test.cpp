// sriovd's privilege drop (src/sriovd/privileges.hpp), done in a child process since it cannot be
// undone, and checked by what the kernel shows for that process afterwards.
#include "sriovd/privileges.hpp"

#include <catch2/catch_test_macros.hpp>
#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include <exception>
#include <fstream>
#include <string>

namespace {

// A field of /proc/self/status, e.g. "CapEff".
std::string status_field(const std::string& name)
{
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(name + ":", 0) == 0)
            return line.substr(line.find_first_not_of(" \t", name.size() + 1));
    return "?";
}

// What a child shows after drop_privileges(keep_chown): its CapEff, CapPrm, CapInh, CapBnd, CapAmb
// and NoNewPrivs, or "error: ..." if the drop threw.
std::string after_drop_in_child(bool keep_chown)
{
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        std::string seen;
        try {
            sriov::sriovd::drop_privileges(keep_chown);
            for (const char* f : {"CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb", "NoNewPrivs"})
                seen += fmt::format("{}{}", seen.empty() ? "" : " ", status_field(f));
        } catch (const std::exception& e) {
            seen = std::string("error: ") + e.what();
        }
        const ssize_t n = ::write(fds[1], seen.data(), seen.size());
        ::_exit(n == static_cast<ssize_t>(seen.size()) ? 0 : 1);
    }
    ::close(fds[1]);
    std::string seen;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
        seen.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    return seen;
}

}  // namespace

TEST_CASE("once up, sriovd keeps nothing, or CAP_CHOWN alone with a group, and sets no_new_privs")
{
    // CAP_SETPCAP (bit 8) is what narrowing the bounding set takes; root has it.
    if ((std::stoull(status_field("CapEff"), nullptr, 16) & (1ull << 8)) == 0)
        SKIP("needs root (CAP_SETPCAP) to see the bounding set narrowed");
    CHECK(after_drop_in_child(false) ==
          "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000 1");
    CHECK(after_drop_in_child(true) ==
          "0000000000000001 0000000000000001 0000000000000000 0000000000000001 0000000000000000 1");
}
