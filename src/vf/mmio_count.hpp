// Counting the data path's own register accesses (issue 7): only in a libvf built with
// SRIOV_COUNT_MMIO; otherwise everything here is empty and the data path has no code for it.
//
// A data-path call (RxQueue::burst, TxQueue::burst, TxQueue::reclaim) opens an MmioScope on its
// queue's MmioStats for as long as it runs. While one is open on a thread, the queue's tail
// writes (Doorbell::ring) and every access through the queue's registers (QueueRegisters, a
// counting wrapper of its dev::RegisterIo) are counted into it. Outside a scope (queue set-up,
// the control path) nothing is counted. Those two objects are every way a queue can reach the
// device, so a register read added to a burst would show up in the counts.
#pragma once

#include "dev/register_io.hpp"
#include "sriov/vf/queue_stats.hpp"

#include <cstdint>

namespace sriov::vf {

#ifdef SRIOV_COUNT_MMIO

namespace mmio {

// The counters of the data-path call running on this thread, or nullptr.
inline thread_local MmioStats* current = nullptr;

inline void count_doorbell()
{
    if (current)
        ++current->doorbell_writes;
}

}  // namespace mmio

class MmioScope {
public:
    explicit MmioScope(MmioStats& counts) : outer_(mmio::current) { mmio::current = &counts; }
    ~MmioScope() { mmio::current = outer_; }
    MmioScope(const MmioScope&) = delete;
    MmioScope& operator=(const MmioScope&) = delete;

private:
    MmioStats* outer_;  // tx burst() opens one and calls reclaim(), which opens another
};

// A queue's registers, counted while a data-path call of any queue runs on this thread.
class QueueRegisters final : public dev::RegisterIo {
public:
    explicit QueueRegisters(dev::RegisterIo& device) : device_(&device) {}
    std::uint32_t read32(std::uint32_t offset) override
    {
        if (mmio::current)
            ++mmio::current->reads;
        return device_->read32(offset);
    }
    void write32(std::uint32_t offset, std::uint32_t value) override
    {
        if (mmio::current)
            ++mmio::current->other_writes;
        device_->write32(offset, value);
    }

private:
    dev::RegisterIo* device_;
};

#define SRIOV_MMIO_SCOPE(counts) const ::sriov::vf::MmioScope sriov_mmio_scope_{counts}

#else

// Without counting a queue holds its dev::RegisterIo directly.
using QueueRegisters = dev::RegisterIo&;

#define SRIOV_MMIO_SCOPE(counts) static_cast<void>(0)

#endif

}  // namespace sriov::vf
