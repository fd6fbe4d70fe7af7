// One PF of bench-mailbox-scale: an 82576 register model (test/model, one per PF) and, on the PF
// side, the objects sriovd's PfManager composes around a PF (E82576Pf, PfMailbox, VfPolicy,
// VfSupervisor, RequestPolicer, MailboxService), served on an io_context that all the PFs share,
// as sriovd serves every PF on one event loop (src/sriovd/daemon.cpp). What VFIO does for sriovd
// the model's interrupt hook does here: each message to the PF's MSI-X vector 0 signals the
// eventfd the mailbox service waits on. PfManager itself opens the PF through VFIO, so it is not
// used; its counter timer, notices and rate limits play no part in the mailbox.
#pragma once

#include "mbx/pf_mailbox.hpp"
#include "model/e82576_model.hpp"
#include "model/register_spy.hpp"
#include "pf/e82576_pf.hpp"
#include "pf/mailbox_service.hpp"
#include "pf/request_policer.hpp"
#include "pf/vf_policy.hpp"
#include "pf/vf_supervisor.hpp"
#include "sriov/mac_address.hpp"
#include "vfio/event_fd.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <string>
#include <vector>

namespace sriov::bench {

// Runs f on the thread of io (the PF side's loop) and waits for it.
template <typename F>
void on_loop(boost::asio::io_context& io, F f)
{
    std::promise<void> done;
    boost::asio::post(io, [&] {
        f();
        done.set_value();
    });
    done.get_future().wait();
}

class ModelPf {
public:
    // PF number `index` (named 0000:II:00.0 in logs, II = index + 1) with num_vfs VFs, each with
    // the MAC vf_mac(index, vf), policed with `limits`, brought up as sriovd does. The service is
    // built on io but not started.
    ModelPf(boost::asio::io_context& io, unsigned index, unsigned num_vfs, const pf::PolicingLimits& limits);
    ~ModelPf();
    ModelPf(const ModelPf&) = delete;
    ModelPf& operator=(const ModelPf&) = delete;

    // On io's thread: starts serving and tells the VFs the PF is up (as after the VFs' creation).
    void start();
    // On io's thread: stops waiting for interrupts.
    void stop() noexcept;

    // VF n's BAR0, for the VF side.
    dev::RegisterIo& vf(unsigned n) { return model_.vf(n); }
    // Called with the VF's number for each interrupt message the model sends one of this PF's VFs
    // (their mailbox interrupt, once a VF routed it), on the thread whose access caused it: the
    // PF's loop, the only one writing PF messages. Set before the VFs route their interrupts;
    // change it on the loop's thread afterwards.
    void on_vf_interrupt(std::function<void(unsigned vf)> f) { on_vf_interrupt_ = std::move(f); }
    // The PF side's answer times: each from a VF's request written to the PF's next message to that
    // VF written, as the model timed both writes (the PF's own messages, with no request before
    // them, are not counted). Read once the loop has stopped.
    const std::vector<std::chrono::nanoseconds>& pf_side() const { return pf_side_; }
    // The PF side's register accesses since start() (its counts). Read once the loop has stopped.
    const model::RegisterSpy& register_accesses() const { return registers_; }
    const std::string& name() const { return name_; }
    // Read once the loop has stopped.
    const pf::MailboxStats& stats() const { return service_.stats(); }
    const pf::RequestPolicer& policer() const { return policer_; }

    static MacAddress vf_mac(unsigned index, unsigned vf);

private:
    std::string name_;
    model::E82576Model model_;
    model::RegisterSpy registers_{model_.pf()};  // what the PF side uses to reach the model, counted
    pf::E82576Pf chip_;
    mbx::PfMailbox mailbox_;
    pf::VfPolicy policy_;
    pf::VfSupervisor supervisor_;
    pf::RequestPolicer policer_;
    vfio::EventFd vector0_;
    pf::MailboxService service_;
    std::function<void(unsigned vf)> on_vf_interrupt_;
    // When each VF's request under way was written (0: none), set on the VF's thread, taken on the
    // PF's (the only one that writes PF messages, so pf_side_ needs no lock).
    std::array<std::atomic<std::int64_t>, e82576::total_vfs> request_at_{};
    std::vector<std::chrono::nanoseconds> pf_side_;
};

}  // namespace sriov::bench
