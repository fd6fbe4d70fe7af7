// Writing to a file from a separate process, so that a write the kernel never finishes cannot
// hold the caller.
//
// Why a forked child and not a thread: a write to sriov_numvfs that removes VFs waits in the
// kernel until every VF is released, and after the first signal it waits uninterruptibly, with no
// time limit. A thread stuck there can be neither cancelled nor killed, keeps its process from
// exiting (exit waits for all threads to leave the kernel) and makes the whole process unkillable
// until the holder lets go. A child process stuck there costs only itself: the caller keeps
// running, can exit or be restarted, and the child finishes (or stays) on its own. Killing the
// child would not abort the kernel's wait either, so it is never killed; it is reaped once it ends.
//
// The child is made safe to fork from a multi-threaded process: it runs only async-signal-safe
// system calls on buffers prepared before fork(), with every signal blocked. It closes every
// inherited file descriptor except its report pipe, so it cannot itself keep a VFIO group or
// device open (which would make it wait for itself forever) nor hold pipes or sockets of the caller.
//
// Memory: fork() copies page tables, and Linux copies pages pinned for DMA (VFIO_IOMMU_MAP_DMA) into
// the child eagerly so that the parent keeps the pinned ones. DMA buffers are therefore marked
// MADV_DONTFORK (vfio::DmaMemory does), which keeps them out of the child altogether.
#pragma once

#include "vfio/unique_fd.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sriov::pci {

class BackgroundWrite {
public:
    // How the child's writes ended.
    struct Result {
        std::size_t completed = 0;    // values fully written, in order
        int error = 0;                // errno of the step that failed (0 if all were written)
        bool failed_at_open = false;  // the failing step failed in open(), not write()
        bool lost = false;            // the child ended without reporting (killed); other fields unknown
        bool ok() const noexcept { return !lost && error == 0; }
        friend bool operator==(const Result&, const Result&) = default;
    };

    // Forks a child that, for each value in turn, opens path for writing, writes the value in one
    // write() call and closes it, stopping at the first failure.
    // Throws sriov::Error(Errc::io, path) if the pipe or the fork cannot be made.
    BackgroundWrite(const std::filesystem::path& path, std::vector<std::string> values);

    // Leaves a child that is still running alone (it cannot be stopped); reaps one that has ended.
    ~BackgroundWrite();
    BackgroundWrite(const BackgroundWrite&) = delete;
    BackgroundWrite& operator=(const BackgroundWrite&) = delete;

    // Waits up to timeout for the child to finish. Returns its result once it has (and from then
    // on, at once), or nullopt if it is still writing. Never throws; not thread-safe.
    std::optional<Result> wait(std::chrono::milliseconds timeout);

    // The child's process id, for messages.
    pid_t pid() const noexcept { return pid_; }

private:
    void reap() noexcept;

    pid_t pid_ = -1;
    UniqueFd report_;  // read end of the pipe the child reports on
    std::optional<Result> result_;
};

}  // namespace sriov::pci
