// What the kernel tells the owner of a PF through VFIO besides MSI-X: the error interrupt (the
// PCIe link or the device reported an error, AER) and the request interrupt (the kernel wants the
// device back: someone unbinds vfio-pci from it, or it is being removed). Both arrive as eventfds,
// watched here on the event loop; what to do is the caller's.
#pragma once

#include "vfio/device.hpp"
#include "vfio/interrupts.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <functional>
#include <memory>
#include <optional>

namespace sriov::pf {

class PfNotices {
public:
    // Routes the device's error and request interrupts to eventfds and watches them on io. An
    // interrupt the device (or kernel) does not offer is left out, with a warning in the log.
    // The device must outlive this object. Never throws sriov::Error.
    PfNotices(boost::asio::io_context& io, vfio::Device& device);
    ~PfNotices();
    PfNotices(const PfNotices&) = delete;
    PfNotices& operator=(const PfNotices&) = delete;

    // Called on the loop for every error interrupt / request interrupt. Must not throw.
    void on_error(std::function<void()> handler) { on_error_ = std::move(handler); }
    void on_request(std::function<void()> handler) { on_request_ = std::move(handler); }

    bool has_error_irq() const { return error_.has_value(); }
    bool has_request_irq() const { return request_.has_value(); }

private:
    struct Watch;
    std::optional<vfio::Interrupts> error_;
    std::optional<vfio::Interrupts> request_;
    std::unique_ptr<Watch> error_watch_;
    std::unique_ptr<Watch> request_watch_;
    std::function<void()> on_error_;
    std::function<void()> on_request_;
};

}  // namespace sriov::pf
