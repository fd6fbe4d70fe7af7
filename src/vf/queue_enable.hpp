// Enabling a VF queue (RXDCTL / TXDCTL.ENABLE) and waiting, bounded, until the device shows it.
#pragma once

#include "dev/register_io.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace sriov::vf {

// Writes `value` (which includes ENABLE) to the queue control register at `offset`, then polls it
// until ENABLE reads back. Throws sriov::Error(timeout, subject = name) naming `what` (e.g.
// "RXDCTL(0)") when it does not within `timeout`.
void enable_queue(dev::RegisterIo& regs, std::uint32_t offset, std::uint32_t value,
                  std::chrono::milliseconds timeout, const std::string& name, const char* what);

}  // namespace sriov::vf
