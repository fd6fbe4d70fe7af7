// Noticing that the PF has reset (sriovd restarted, an operator's `vfctl reset PF`) and setting
// the VF up again, without the application reopening it (issue 5, "Resilience").
//
// Signs of a PF reset, all seen on the control path (fact sheet 5.1, 5.2, 5.4):
//   - RSTI in VFMAILBOX: the PF is in reset now (wait until it clears);
//   - RSTD in VFMAILBOX: the PF has come out of a reset (PFRSTD written);
//   - a PF control message without CTS, or a bare NACK: the PF no longer counts us as reset.
// Recovery is the bring-up again, in its order: the reset handshake (VTCTRL.RST, VF_RESET and
// the MAC), then the RX and TX queues (a PF reset and a VF reset both disable them; their buffers
// go back to the pool: TX frames still in the ring are given up and counted, RX buffers are
// posted afresh), then the interrupt set-up (interrupt mode).
//
// Nothing here blocks while the PF is in reset: poll() returns and the next call looks again.
// A recovery attempt that fails (no PF manager answers yet) is retried after retry_interval; one
// attempt waits at most as long as one mailbox exchange may (mbx::Timing, about 1 s).
#pragma once

#include "sriov/libvf.hpp"
#include "sriov/mac_address.hpp"
#include "vf/rx_queue.hpp"
#include "vf/tx_queue.hpp"
#include "vf/vf_control.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace sriov::vf {

class PfResetRecovery {
public:
    using Clock = std::chrono::steady_clock;

    struct Options {
        std::chrono::milliseconds queue_enable_timeout{1000};
        std::chrono::milliseconds retry_interval{200};
    };

    // restart_interrupts: programs the VF's interrupt registers again (empty in polling mode).
    // `mac` is updated with what the PF assigns at each recovery.
    PfResetRecovery(VfControl& control, RxQueue& rx, TxQueue& tx, MacAddress& mac,
                    std::function<void()> restart_interrupts, std::string name, Options options);

    // Takes note of what a look at the mailbox found elsewhere (the interrupt path reads it).
    void note(const VfControl::MailboxEvents& seen);
    // The PF refused a request because we are not clear to send: it wants a reset.
    void note_refusal() { needed_ = true; }

    // Looks at the mailbox once (a PF message is read and answered) and, when a PF reset was
    // seen and the PF is out of it, recovers. Returns true when a recovery completed in this call.
    // Never throws: a failed attempt is logged, counted and retried later.
    bool poll();

    bool recovery_pending() const { return needed_; }
    const ControlStats& stats() const { return stats_; }
    ControlStats& stats() { return stats_; }

private:
    bool recover();

    VfControl& control_;
    RxQueue& rx_;
    TxQueue& tx_;
    MacAddress& mac_;
    std::function<void()> restart_interrupts_;
    std::string name_;
    Options options_;
    bool needed_ = false;
    bool said_waiting_ = false;
    Clock::time_point next_attempt_{};
    ControlStats stats_;
};

}  // namespace sriov::vf
