#include "vfio/interrupts.hpp"

#include "sriov/error.hpp"

#include <linux/vfio.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <utility>

namespace sriov::vfio {

namespace {

const char* irq_name(PciIrq irq)
{
    switch (irq) {
    case PciIrq::intx: return "INTx";
    case PciIrq::msi: return "MSI";
    case PciIrq::msix: return "MSI-X";
    case PciIrq::error: return "error";
    case PciIrq::request: return "request";
    }
    return "?";
}

// VFIO_DEVICE_SET_IRQS with `fds` as the triggers of vectors 0..n-1; n = 0 turns them all off.
int set_irqs(int device_fd, PciIrq irq, const std::vector<EventFd>& fds)
{
    std::vector<std::uint8_t> buf(sizeof(vfio_irq_set) + fds.size() * sizeof(std::int32_t));
    auto* set = reinterpret_cast<vfio_irq_set*>(buf.data());
    set->argsz = static_cast<std::uint32_t>(buf.size());
    set->flags = VFIO_IRQ_SET_ACTION_TRIGGER | (fds.empty() ? VFIO_IRQ_SET_DATA_NONE : VFIO_IRQ_SET_DATA_EVENTFD);
    set->index = static_cast<std::uint32_t>(irq);
    set->start = 0;
    set->count = static_cast<std::uint32_t>(fds.size());
    for (std::size_t i = 0; i < fds.size(); ++i) {
        std::int32_t fd = fds[i].fd();
        std::memcpy(set->data + i * sizeof fd, &fd, sizeof fd);
    }
    return ::ioctl(device_fd, VFIO_DEVICE_SET_IRQS, set);
}

}  // namespace

Interrupts::Interrupts(Device& device, PciIrq irq, unsigned count) : device_(&device), irq_(irq)
{
    if (count == 0)
        throw Error(Errc::invalid_argument, device.name(), fmt::format("asked for 0 {} interrupts", irq_name(irq)));
    if (static_cast<unsigned>(irq) >= device.num_irqs())
        throw Error(Errc::unsupported, device.name(), fmt::format("has no {} interrupt", irq_name(irq)));
    const IrqInfo info = device.irq_info(irq);
    if (info.count < count || !info.eventfd)
        throw Error(Errc::unsupported, device.name(),
                    fmt::format("offers {} {} interrupt(s), {} were asked for", info.count, irq_name(irq), count));
    fds_.resize(count);
    if (set_irqs(device.fd(), irq, fds_) != 0)
        throw system_error(device.name(), fmt::format("routing {} {} interrupt(s) to eventfds", count, irq_name(irq)),
                           errno);
}

Interrupts::Interrupts(Interrupts&& other) noexcept
    : device_(std::exchange(other.device_, nullptr)), irq_(other.irq_), fds_(std::move(other.fds_))
{
}

Interrupts::~Interrupts()
{
    if (device_ && !fds_.empty() && set_irqs(device_->fd(), irq_, {}) != 0)
        spdlog::warn("vfio: {}: turning off {} interrupts failed: errno {}", device_->name(), irq_name(irq_), errno);
}

}  // namespace sriov::vfio
