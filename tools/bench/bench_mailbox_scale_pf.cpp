#include "bench_mailbox_scale_pf.hpp"

#include <fmt/format.h>

#include <chrono>

namespace sriov::bench {

namespace {

// sriovd's PF mailbox timing (pf_manager.cpp): 10 ms at most for the buffer lock, looked at every 20 us.
constexpr mbx::Timing pf_mailbox_timing{std::chrono::milliseconds(10), std::chrono::microseconds(20)};

// The bring-up without its pauses: the model needs none (its waits still have their bounds).
pf::E82576Pf::Delays model_delays()
{
    pf::E82576Pf::Delays d;
    d.quiesce = d.after_reset = std::chrono::microseconds(0);
    return d;
}

}  // namespace

MacAddress ModelPf::vf_mac(unsigned index, unsigned vf)
{
    return MacAddress(MacAddress::Bytes{0x02, 0x00, 0x5e, static_cast<std::uint8_t>(index >> 8),
                                        static_cast<std::uint8_t>(index), static_cast<std::uint8_t>(vf)});
}

ModelPf::ModelPf(boost::asio::io_context& io, unsigned index, unsigned num_vfs, const pf::PolicingLimits& limits)
    : name_(fmt::format("0000:{:02x}:00.0", index + 1)), chip_(registers_, name_, model_delays()),
      mailbox_(registers_, pf_mailbox_timing), policy_(num_vfs), supervisor_(chip_, policy_),
      policer_(num_vfs, limits), service_(io, chip_, mailbox_, supervisor_, policer_, vector0_, name_)
{
    for (unsigned vf = 0; vf < num_vfs; ++vf) {
        pf::VfAdmin admin;
        admin.mac = vf_mac(index, vf);
        policy_.set_admin(vf, admin);
    }
    // As PfManager: the chip up for the VFs, then every VF's state; then the kernel creates them.
    chip_.bring_up(num_vfs);
    supervisor_.restore_all(pf::VfSupervisor::Clock::now());
    model_.set_num_vfs(num_vfs);
    model_.set_interrupt_hook([this](const model::Interrupt& i) {
        if (i.to_pf && i.vector == 0)
            vector0_.signal();
        else if (!i.to_pf && on_vf_interrupt_)
            on_vf_interrupt_(i.vf);
    });
    model_.set_mailbox_hook([this](const model::MailboxWrite& w) {
        const std::int64_t at = std::chrono::duration_cast<std::chrono::nanoseconds>(w.at.time_since_epoch()).count();
        if (w.kind == model::MailboxWrite::Kind::vf_request) {
            request_at_[w.vf].store(at, std::memory_order_relaxed);
        } else if (const std::int64_t asked = request_at_[w.vf].exchange(0, std::memory_order_relaxed)) {
            pf_side_.push_back(std::chrono::nanoseconds(at - asked));
        }
    });
}

ModelPf::~ModelPf()
{
    model_.set_interrupt_hook({});
    model_.set_mailbox_hook({});
}

void ModelPf::start()
{
    registers_.clear();  // the bring-up's accesses are not the mailbox's
    service_.start();
    service_.vfs_created();
}

void ModelPf::stop() noexcept { service_.stop(); }

}  // namespace sriov::bench
