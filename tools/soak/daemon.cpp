#include "daemon.hpp"

#include "process.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace sriov::soak {

namespace {

std::string read_all(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

unsigned count_lines_with(const std::string& text, const std::string& what)
{
    unsigned n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

std::string tail(const std::string& text, std::size_t chars = 3000)
{
    return text.size() <= chars ? text : text.substr(text.size() - chars);
}

}  // namespace

Daemon::Daemon(std::vector<std::string> argv, unsigned pfs, std::string log_dir,
               std::chrono::milliseconds restart_delay)
    : argv_(std::move(argv)), pfs_(pfs), log_dir_(std::move(log_dir)), restart_delay_(restart_delay)
{
}

Daemon::~Daemon()
{
    if (pid_ > 0)
        stop(SIGTERM);
}

std::string Daemon::log_path() const { return fmt::format("{}/sriovd.{}.log", log_dir_, run_); }

void Daemon::start(std::chrono::seconds ready_timeout)
{
    ++run_;
    std::filesystem::remove(log_path());
    pid_ = spawn(argv_, log_path());
    const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
    for (;;) {
        const std::string log = read_all(log_path());
        if (count_lines_with(log, "ready:") >= pfs_)
            return;
        int status = 0;
        if (reap_if_ended(pid_, status)) {
            pid_ = -1;
            throw Error(Errc::io, "sriovd", fmt::format("run {} ended with status {} before it was ready:\n{}", run_,
                                                        status, tail(log)));
        }
        if (std::chrono::steady_clock::now() > deadline)
            throw Error(Errc::timeout, "sriovd",
                        fmt::format("run {} not ready within {} s:\n{}", run_, ready_timeout.count(), tail(log)));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void Daemon::signal(int sig) const
{
    if (pid_ > 0)
        ::kill(pid_, sig);
}

int Daemon::stop(int sig)
{
    signal(sig);
    const int status = wait_child(pid_, std::chrono::seconds(30));
    pid_ = -1;
    return status;
}

int Daemon::restart_after_signal()
{
    const int status = wait_child(pid_, std::chrono::seconds(30));
    pid_ = -1;
    std::this_thread::sleep_for(restart_delay_);
    start();
    return status;
}

bool Daemon::died(int& status)
{
    if (pid_ <= 0 || !reap_if_ended(pid_, status))
        return false;
    pid_ = -1;
    return true;
}

Footprint Daemon::footprint() const
{
    Footprint f;
    const std::string proc = fmt::format("/proc/{}", pid_);
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(proc + "/fd", ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
        ++f.fds;
    std::ifstream status(proc + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0)
            f.rss_kb = std::stoul(line.substr(6));
    return f;
}

}  // namespace sriov::soak
