#include "pf/register_wait.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

#include <thread>

namespace sriov::pf {

std::optional<std::uint32_t> poll_register(dev::RegisterIo& regs, const RegisterPoll& poll,
                                           std::chrono::microseconds timeout,
                                           std::chrono::microseconds interval)
{
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const std::uint32_t value = regs.read32(poll.offset);
        if ((value & poll.mask) == poll.want)
            return value;
        if (std::chrono::steady_clock::now() >= end)
            return std::nullopt;
        if (interval.count() > 0)
            std::this_thread::sleep_for(interval);
        else
            std::this_thread::yield();
    }
}

std::uint32_t wait_for_register(dev::RegisterIo& regs, const RegisterPoll& poll,
                                std::chrono::microseconds timeout, const std::string& subject,
                                std::string_view what)
{
    if (auto value = poll_register(regs, poll, timeout))
        return *value;
    throw Error(Errc::timeout, subject,
                fmt::format("{}: register {:#06x} still read {:#010x} after {} us (waited for bits {:#010x} "
                            "to be {:#010x})",
                            what, poll.offset, regs.read32(poll.offset), timeout.count(), poll.mask,
                            poll.want));
}

}  // namespace sriov::pf
