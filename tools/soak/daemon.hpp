// sriovd as the soak runs it: started in the foreground, ready once it has said "ready:" for every
// PF, started again at once (or after the restart delay) whenever it ended, as systemd's
// Restart= would; and what it holds, for the leak check.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sriov::soak {

struct Footprint {
    unsigned fds = 0;       // entries of /proc/PID/fd
    unsigned long rss_kb = 0;  // VmRSS
};

class Daemon {
public:
    // argv: the sriovd command line (--foreground included); pfs: how many "ready:" lines mean
    // ready; log_dir: where each run's output goes (sriovd.<run>.log).
    Daemon(std::vector<std::string> argv, unsigned pfs, std::string log_dir, std::chrono::milliseconds restart_delay);
    ~Daemon();

    // Starts sriovd and waits until it is ready. Throws sriov::Error(timeout) if it is not within
    // ready_timeout (its log's end in the message), or if it ended meanwhile.
    void start(std::chrono::seconds ready_timeout = std::chrono::seconds(60));
    // Sends signal and waits until sriovd has ended (SIGKILL after 30 s). Returns its exit status.
    int stop(int signal);
    // Sends signal and returns at once (a kill at a random moment).
    void signal(int signal) const;
    // Waits for the end of a sriovd signalled before, then starts it again after the restart delay.
    // Returns the ended sriovd's exit status.
    int restart_after_signal();
    // sriovd ended by itself since the last check (a crash); status receives its status.
    bool died(int& status);

    pid_t pid() const { return pid_; }
    unsigned run() const { return run_; }
    std::string log_path() const;
    Footprint footprint() const;

private:
    std::vector<std::string> argv_;
    unsigned pfs_;
    std::string log_dir_;
    std::chrono::milliseconds restart_delay_;
    pid_t pid_ = -1;
    unsigned run_ = 0;
};

}  // namespace sriov::soak
