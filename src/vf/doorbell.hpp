// A queue's tail register (RDT or TDT), written once per burst.
//
// On the device the write goes straight to the mapped BAR (a volatile store, no system call, no
// virtual call); in unit tests it goes through the register model's dev::RegisterIo. ring() puts
// a release fence first: every descriptor written before it is visible to the device before the
// device can see the new tail. Built with SRIOV_COUNT_MMIO, a ring inside a data-path call is
// counted as that queue's doorbell write (mmio_count.hpp).
#pragma once

#include "dev/register_io.hpp"
#include "vf/mmio_count.hpp"
#include "vfio/region.hpp"

#include <atomic>
#include <cstdint>

namespace sriov::vf {

class Doorbell {
public:
    Doorbell(vfio::MappedRegion& bar, std::uint32_t offset) : bar_(&bar), offset_(offset) {}
    Doorbell(dev::RegisterIo& regs, std::uint32_t offset) : regs_(&regs), offset_(offset) {}

    void ring(std::uint32_t tail)
    {
        std::atomic_thread_fence(std::memory_order_release);
        if (bar_)
            bar_->write32(offset_, tail);
        else
            regs_->write32(offset_, tail);
#ifdef SRIOV_COUNT_MMIO
        mmio::count_doorbell();
#endif
    }

private:
    vfio::MappedRegion* bar_ = nullptr;
    dev::RegisterIo* regs_ = nullptr;
    std::uint32_t offset_;
};

}  // namespace sriov::vf
