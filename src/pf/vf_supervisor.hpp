// Serving the VFs as Linux's igb does (fact sheet section 5): their reset events, their mailbox
// requests and acknowledgements, and the PF's control message. For each event it updates the VF's
// state, programs the PF through PfDevice, and says what to answer and why.
//
// It does not touch the mailbox itself: the caller reads the VF's words, hands them over, and
// writes back the reply an Outcome carries (mailbox_service.hpp does that for sriovd). So every
// decision can be tested with a fake or modelled PfDevice and no mailbox.
//
// Request handling, per VF:
//   - VF_RESET: forget what the VF asked for (its MAC is kept), program its MAC filter, VLAN 0
//     (or the port VLAN), receive mode and queue enables, mark it clear to send (CTS), answer ACK
//     with the MAC, or NACK if it has none (the VF then makes one up).
//   - Any other request before that: NACK without CTS.
//   - Any other request of a quarantined VF: NACK. A quarantined VF may still reset itself and
//     complete VF_RESET, but its queues stay stopped and the control message never carries CTS
//     (its driver sees the link down), until an operator releases it. An administrator's
//     link_state "disable" does the same to a VF that is otherwise served as usual.
//   - SET_MAC_ADDR, SET_VLAN, SET_PROMISC multicast: as the VfPolicy decides; SET_MULTICAST and
//     SET_LPE (up to PfDevice::max_frame()): always. Extra unicast filters and unicast
//     promiscuous mode are not supported: NACK. Answers carry CTS.
//   - Malformed words: NACK (with CTS if the VF has it), with the decoder's reason. Words that
//     carry ACK or NACK already are an answer still in the buffer, not a request: ignored, as
//     Linux does.
#pragma once

#include "mbx/message.hpp"
#include "mbx/request.hpp"
#include "pf/pf_device.hpp"
#include "pf/vf_policy.hpp"
#include "pf/vf_state.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sriov::pf {

enum class Verdict { ack, nack, ignored };

// "ACK", "NACK", "ignored". Never throws.
std::string_view to_string(Verdict verdict) noexcept;

struct Outcome {
    std::optional<mbx::Message> reply;  // what to write into the VF's mailbox; nullopt: nothing
    Verdict verdict = Verdict::ignored;
    std::string request;  // what the VF sent, e.g. "SET_VLAN add 100"
    std::string reason;   // why this verdict, or what was done
    bool malformed = false;  // the words were not a valid request
};

class VfSupervisor {
public:
    using Clock = std::chrono::steady_clock;
    // The shortest time between two NACKs telling a VF that is not clear to send to reset (Linux).
    static constexpr std::chrono::seconds nack_interval{2};

    // Serves policy.num_vfs() VFs through device. Both must outlive this object.
    VfSupervisor(PfDevice& device, const VfPolicy& policy);

    // Called after a VF changed its own MAC (SET_MAC_ADDR allowed by the policy, to a new
    // address), so that the change can be kept. It must not throw.
    using MacObserver = std::function<void(unsigned vf, const MacAddress& mac)>;
    void on_mac_changed(MacObserver observer) { mac_observer_ = std::move(observer); }

    // Called whenever what a VF holds (state()) may have changed, before the VF is answered, so
    // that it can be kept where a restarted sriovd finds it. It must not throw.
    using StateObserver = std::function<void()>;
    void on_state_changed(StateObserver observer) { state_observer_ = std::move(observer); }

    unsigned num_vfs() const { return static_cast<unsigned>(state_.size()); }
    const std::vector<VfState>& states() const { return state_; }
    // The PF now serves policy.num_vfs() VFs (the VF count changed): every VF starts afresh. Call
    // restore_all() once the PF is brought up for them.
    void resize()
    {
        state_.assign(policy_.num_vfs(), VfState{});
        changed();
    }
    // Throws std::out_of_range for vf >= num_vfs().
    const VfState& state(unsigned vf) const { return state_.at(vf); }

    // Puts every VF in its state after a reset: the administrator's MAC filter, VLAN 0 or the
    // port VLAN, spoof checking, receive mode, queues stopped. For after PfDevice::bring_up().
    void restore_all(Clock::time_point now);

