// Interrupts of a VFIO device delivered to eventfds: MSI-X vectors, the error interrupt and the
// request interrupt (the kernel asking the user to give the device back, e.g. before its VF is
// removed). The object routes the interrupts while it lives and turns them off when destroyed.
#pragma once

#include "vfio/device.hpp"
#include "vfio/event_fd.hpp"

#include <cstddef>
#include <vector>

namespace sriov::vfio {

class Interrupts {
public:
    // Routes `count` interrupts of kind `irq` (vectors 0..count-1 for MSI-X, 1 for error and
    // request) of `device` to fresh eventfds. The device must outlive this object.
    // Throws sriov::Error: unsupported (the device lacks that interrupt, or has fewer vectors;
    // names how many it has), io.
    Interrupts(Device& device, PciIrq irq, unsigned count);
    Interrupts(Interrupts&&) noexcept;
    Interrupts& operator=(Interrupts&&) = delete;
    Interrupts(const Interrupts&) = delete;
    Interrupts& operator=(const Interrupts&) = delete;
    ~Interrupts();

    std::size_t size() const { return fds_.size(); }
    EventFd& operator[](std::size_t vector) { return fds_.at(vector); }

private:
    Device* device_;
    PciIrq irq_;
    std::vector<EventFd> fds_;
};

}  // namespace sriov::vfio
