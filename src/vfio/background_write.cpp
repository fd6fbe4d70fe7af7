#include "vfio/background_write.hpp"

#include "sriov/error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

namespace sriov::pci {
namespace {

// What the child sends back: one record, written once, well under PIPE_BUF so it arrives whole.
struct Report {
    std::uint32_t completed;
    std::int32_t error;
    std::int32_t failed_at_open;
};

// Closes every descriptor but keep. Async-signal-safe: system calls only.
void close_all_but(int keep, int max_fd) noexcept
{
    if (keep > 0 && ::close_range(0, static_cast<unsigned>(keep - 1), 0) == 0 &&
        ::close_range(static_cast<unsigned>(keep + 1), ~0u, 0) == 0)
        return;
    for (int fd = 0; fd < max_fd; ++fd) {
        if (fd != keep)
            ::close(fd);
    }
}

[[noreturn]] void run_child(const char* path, const std::vector<std::string>& values, int report_fd,
                            int max_fd) noexcept
{
    ::setsid();  // out of the caller's process group: a Ctrl-C meant for the caller is not for us
    ::prctl(PR_SET_NAME, "sriov-write", 0, 0, 0);  // how the kernel log will name this task
    close_all_but(report_fd, max_fd);

    Report report{0, 0, 0};
    for (const auto& value : values) {
        int fd = ::open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0) {
            report.error = errno;
            report.failed_at_open = 1;
            break;
        }
        ssize_t n;
        do {
            n = ::write(fd, value.data(), value.size());
        } while (n < 0 && errno == EINTR);
        if (n < 0)
            report.error = errno;
        else if (static_cast<std::size_t>(n) != value.size())
            report.error = EIO;
        ::close(fd);
        if (report.error != 0)
            break;
        ++report.completed;
    }
    [[maybe_unused]] ssize_t sent = ::write(report_fd, &report, sizeof report);
    ::_exit(0);
}

}  // namespace

BackgroundWrite::BackgroundWrite(const std::filesystem::path& path, std::vector<std::string> values)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw system_error(path.string(), "cannot create a pipe for the writing process", errno);
    UniqueFd read_end(fds[0]);
    UniqueFd write_end(fds[1]);

    // Everything the child needs is prepared here: it may not allocate.
    const std::string path_text = path.string();
    rlimit limit{};
    const int max_fd = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536
                           ? static_cast<int>(limit.rlim_cur)
                           : 65536;

    // Block every signal across fork() so that no handler of the caller runs in the child; the
    // child keeps them blocked, and the parent gets its mask back at once.
    sigset_t all, old;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = ::fork();
    if (pid == 0)
        run_child(path_text.c_str(), values, write_end.get(), max_fd);
    const int fork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0)
        throw system_error(path_text, "cannot fork a process to write", fork_errno);

    pid_ = pid;
    report_ = std::move(read_end);
}

BackgroundWrite::~BackgroundWrite()
{
    if (!result_ && pid_ > 0)
        (void)wait(std::chrono::milliseconds(0));
}

void BackgroundWrite::reap() noexcept
{
    // The child has reported or closed its pipe, so it is exiting: this returns promptly. ECHILD
    // (the caller ignores SIGCHLD, or reaped it with waitpid(-1)) is fine: it is gone either way.
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
}

std::optional<BackgroundWrite::Result> BackgroundWrite::wait(std::chrono::milliseconds timeout)
{
    if (result_)
        return result_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{report_.get(), POLLIN, 0};
        int n = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return std::nullopt;  // still writing (or poll failed, which says nothing either way)
        break;
    }

    Report report{};
    ssize_t got;
    do {
        got = ::read(report_.get(), &report, sizeof report);
    } while (got < 0 && errno == EINTR);
    Result result;
    if (got == static_cast<ssize_t>(sizeof report)) {
        result.completed = report.completed;
        result.error = report.error;
        result.failed_at_open = report.failed_at_open != 0;
    } else if (got == 0) {
        result.lost = true;  // end of file without a report: the child was killed
    } else {
        return std::nullopt;  // a read error or a torn record: do not wait on a child that may run
    }
    reap();
    report_.reset();
    result_ = result;
    return result_;
}

}  // namespace sriov::pci
