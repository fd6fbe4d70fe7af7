#include "vfio/event_fd.hpp"

#include "sriov/error.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace sriov::vfio {

EventFd::EventFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (!fd_)
        throw system_error("eventfd", "create", errno);
}

std::uint64_t EventFd::drain() noexcept
{
    std::uint64_t count = 0;
    if (::read(fd_.get(), &count, sizeof count) != sizeof count)
        return 0;  // EAGAIN: nothing pending
    return count;
}

void EventFd::signal() noexcept
{
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd_.get(), &one, sizeof one);
}

}  // namespace sriov::vfio
