#include "vf_count_change.hpp"

#include "sriov/error.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <future>

namespace sriov::sriovd {

VfCountChange::VfCountChange(boost::asio::io_context& io, const pf::VfProvisioner& provisioner, pci::Address pf)
    : io_(io), provisioner_(provisioner), pf_(pf)
{
}

VfCountChange::~VfCountChange()
{
    stopping_ = true;
    if (worker_.joinable())
        worker_.join();
}

void VfCountChange::start(unsigned num_vfs, std::vector<std::string> drivers, Hooks hooks)
{
    if (busy_.exchange(true))
        throw Error(Errc::busy, pf_.to_string(), "the VF count is being changed already; vfctl monitor shows when it is done");
    if (worker_.joinable())
        worker_.join();  // the previous change, finished
    worker_ = std::thread([this, num_vfs, drivers = std::move(drivers), hooks = std::move(hooks)] {
        run(num_vfs, drivers, hooks);
        busy_ = false;
    });
}

bool VfCountChange::on_loop(const std::function<void()>& f)
{
    auto done = std::make_shared<std::promise<void>>();
    auto result = done->get_future();
    boost::asio::post(io_, [f, done] {
        try {
            f();
            done->set_value();
        } catch (...) {
            done->set_exception(std::current_exception());
        }
    });
    while (result.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
        if (stopping_ || io_.stopped())
            return false;
    result.get();  // rethrows what f threw
    return true;
}

void VfCountChange::run(unsigned num_vfs, const std::vector<std::string>& drivers, const Hooks& hooks)
{
    std::string step = "tell the VFs";
    try {
        if (!on_loop(hooks.removing))
            return;
        step = "remove the VFs";
        provisioner_.remove_vfs(pf_);
        step = fmt::format("bring the PF up for {} VFs", num_vfs);
        // Captures by value: if sriovd stops meanwhile, the loop may still run them after this returns.
        if (!on_loop([bring_up = hooks.bring_up, num_vfs] { bring_up(num_vfs); }))
            return;
        step = fmt::format("create {} VFs", num_vfs);
        const auto vfs = num_vfs ? provisioner_.create_vfs(pf_, num_vfs, drivers) : std::vector<pci::Address>{};
        on_loop([created = hooks.created, vfs] { created(vfs); });
    } catch (const std::exception& e) {
        const std::string why = fmt::format("cannot {}: {}", step, e.what());
        on_loop([failed = hooks.failed, why] { failed(why); });
    }
}

}  // namespace sriov::sriovd
