#include "pf/mailbox_service.hpp"

#include "sriov/error.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cerrno>

namespace sriov::pf {

namespace {

int dup_or_throw(int fd)
{
    const int copy = ::dup(fd);
    if (copy < 0)
        throw system_error("eventfd", "duplicate the PF's interrupt eventfd for the event loop", errno);
    return copy;
}

// Passes through Linux igb_msg_task at most this often when serving outside an interrupt (at
// start, before pinging every VF), where nothing says that the interrupt causes were cleared.
constexpr int max_passes = 8;

}  // namespace

MailboxService::MailboxService(boost::asio::io_context& io, PfDevice& device, mbx::PfMailbox& mailbox,
                               VfSupervisor& vfs, RequestPolicer& policer, vfio::EventFd& vector0,
                               std::string name)
    : device_(device), mailbox_(mailbox), vfs_(vfs), policer_(policer), vector0_(vector0),
      watch_(io, dup_or_throw(vector0.fd())), name_(std::move(name))
{
}

MailboxService::~MailboxService() { stop(); }

void MailboxService::start()
{
    running_ = true;
    arm();
    serve_pending(max_passes);
}

void MailboxService::stop() noexcept
{
    running_ = false;
    boost::system::error_code ignored;
    watch_.cancel(ignored);
}

void MailboxService::arm()
{
    watch_.async_wait(
        boost::asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
            if (ec == boost::asio::error::operation_aborted || !running_)
                return;
            if (ec) {
                spdlog::error(
                    "mailbox: waiting for the PF's interrupt failed: {}; the mailbox is no longer served",
                    ec.message());
                return;
            }
            on_wake();
            arm();
        });
}

void MailboxService::on_wake()
{
    vector0_.drain();
    ++stats_.wakeups;
    const InterruptCauses causes = device_.take_interrupt_causes();
    spdlog::debug("mailbox: interrupt, causes {:#010x}", causes.raw);
    if (causes.link_change) {
        ++stats_.link_changes;
        const LinkState link = device_.link();
        const std::string text = link.up ? fmt::format("link up, {} Mb/s {} duplex", link.speed_mbps,
                                                       link.full_duplex ? "full" : "half")
                                         : std::string("link down");
        spdlog::info("{}", text);
        ping_all();  // Linux tells the VFs on every link change
        emit("link_change", std::nullopt, text);
        if (link_observer_)
            link_observer_(link);
    }
    // One pass: the causes were cleared above, before the pending events were read, so whatever
    // arrives after that read raises an interrupt of its own. A second look would cost two
    // register reads per request (MBVFICR, VFLRE) and find nothing nearly every time.
    serve_pending(1);
}

// Linux igb_msg_task: per VF, a reset, then a message, then an acknowledgement.
void MailboxService::serve_pending(int passes)
{
    const unsigned n = vfs_.num_vfs();
    for (int pass = 0; pass < passes; ++pass) {
        const mbx::PendingEvents p = mailbox_.pending();
        if (!p.any())
            return;
        for (unsigned vf = 0; vf < outbox_.size(); ++vf) {
            const std::uint32_t bit = 1u << vf;
            if (vf >= n) {
                // Not a VF we serve (none should exist): clear its bits so they cannot pile up.
                if (p.resets & bit)
                    mailbox_.clear_reset(vf);
                if (p.requests & bit)
                    mailbox_.clear_request(vf);
                if (p.acks & bit)
                    mailbox_.clear_ack(vf);
                continue;
            }
            // An acknowledgement seen together with a request is of our message before it (the
            // VF reads our answer before it asks again), so it goes first; a control message
            // owed waits until the answer to this request has been read too.
            if (p.resets & bit)
                handle_reset(vf);
            if (p.acks & bit)
                handle_ack(vf);
            if (p.requests & bit)
                handle_message(vf);
            if (outbox_[vf].ping_owed && !outbox_[vf].awaiting_ack)
                ping(vf);
        }
    }
}

