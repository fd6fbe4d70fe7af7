// The VF side of the 82576 mailbox: the VFMAILBOX register and the VF's 16 words of VMBMEM
// (fact sheet sections 5.2 and 5.3).
//
// Sending: take the buffer (VFU), forget stale PFACK/PFSTS, write the words, ring REQ (which
// releases VFU), then wait for the PF's PFACK. Receiving: wait for PFSTS, take the buffer, read the
// words, write ACK (which releases it). PFSTS, PFACK and RSTD clear when VFMAILBOX is read, so every
// read keeps them in a sticky copy until a check consumes them.
#pragma once

#include "dev/register_io.hpp"
#include "mbx/message.hpp"
#include "mbx/timing.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace sriov::mbx {

struct VfMailboxStats {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t lock_retries = 0;
    std::uint64_t timeouts = 0;
};

class VfMailbox {
public:
    // regs: the VF's BAR0. name: how errors name this VF, e.g. "0000:00:12.0".
    VfMailbox(dev::RegisterIo& regs, std::string name, Timing timing = {});

    // Non-blocking looks at VFMAILBOX. Each consumes the bit it reports.
    bool check_for_message();  // PFSTS: the PF wrote a message
    bool message_waiting();    // PFSTS, left for receive() to consume
    bool check_for_ack();      // PFACK: the PF read our message
    // RSTI or RSTD: the PF is resetting or has just reset (RSTD consumed; RSTI stays while it lasts).
    bool check_for_reset();
    // RSTI now (the PF has not yet said it is ready). Does not consume anything.
    bool reset_in_progress();

    // Sends `message` and waits for the PF's acknowledgement.
    // Throws sriov::Error (subject = name): timeout (the buffer lock or PFACK did not come;
    // the message says which), invalid_argument (empty message).
    void send(const Message& message);

    // Waits for a message from the PF and reads all 16 words of the buffer (the receiver cannot
    // know the length; decoding decides what counts).
    // Throws sriov::Error (subject = name): timeout (no PFSTS, or the lock did not come).
    Message receive();

    // send() then receive(): a request and its reply.
    Message request(const Message& message);

    // The event-driven halves of send() and receive(), for a caller that learns of the PF's doings
    // from the VF's mailbox interrupt instead of by looking every Timing::poll:
    // post() sends `message` (taking the buffer lock, which may wait as send() does) without waiting
    // for the PF's acknowledgement; try_receive() reads and acknowledges the PF's message if one is
    // waiting (PFSTS) and returns nothing at once otherwise. Both throw as send() and receive() do
    // for the lock; a PF that never answers is the caller's to time out.
    void post(const Message& message);
    std::optional<Message> try_receive();

    const VfMailboxStats& stats() const { return stats_; }
    const std::string& name() const { return name_; }
    Timing& timing() { return timing_; }

private:
    std::uint32_t read_status();
    void lock(const char* purpose);
    bool take(std::uint32_t bit);
    Message read_message();

    dev::RegisterIo& regs_;
    std::string name_;
    Timing timing_;
    std::uint32_t sticky_ = 0;  // read-to-clear bits seen and not yet consumed
    VfMailboxStats stats_;
};

}  // namespace sriov::mbx
