#include "process.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sriov::soak {

namespace {

using Clock = std::chrono::steady_clock;

int decode(int wstatus) { return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus); }

// In the child: stdout and stderr to fd, then exec; never returns.
[[noreturn]] void exec_with_output(const std::vector<std::string>& argv, int fd)
{
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    const int null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    const auto message = fmt::format("{}: cannot start: {}\n", argv[0], std::strerror(errno));
    [[maybe_unused]] const auto n = write(STDERR_FILENO, message.data(), message.size());
    _exit(127);
}

pid_t fork_or_throw(const std::vector<std::string>& argv)
{
    const pid_t pid = fork();
    if (pid < 0)
        throw Error(Errc::io, argv.at(0), fmt::format("cannot fork: {}", std::strerror(errno)));
    return pid;
}

}  // namespace

pid_t spawn(const std::vector<std::string>& argv, const std::string& output_file)
{
    const int fd = open(output_file.empty() ? "/dev/null" : output_file.c_str(),
                        O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(Errc::io, output_file, std::strerror(errno));
    const pid_t pid = fork_or_throw(argv);
    if (pid == 0)
        exec_with_output(argv, fd);
    close(fd);
    return pid;
}

pid_t spawn_captured(const std::vector<std::string>& argv, int& read_fd)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw Error(Errc::io, argv.at(0), fmt::format("cannot make a pipe: {}", std::strerror(errno)));
    const pid_t pid = fork_or_throw(argv);
    if (pid == 0)
        exec_with_output(argv, fds[1]);
    close(fds[1]);
    read_fd = fds[0];
    return pid;
}

int wait_child(pid_t pid, std::chrono::milliseconds timeout, int read_fd, std::string* output)
{
    const auto deadline = Clock::now() + timeout;
    int status = -1;
    bool killed = false;
    for (;;) {
        if (read_fd >= 0) {
            pollfd p{read_fd, POLLIN, 0};
            if (poll(&p, 1, 5) > 0) {
                char buffer[4096];
                const ssize_t n = read(read_fd, buffer, sizeof buffer);
                if (n > 0 && output)
                    output->append(buffer, static_cast<std::size_t>(n));
                if (n > 0)
                    continue;
                close(read_fd);  // the child closed its end (it ended, or will)
                read_fd = -1;
            }
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        if (reap_if_ended(pid, status)) {
            // What it wrote just before it ended may still be in the pipe: read it too (without
            // waiting, in case a child of its own still holds the pipe open).
            for (pollfd p{read_fd, POLLIN, 0}; read_fd >= 0 && poll(&p, 1, 0) > 0;) {
                char buffer[4096];
                const ssize_t n = read(read_fd, buffer, sizeof buffer);
                if (n <= 0)
                    break;
                if (output)
                    output->append(buffer, static_cast<std::size_t>(n));
            }
            break;
        }
        if (!killed && Clock::now() > deadline) {
            kill(pid, SIGKILL);
            killed = true;
        }
    }
    if (read_fd >= 0)
        close(read_fd);
    return killed ? -1 : status;
}

Outcome run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout)
{
    int fd = -1;
    const pid_t pid = spawn_captured(argv, fd);
    Outcome o;
    o.status = wait_child(pid, timeout, fd, &o.output);
    return o;
}

bool reap_if_ended(pid_t pid, int& status)
{
    int wstatus = 0;
    const pid_t r = waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) {
        status = decode(wstatus);
        return true;
    }
    return r < 0;  // not our child any more (already reaped): ended
}

}  // namespace sriov::soak