void MailboxService::handle_reset(unsigned vf)
{
    mailbox_.clear_reset(vf);
    ++stats_.vf_resets;
    vfs_.on_reset_event(vf, Clock::now());
    outbox_[vf] = Outbox{};
    if (may_log(vf))
        spdlog::info("{}: reset (FLR or VTCTRL.RST): its requests forgotten, the administrator's settings "
                     "restored, queues stopped until VF_RESET",
                     who(vf));
    emit("vf_reset", vf, "the VF reset itself (FLR or VTCTRL.RST)");
}

void MailboxService::handle_message(unsigned vf)
{
    mailbox_.clear_request(vf);  // first, so that a request arriving meanwhile is not lost
    const auto now = Clock::now();
    if (!policer_.admit(vf, now)) {
        // Not read, not answered: the VF's wait for an answer times out. Costs one register write.
        ++stats_.requests;
        ++stats_.dropped;
        if (may_log(vf))
            spdlog::warn("{}: request dropped: over its rate of {}/s", who(vf), policer_.limits().requests_per_s);
        if (const auto why = policer_.offence(vf); why && !vfs_.state(vf).quarantined)
            quarantine(vf, *why);
        return;
    }
    mbx::Message words;
    try {
        words = mailbox_.read(vf, true);  // keep the buffer for the answer
    } catch (const Error& e) {
        // A VF holds the buffer only while it writes a few words: one that still holds it when the
        // PF comes to read the request it rang for misbehaves (each such read costs the PF its whole
        // lock wait), so it counts as a malformed request, and the VF is quarantined if it goes on.
        ++stats_.errors;
        policer_.record(vf, RequestResult::malformed);
        if (may_log(vf))
            spdlog::warn("{}: cannot read its message, counted as malformed: {}", who(vf), e.what());
        if (const auto why = policer_.offence(vf); why && !vfs_.state(vf).quarantined)
            quarantine(vf, *why);
        return;
    }
    ++stats_.requests;
    if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("{}: message words {:#010x}", who(vf), fmt::join(words.words(), " "));
    // What the VF holds is kept (the grants record) inside on_message(), before the answer; the log
    // line, counters and events are the operator's and come after it, off the VF's round trip.
    const Outcome outcome = vfs_.on_message(vf, words.words(), now);
    if (outcome.reply)
        send(vf, *outcome.reply, "the answer to", outcome.request);
    else
        mailbox_.unlock(vf);  // no answer: give the buffer back without a second acknowledgement
    const bool logged = may_log(vf);
    if (logged)
        log(vf, outcome);
    if (outcome.verdict == Verdict::nack)
        ++stats_.nacks;
    if (outcome.malformed)
        policer_.record(vf, RequestResult::malformed);
    else
        policer_.record(vf, outcome.verdict == Verdict::nack ? RequestResult::refused : RequestResult::served);
    if (outcome.request == "VF_RESET")
        emit("vf_reset", vf, fmt::format("VF_RESET: {}", outcome.reason));
    else if (outcome.verdict == Verdict::nack && logged)
        emit("request_refused", vf, fmt::format("{}: {}", outcome.request, outcome.reason));
    if (const auto why = policer_.offence(vf); why && !vfs_.state(vf).quarantined)
        quarantine(vf, *why);
}

void MailboxService::quarantine(unsigned vf, const std::string& why)
{
    vfs_.quarantine(vf);
    policer_.forgive(vf, Clock::now(), true);
    ++stats_.quarantines;
    spdlog::error("{}: quarantined: {}; its queues stay stopped until an operator releases it "
                  "(vfctl release PF vf {})",
                  who(vf), why, vf);
    emit("quarantine", vf, why);
    send_control_message(vf);  // without CTS: its driver takes the link for down
}

void MailboxService::send_control_message(unsigned vf)
{
    if (!vfs_exist_ || vf >= vfs_.num_vfs())
        return;
    outbox_[vf].notify = true;
    ping(vf);
}

void MailboxService::emit(std::string kind, std::optional<unsigned> vf, std::string message)
{
    if (sink_)
        sink_(PfEvent{std::move(kind), vf, std::move(message)});
}

