// An eventfd owned by RAII: what VFIO signals an interrupt on, and what an event loop waits on.
#pragma once

#include "vfio/unique_fd.hpp"

#include <cstdint>

namespace sriov::vfio {

class EventFd {
public:
    // Creates a non-blocking, close-on-exec eventfd. Throws sriov::Error (io) on failure.
    EventFd();

    int fd() const { return fd_.get(); }
    // Consumes the counter: how many times it was signalled since the last read (0 if none).
    std::uint64_t drain() noexcept;
    // Adds one, as the kernel does when an interrupt fires (used by tests and to wake loops).
    void signal() noexcept;

private:
    sriov::UniqueFd fd_;
};

}  // namespace sriov::vfio
