// Bounded waits on a register: poll until some bits read as wanted, or give up after a timeout.
//
// Every wait of the PF's control path goes through here, so that none can hang: a device that
// never answers ends in an sriov::Error (Errc::timeout) that names the device, the step and the
// register value last seen.
#pragma once

#include "dev/register_io.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sriov::pf {

struct RegisterPoll {
    std::uint32_t offset;  // register to read
    std::uint32_t mask;    // bits to look at
    std::uint32_t want;    // what they must read as
};

// Reads the register until (value & mask) == want; returns that value, or nullopt if timeout
// passed first. Pauses `interval` between reads (yields if zero). Never throws.
std::optional<std::uint32_t>
poll_register(dev::RegisterIo& regs, const RegisterPoll& poll, std::chrono::microseconds timeout,
              std::chrono::microseconds interval = std::chrono::microseconds(10));

// As poll_register(), but a timeout throws sriov::Error(Errc::timeout, subject,
// "<what>: register 0x<offset> still read 0x<value> after <timeout>").
std::uint32_t wait_for_register(dev::RegisterIo& regs, const RegisterPoll& poll,
                                std::chrono::microseconds timeout, const std::string& subject,
                                std::string_view what);

}  // namespace sriov::pf