bool MailboxService::may_log(unsigned vf)
{
    LogLimit& limit = log_limit_.at(vf);
    if (!limit.bucket.take(Clock::now())) {
        ++limit.suppressed;
        ++stats_.log_suppressed;
        return false;
    }
    if (limit.suppressed != 0) {
        spdlog::warn("{}: {} log lines about it left out (at most {:.0f} at once, {:.0f}/s)", who(vf),
                     limit.suppressed, log_burst, log_per_s);
        limit.suppressed = 0;
    }
    return true;
}

void MailboxService::handle_ack(unsigned vf)
{
    mailbox_.clear_ack(vf);
    ++stats_.acks;
    outbox_[vf].awaiting_ack = false;
    const Outcome outcome = vfs_.on_ack(vf, Clock::now());
    if (outcome.reply) {
        if (may_log(vf))
            log(vf, outcome);
        send(vf, *outcome.reply, "NACK to an ACK");
    } else {
        spdlog::debug("{}: ACK: {}", who(vf), outcome.reason);
    }
}

void MailboxService::vfs_removed() noexcept
{
    vfs_exist_ = false;
    outbox_.fill(Outbox{});
}

void MailboxService::vfs_created()
{
    vfs_exist_ = true;
    ping_all();
}

void MailboxService::ping_all()
{
    serve_pending(max_passes);
    if (!vfs_exist_)
        return;
    for (unsigned vf = 0; vf < vfs_.num_vfs(); ++vf)
        ping(vf);
}

void MailboxService::ping(unsigned vf)
{
    Outbox& out = outbox_[vf];
    if (out.awaiting_ack && Clock::now() - out.sent < ack_wait) {
        out.ping_owed = true;
        spdlog::debug("{}: control message deferred until it acknowledges our last message", who(vf));
        if (out.notify)
            device_.notify_vfs();  // so that it reads that one soon (and again for ours)
        return;
    }
    out.ping_owed = false;
    ++stats_.pings;
    const bool cts = vfs_.state(vf).clear_to_send && vfs_.may_run(vf);
    spdlog::debug("{}: control message{}", who(vf), cts ? " (clear to send)" : " (not clear to send)");
    send(vf, vfs_.control_message(vf), "control message");
    if (out.notify) {
        out.notify = false;
        device_.notify_vfs();
    }
}

// The PF never waits on a VF: one that still holds the buffer lock when the PF's short wait for it
// ran out is stuck or hostile (a VF holds it only while it writes a few words), so the lock is
// taken back by force (RVFU) and the write tried once more.
// `what` and `subject` name the message in a warning, formatted only then (not on every answer).
void MailboxService::send(unsigned vf, const mbx::Message& message, std::string_view what, std::string_view subject)
{
    for (bool retried = false;; retried = true) {
        try {
            mailbox_.write(vf, message);
            outbox_[vf].awaiting_ack = true;
            outbox_[vf].sent = Clock::now();
            return;
        } catch (const Error& e) {
            if (!retried && e.code() == Errc::busy && mailbox_.vf_holds_lock(vf)) {
                mailbox_.release_vf_lock(vf);
                ++stats_.lock_recoveries;
                if (may_log(vf))
                    spdlog::warn("{}: held the mailbox lock when the PF had to write ({}{}{}); taken back by force",
                                 who(vf), what, subject.empty() ? "" : " ", subject);
                continue;
            }
            ++stats_.errors;
            spdlog::warn("{}: cannot send {}{}{}: {}", who(vf), what, subject.empty() ? "" : " ", subject, e.what());
            return;
        }
    }
}

std::string MailboxService::who(unsigned vf) const
{
    return name_.empty() ? fmt::format("VF {}", vf) : fmt::format("{} VF {}", name_, vf);
}

void MailboxService::log(unsigned vf, const Outcome& outcome)
{
    spdlog::info("{}: {} -> {}: {}", who(vf), outcome.request, to_string(outcome.verdict), outcome.reason);
}

}  // namespace sriov::pf
