#include "vf/queue_enable.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

#include <thread>

namespace sriov::vf {

void enable_queue(dev::RegisterIo& regs, std::uint32_t offset, std::uint32_t value,
                  std::chrono::milliseconds timeout, const std::string& name, const char* what)
{
    regs.write32(offset, value);
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!(regs.read32(offset) & e82576::xdctl::ENABLE)) {
        if (std::chrono::steady_clock::now() >= end)
            throw Error(Errc::timeout, name,
                        fmt::format("{}.ENABLE did not read back within {} ms: the queue stays off (is the "
                                    "VF reset and its PF running?)",
                                    what, timeout.count()));
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
}

}  // namespace sriov::vf
