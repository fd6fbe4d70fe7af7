#include "vf/pf_reset_recovery.hpp"

#include "sriov/error.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace sriov::vf {

namespace {

// The PF has just said it is out of reset, so RSTI should not come back; a short bound suffices.
constexpr std::chrono::milliseconds pf_ready_timeout{100};

}  // namespace

PfResetRecovery::PfResetRecovery(VfControl& control, RxQueue& rx, TxQueue& tx, MacAddress& mac,
                                 std::function<void()> restart_interrupts, std::string name, Options options)
    : control_(control), rx_(rx), tx_(tx), mac_(mac), restart_interrupts_(std::move(restart_interrupts)),
      name_(std::move(name)), options_(options)
{
}

void PfResetRecovery::note(const VfControl::MailboxEvents& seen)
{
    // RSTI/RSTD, or a PF message that took away our clear-to-send (a control message without
    // CTS, a bare NACK): the PF has forgotten our reset (fact sheet 5.1, 5.4).
    if (seen.reset || (seen.message && !control_.clear_to_send()))
        needed_ = true;
}

bool PfResetRecovery::poll()
{
    try {
        note(control_.service_mailbox());
    } catch (const Error& e) {
        // A PF message we could not read whole: a PF in the middle of a reset does that.
        spdlog::debug("{}: reading the PF's message failed ({}); setting the VF up again", name_, e.what());
        needed_ = true;
    }
    if (!needed_)
        return false;
    const auto now = Clock::now();
    if (now < next_attempt_)
        return false;
    if (control_.mailbox().reset_in_progress()) {
        // RSTI: the PF is still coming up. Look again at the next call; nothing to wait for here.
        if (!said_waiting_)
            spdlog::info("{}: the PF is being reset; waiting for it to come back", name_);
        said_waiting_ = true;
        return false;
    }
    if (recover())
        return true;
    next_attempt_ = now + options_.retry_interval;
    return false;
}

bool PfResetRecovery::recover()
{
    try {
        // Section 5.4 steps 2-6: the handshake again; the PF may give another MAC.
        const auto assigned = control_.reset(pf_ready_timeout);
        if (!assigned) {
            ++stats_.recovery_failures;
            spdlog::warn("{}: after the PF reset the PF refused the VF's reset (no MAC for it); trying again",
                         name_);
            return false;
        }
        // Step 7: the resets disabled the queues. What TX still held is given up (the device will
        // not send it now); RX gets fresh buffers in every slot.
        const std::uint32_t lost = tx_.give_back();
        rx_.start(options_.queue_enable_timeout);
        tx_.start(options_.queue_enable_timeout);
        if (restart_interrupts_)
            restart_interrupts_();
        if (*assigned != mac_)
            spdlog::warn("{}: the PF assigned MAC {} after its reset (was {})", name_, *assigned, mac_);
        mac_ = *assigned;
        needed_ = false;
        said_waiting_ = false;
        ++stats_.pf_resets;
        stats_.tx_given_up += lost;
        spdlog::info("{}: the PF was reset; reset handshake redone, queues set up again ({} frames in the TX "
                     "ring given up)",
                     name_, lost);
        return true;
    } catch (const Error& e) {
        ++stats_.recovery_failures;
        spdlog::info("{}: setting the VF up again after a PF reset failed: {}; trying again in {} ms", name_,
                     e.what(), options_.retry_interval.count());
        return false;
    }
}

}  // namespace sriov::vf
