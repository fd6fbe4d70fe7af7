// The failover port's control path: noticing why to switch, and the switches themselves, in the
// order failover.hpp gives.
#include "vf/failover_state.hpp"

#include "sriov/error.hpp"

#include <thread>

namespace sriov::vf {

namespace {

// Runs `done` until it returns true or `timeout` passes; returns its last answer.
template <typename Done>
bool wait_until(Done&& done, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
        if (Clock::now() >= deadline)
            return done();
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
}

}  // namespace

void FailoverPort::poll()
{
    Impl& p = *impl_;
    const auto now = Clock::now();
    try {
        if (p.standby)
            p.stats.standby_overflows += p.standby->take_dropped();
        switch (p.mode) {
        case Mode::vf:
        case Mode::vf_dedupe:
        case Mode::vf_leaving:
            watch_vf(now);
            break;
        case Mode::standby:
            watch_for_return(now);
            break;
        case Mode::vf_returning:
            if (p.vf->poll_events().release_requested) {
                p.close_vf();  // taken again before it carried anything
                p.mode = Mode::standby;
            } else if (!p.vf->link_up()) {
                // A returning VF takes a moment to have link. Until it has, what its ring holds
                // is thrown away (the standby delivers it), so that the ring cannot fill up and
                // drop frames just when it takes over; the settling time starts again.
                discard_vf_ring();
                p.phase_start = now;
            } else if (now - p.phase_start >= p.options.settle &&
                       (vf_caught_up() || now - p.phase_start >= sync_limit)) {
                finish_returning();
            }
            break;
        case Mode::stopped:
            break;
        }
    } catch (const std::exception& e) {
        spdlog::warn("{}: failover: {}", p.address, e.what());
    }
}

void FailoverPort::watch_vf(TimePoint now)
{
    Impl& p = *impl_;
    const Events events = p.vf->poll_events();
    if (events.release_requested) {
        if (!p.standby) {
            spdlog::info("{}: the kernel asks for the VF back and there is no standby: the port stops", p.address);
            p.close_vf();
            p.mode = Mode::stopped;
            fast_ = false;
            return;
        }
        if (p.mode != Mode::vf_leaving) {
            p.history.clear();
            p.mode = Mode::vf_leaving;
            p.phase_start = now;
            fast_ = false;
        }
    }
    if (p.standby)
        p.stats.standby_discarded += p.standby->discard();  // the VF delivered these already
    if (p.mode == Mode::vf_leaving) {
        if (now - p.phase_start >= p.options.settle)
            finish_leaving();
        return;
    }
    if (p.mode == Mode::vf_dedupe && now - p.phase_start >= 4 * p.options.settle) {
        p.history.close_window();
        if (p.pending_count == 0) {
            p.mode = Mode::vf;
            fast_ = true;
        }
    }
    if (!p.standby)
        return;
    if (events.pf_down) {
        if (!p.pf_down_since)
            p.pf_down_since = now;
        else if (now - *p.pf_down_since >= p.options.pf_reset_timeout && p.standby->carrier())
            fail_over(SwitchReason::pf_reset);
        return;
    }
    p.pf_down_since.reset();
    if (!p.vf->link_up() && p.standby->carrier())
        fail_over(SwitchReason::link_down);
    else
        watch_tx(now);
}

// Frames waiting in the VF's TX ring while none is sent: the VF has stopped working without
// saying so (its PF stopped its queues, say). Reads DMA memory only.
void FailoverPort::watch_tx(TimePoint now)
{
    Impl& p = *impl_;
    tx_->reclaim();
    const std::uint64_t completed = tx_->stats().packets - tx_->in_flight();
    if (completed != p.tx_completed || tx_->in_flight() == 0) {
        p.tx_completed = completed;
        p.tx_moved_at = now;
    } else if (now - p.tx_moved_at >= p.options.tx_stall_timeout && p.standby->carrier()) {
        fail_over(SwitchReason::tx_stalled);
    }
}

// After a TX stall the VF gives no sign of working again but sending: every vf_check_interval
// its queues are set up afresh and one frame, the MAC's announcement, is given to it; once the
// VF has sent it, the port goes back. What the VF receives meanwhile is thrown away (the standby
// delivers it).
void FailoverPort::probe_tx(TimePoint now)
{
    Impl& p = *impl_;
    discard_vf_ring();
    if (now - p.last_vf_check < p.options.vf_check_interval)
        return;
    p.last_vf_check = now;
    if (p.probing) {
        tx_->reclaim();
        if (tx_->in_flight() == 0) {
            p.probing = false;
            begin_returning(SwitchReason::tx_resumed, false);
            return;
        }
    }
    p.vf->start_queues();  // the probe still in the ring is given up
    p.probing = p.send_announcement(*tx_);
}

// Planned: TX drained, RX turned off and emptied, then the standby; the VF is given back last.
void FailoverPort::finish_leaving()
{
    Impl& p = *impl_;
    if (!wait_until([&] { tx_->reclaim(); return tx_->in_flight() == 0; }, p.options.drain_timeout))
        spdlog::warn("{}: the VF's TX ring did not drain within {} ms; {} frames may be lost", p.address,
                     p.options.drain_timeout.count(), tx_->in_flight());
    rx_->disable();
    std::array<PacketBuffer*, 32> got{};
    while (const std::uint32_t n = rx_->burst(got.data(), got.size())) {
        for (std::uint32_t i = 0; i < n; ++i) {
            p.history.record(*got[i]);
            p.push_pending(got[i]);
        }
    }
    if (p.history.size() > 0) {
        p.sync_hash = p.history.last();
        p.sync_deadline = Clock::now() + sync_limit;
    }
    p.mode = Mode::standby;
    p.phase_start = Clock::now();
    p.account_path(Path::standby, p.phase_start);
    p.announce_on_standby();
    p.close_vf();
    ++p.stats.switch_overs;
    p.notify(Path::vf, Path::standby, SwitchReason::released, 0);
}

// Unplanned: the VF's queues stop at once; what its TX ring held is given up, what the standby
// had queued is dropped (it cannot be told apart from what the VF delivered).
void FailoverPort::fail_over(SwitchReason reason)
{
    Impl& p = *impl_;
    tx_->disable();
    const std::uint64_t given_up = tx_->give_back();
    rx_->disable();
    std::array<PacketBuffer*, 32> got{};
    while (const std::uint32_t n = rx_->burst(got.data(), got.size()))
        for (std::uint32_t i = 0; i < n; ++i)
            p.push_pending(got[i]);
    p.standby->discard();
    p.resolve_sync();
    p.history.clear();
    p.stats.tx_given_up += given_up;
    p.failed_for = reason;
    p.probing = false;
    p.last_vf_check = Clock::now();
    p.mode = Mode::standby;
    fast_ = false;
    p.phase_start = Clock::now();
    p.account_path(Path::standby, p.phase_start);
    p.pf_down_since.reset();
    p.announce_on_standby();
    ++p.stats.switch_overs;
    p.notify(Path::vf, Path::standby, reason, given_up);
}

// On the standby: is the VF back? Its link or PF (the VF still open), or its device (re-opened
// on a helper thread, so that the standby keeps carrying meanwhile).
void FailoverPort::watch_for_return(TimePoint now)
{
    Impl& p = *impl_;
    if (now - p.phase_start >= 4 * p.options.settle)
        p.history.close_window();
    if (p.sync_hash && now >= p.sync_deadline)
        p.resolve_sync();
    if (p.vf) {
        const Events events = p.vf->poll_events();
        if (events.release_requested) {
            p.close_vf();  // it was down anyway; wait for it to come back as a device
            return;
        }
        if (p.failed_for == SwitchReason::tx_stalled) {
            probe_tx(now);
        } else if (events.pf_reset) {
            begin_returning(SwitchReason::pf_recovered, false);
        } else if (!events.pf_down && p.vf->link_up()) {
            begin_returning(SwitchReason::link_back, true);
        }
        return;
    }
    if (p.reopening.valid()) {
        if (p.reopening.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
            return;
        try {
            p.vf = p.reopening.get();
        } catch (const std::exception& e) {
            ++p.stats.reopen_failures;
            spdlog::info("{}: the VF is back but opening it failed: {}; trying again", p.address, e.what());
            p.last_vf_check = now;
            return;
        }
        if (p.vf->mac() != p.mac)
            spdlog::warn("{}: the returning VF has MAC {}, the port carries {}", p.address, p.vf->mac(), p.mac);
        begin_returning(SwitchReason::vf_back, true);
        return;
    }
    if (now - p.last_vf_check < p.options.vf_check_interval)
        return;
    p.last_vf_check = now;
    if (!vf_device_ready(p.address))
        return;
    p.reopening = std::async(std::launch::async, [&p] {
        return Vf::open_unstarted(p.address, p.options.vf, &p.buffers);
    });
}

// Whether the standby has delivered the oldest frame in the returning VF's ring (or the ring is
// empty): then every frame is in one of the two, and the copies in the ring are in the history.
bool FailoverPort::vf_caught_up()
{
    const PacketBuffer* b = rx_->peek();
    return !b || impl_->history.contains(*b);
}

void FailoverPort::discard_vf_ring()
{
    std::array<PacketBuffer*, 32> got{};
    while (const std::uint32_t n = rx_->burst(got.data(), got.size())) {
        for (std::uint32_t i = 0; i < n; ++i)
            impl_->pool().free(got[i]);
        impl_->vf_undelivered += n;
    }
}

void FailoverPort::begin_returning(SwitchReason reason, bool start_queues)
{
    Impl& p = *impl_;
    if (start_queues)
        p.vf->start_queues();  // RX fills the VF's ring from now on; the standby still delivers
    rx_ = p.vf->rx_;
    tx_ = p.vf->tx_;
    p.history.clear();
    p.return_reason = reason;
    p.mode = Mode::vf_returning;
    p.phase_start = Clock::now();
}

// Back to the VF: the standby's driver has sent what it was given, what the standby has is
// delivered (recorded), then the VF carries everything and its copies of those are dropped.
void FailoverPort::finish_returning()
{
    Impl& p = *impl_;
    if (!wait_until([&] { return p.standby->unsent_bytes() == 0; }, p.options.drain_timeout))
        spdlog::warn("{}: the standby {} still had {} bytes to send after {} ms", p.address,
                     p.standby->interface(), p.standby->unsent_bytes(), p.options.drain_timeout.count());
    std::array<PacketBuffer*, 32> got{};
    while (const std::uint32_t n = p.receive_standby(got.data(), got.size(), true))
        for (std::uint32_t i = 0; i < n; ++i)
            p.push_pending(got[i]);
    p.send_announcement(*tx_);
    p.tx_completed = tx_->stats().packets - tx_->in_flight();
    p.tx_moved_at = Clock::now();
    p.history.open_window();
    p.mode = Mode::vf_dedupe;
    p.phase_start = Clock::now();
    p.account_path(Path::vf, p.phase_start);
    ++p.stats.switch_backs;
    p.notify(Path::standby, Path::vf, p.return_reason, 0);
}

}  // namespace sriov::vf
