// Child processes for the soak: commands run to completion with their output kept, and processes
// left running (sriovd, a vfctl call that a fault will cut short). No shell: argv as given.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sriov::soak {

struct Outcome {
    int status = -1;        // exit status, or 128 + signal, or -1 if it had to be killed at the timeout
    std::string output;     // stdout and stderr, interleaved
    bool ok() const { return status == 0; }
};

// Starts argv with stdout and stderr going to output_file (appended to; /dev/null if empty).
// Throws sriov::Error(io) if the program cannot be started.
pid_t spawn(const std::vector<std::string>& argv, const std::string& output_file = {});

// Like spawn(), with stdout and stderr into a pipe whose read end is returned in read_fd.
pid_t spawn_captured(const std::vector<std::string>& argv, int& read_fd);

// Waits for a child started by spawn*(); kills it (SIGKILL) after timeout. Returns its status as
// Outcome::status does. output, if given, collects what read_fd yields until the child ends.
int wait_child(pid_t pid, std::chrono::milliseconds timeout, int read_fd = -1, std::string* output = nullptr);

// Runs argv to completion (killed after timeout), its output kept.
Outcome run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The child has ended (it is reaped here then); status receives its status as above.
bool reap_if_ended(pid_t pid, int& status);

}  // namespace sriov::soak
