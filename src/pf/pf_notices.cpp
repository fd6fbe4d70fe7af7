#include "pf/pf_notices.hpp"

#include "sriov/error.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

namespace sriov::pf {

// One eventfd watched on the loop: drains it and calls back, until destroyed.
struct PfNotices::Watch {
    Watch(boost::asio::io_context& io, vfio::EventFd& fd, std::function<void()> call)
        : fd_(fd), stream_(io, ::dup(fd.fd())), call_(std::move(call))
    {
        arm();
    }
    ~Watch()
    {
        *alive_ = false;  // a completion already queued must not touch this object
        boost::system::error_code ignored;
        stream_.cancel(ignored);
    }
    void arm()
    {
        stream_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                           [this, alive = alive_](const boost::system::error_code& ec) {
                               if (ec || !*alive)
                                   return;
                               fd_.drain();
                               call_();
                               arm();
                           });
    }

    vfio::EventFd& fd_;
    boost::asio::posix::stream_descriptor stream_;
    std::function<void()> call_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

namespace {

std::optional<vfio::Interrupts> route(vfio::Device& device, vfio::PciIrq irq, const char* what)
{
    try {
        return vfio::Interrupts(device, irq, 1);
    } catch (const Error& e) {
        spdlog::warn("{}: no {} interrupt ({}); sriovd will not hear of it", device.address(), what, e.what());
        return std::nullopt;
    }
}

}  // namespace

PfNotices::PfNotices(boost::asio::io_context& io, vfio::Device& device)
    : error_(route(device, vfio::PciIrq::error, "error")), request_(route(device, vfio::PciIrq::request, "request"))
{
    if (error_)
        error_watch_ = std::make_unique<Watch>(io, (*error_)[0], [this] {
            if (on_error_)
                on_error_();
        });
    if (request_)
        request_watch_ = std::make_unique<Watch>(io, (*request_)[0], [this] {
            if (on_request_)
                on_request_();
        });
}

PfNotices::~PfNotices() = default;

}  // namespace sriov::pf