    // For after PfDevice::resume(): the VFs' drivers kept running under a previous sriovd, which
    // left what it had granted each of them in `saved` (one per VF, as state() gave it). A VF
    // that was clear to send, whose MAC is still the one the policy gives it, gets back its
    // filters, VLANs, multicast hashes, receive mode and queues, and stays clear to send: its
    // driver needs no reset. Anything the policy no longer allows is left out, as apply_admin()
    // does. Every other VF (and every VF missing from `saved`) is restored as by restore_all(),
    // with the NACK that makes its driver reset due at once. Quarantines are kept. Returns the
    // number of VFs resumed without a reset.
    unsigned resume_all(const std::vector<VfState>& saved, Clock::time_point now);

    // VF vf reset itself (an FLR or VTCTRL.RST; 82576: its VFLRE bit): forget what it asked for,
    // including a MAC it chose, restore the administrator's settings, stop its queues until it
    // sends VF_RESET, and take CTS away. Throws std::out_of_range for a bad vf.
    void on_reset_event(unsigned vf, Clock::time_point now);

    // The words VF vf wrote into its mailbox. Never throws for bad words (they get a NACK);
    // throws std::out_of_range for a bad vf.
    Outcome on_message(unsigned vf, std::span<const std::uint32_t> words, Clock::time_point now);

    // VF vf acknowledged a message of ours. A VF that is not clear to send is told, by a bare NACK
    // at most every nack_interval, that it must reset. Throws std::out_of_range for a bad vf.
    Outcome on_ack(unsigned vf, Clock::time_point now);

    // The PF control message for vf: alive, with CTS if the VF has completed VF_RESET and may
    // run (see may_run()). Throws std::out_of_range for a bad vf.
    mbx::Message control_message(unsigned vf) const;

    // May VF vf's queues receive and transmit: not quarantined, and its link not disabled by the
    // administrator. Throws std::out_of_range for a bad vf.
    bool may_run(unsigned vf) const;

    // --- Operators' changes. Each throws std::out_of_range for a bad vf, nothing else. ---

    // The administrator's settings of vf changed from `before` to what the policy holds now:
    // programs what changed at once. Returns true when the VF must be sent a control message:
    // its link state changed, or its MAC did, which it can only learn by resetting; for that it
    // is no longer clear to send, so that its next acknowledgement is answered with the NACK that
    // makes its driver reset.
    bool apply_admin(unsigned vf, const VfAdmin& before, Clock::time_point now);

    // Makes vf's driver reset and set itself up again, without a hardware reset: the VF forgets
    // what it asked for and is no longer clear to send. Send it a control message afterwards.
    void resync(unsigned vf, Clock::time_point now);

    // Stops vf's queues until release(); send it a control message afterwards (without CTS).
    void quarantine(unsigned vf);
    // Ends a quarantine; the VF is resynchronised (as resync()). Returns false if it was not
    // quarantined (then nothing is done).
    bool release(unsigned vf, Clock::time_point now);

private:
    Outcome serve_message(unsigned vf, std::span<const std::uint32_t> words, Clock::time_point now);
    bool apply_admin_change(unsigned vf, const VfAdmin& before, Clock::time_point now);
    void changed()
    {
        if (state_observer_)
            state_observer_();
    }
    Outcome serve_reset(unsigned vf, Clock::time_point now);
    Outcome serve(unsigned vf, std::uint32_t word0, const mbx::Request& request);
    Outcome set_vlan(unsigned vf, const mbx::SetVlan& request);
    void reset_state(unsigned vf, bool keep_mac, Clock::time_point now);
    void program(unsigned vf);
    VfRxMode rx_mode(unsigned vf) const;
    void apply_rx_mode(unsigned vf);
    void apply_multicast();

    PfDevice& device_;
    const VfPolicy& policy_;
    std::vector<VfState> state_;
    MacObserver mac_observer_;
    StateObserver state_observer_;
};

}  // namespace sriov::pf
