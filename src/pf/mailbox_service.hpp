// The PF's mailbox service: interrupt-driven, on a Boost.Asio io_context.
//
// VFIO signals an eventfd when the PF's MSI-X vector 0 fires (link changes and every VF mailbox
// event: request, acknowledgement, reset). The service waits on it with a stream_descriptor; on
// each wake it takes the interrupt causes from the chip (clearing them, so that the next event
// interrupts again), then serves each VF as Linux's igb_msg_task does: a reset event, then a
// request (read keeping the buffer, decided by VfSupervisor, answered), then an acknowledgement.
// Nothing polls: without an interrupt the service sleeps.
//
// A message of ours is not sent to a VF that has not acknowledged the previous one yet (it would
// overwrite it in the shared buffer): a control message owed to such a VF goes out when its
// acknowledgement comes. A VF that stays silent for ack_wait loses that protection.
//
// All functions must be called from the io_context's thread.
#pragma once

#include "mbx/pf_mailbox.hpp"
#include "pf/pf_device.hpp"
#include "pf/pf_event.hpp"
#include "pf/request_policer.hpp"
#include "pf/token_bucket.hpp"
#include "pf/vf_supervisor.hpp"
#include "vfio/event_fd.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace sriov::pf {

struct MailboxStats {
    std::uint64_t wakeups = 0;  // interrupts of vector 0 seen
    std::uint64_t link_changes = 0;
    std::uint64_t vf_resets = 0;  // reset events (VFLRE)
    std::uint64_t requests = 0;   // messages read from VFs
    std::uint64_t nacks = 0;      // of which answered NACK
    std::uint64_t acks = 0;       // acknowledgements from VFs
    std::uint64_t pings = 0;      // control messages sent
    std::uint64_t errors = 0;     // mailbox accesses that failed (a VF held the buffer)
    std::uint64_t dropped = 0;    // requests over a VF's rate, not served
    std::uint64_t quarantines = 0;
    std::uint64_t lock_recoveries = 0;  // VF buffer locks taken back by force (RVFU)
    std::uint64_t log_suppressed = 0;  // log lines about VFs left out to keep the log bounded
};

class MailboxService {
public:
    using Clock = std::chrono::steady_clock;
    // How long a VF may take to acknowledge our message before we write over it anyway.
    static constexpr std::chrono::milliseconds ack_wait{1000};

    // How many lines about one VF's requests may be logged (at info level or above) at once, and
    // per second on average; the rest are counted and summed up in the next line that is logged.
    static constexpr double log_burst = 20;
    static constexpr double log_per_s = 1;

    // vector0: the eventfd VFIO signals for the PF's MSI-X vector 0. Serves vfs.num_vfs() VFs,
    // each request checked first by policer (a VF past its limits is quarantined). Every argument
    // must outlive the service. Throws sriov::Error(io) if the eventfd cannot be duplicated for
    // the event loop. name (the PF's address) starts every log line about a VF, so that the lines
    // of several PFs can be told apart.
    MailboxService(boost::asio::io_context& io, PfDevice& device, mbx::PfMailbox& mailbox, VfSupervisor& vfs,
                   RequestPolicer& policer, vfio::EventFd& vector0, std::string name = {});
    ~MailboxService();
    MailboxService(const MailboxService&) = delete;
    MailboxService& operator=(const MailboxService&) = delete;

    // Starts waiting for interrupts, and serves what is pending already. Never throws
    // sriov::Error: a VF the PF cannot serve is logged and counted in errors.
    void start();
    // Stops waiting. Never throws.
    void stop() noexcept;

    // The kernel has created the VFs: from now on link changes are announced to them, starting
    // with a control message to each now. Never throws sriov::Error.
    void vfs_created();

    // The VFs are going away (the VF count changes): nothing is sent to them until vfs_created().
    // Never throws.
    void vfs_removed() noexcept;

    // Sends the PF control message (CTS if done with VF_RESET) to every VF, once they exist (no-op
    // before vfs_created()). Serves pending events first. Never throws sriov::Error.
    void ping_all();

    // Sends VF vf the PF control message now (or once it acknowledged our last one), e.g. after
    // an operator changed its settings, and makes its driver read it. No-op before
    // vfs_created(). Never throws sriov::Error.
    void send_control_message(unsigned vf);

    // Events (VF resets, refusals, quarantines, link changes) go to sink from now on.
    void on_event(EventSink sink) { sink_ = std::move(sink); }

    // Called after every link change, once the VFs have been told. Must not throw.
    void on_link_change(std::function<void(const LinkState&)> observer) { link_observer_ = std::move(observer); }

    const MailboxStats& stats() const { return stats_; }

private:
    struct Outbox {
        bool awaiting_ack = false;  // our last message has not been acknowledged yet
        Clock::time_point sent;
        bool ping_owed = false;  // a control message waits for that acknowledgement
        bool notify = false;     // once written, make the VF's driver read it (PfDevice::notify_vfs)
    };

    void arm();
    void on_wake();
    void serve_pending(int passes);
    void handle_reset(unsigned vf);
    void handle_message(unsigned vf);
    void handle_ack(unsigned vf);
    void ping(unsigned vf);
    void send(unsigned vf, const mbx::Message& message, std::string_view what, std::string_view subject = {});
    void log(unsigned vf, const Outcome& outcome);
    std::string who(unsigned vf) const;  // "0000:00:02.0 VF 1"
    bool may_log(unsigned vf);
    void quarantine(unsigned vf, const std::string& why);
    void emit(std::string kind, std::optional<unsigned> vf, std::string message);

    PfDevice& device_;
    mbx::PfMailbox& mailbox_;
    VfSupervisor& vfs_;
    RequestPolicer& policer_;
    vfio::EventFd& vector0_;
    boost::asio::posix::stream_descriptor watch_;
    std::array<Outbox, 8> outbox_{};
    struct LogLimit {
        TokenBucket bucket{log_per_s, log_burst};
        std::uint64_t suppressed = 0;
    };
    std::array<LogLimit, 8> log_limit_{};
    EventSink sink_;
    std::function<void(const LinkState&)> link_observer_;
    std::string name_;
    MailboxStats stats_;
    bool running_ = false;
    bool vfs_exist_ = false;  // nobody reads a mailbox before the VFs exist
};

}  // namespace sriov::pf
