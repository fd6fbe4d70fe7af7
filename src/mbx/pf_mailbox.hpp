// The PF side of the 82576 mailbox: one P2VMAILBOX register and 16 words of VMBMEM per VF, and the
// summary registers MBVFICR (requests and acknowledgements) and VFLRE (VF resets)
// (fact sheet sections 2.6 and 5.3).
//
// Reading VF n's message: take the buffer (PFU), read the words, write ACK (which releases it, or
// ACK|PFU to keep it for the reply). Writing: take the buffer, clear VF n's stale request and ack
// bits, write the words, write STS (which releases it and interrupts the VF).
// The PF never trusts a VF: a VF that holds the lock makes lock() time out, and
// release_vf_lock() takes the lock back by force.
#pragma once

#include "dev/register_io.hpp"
#include "mbx/message.hpp"
#include "mbx/timing.hpp"

#include <cstdint>

namespace sriov::mbx {

// Which VFs have something pending, one bit per VF.
struct PendingEvents {
    std::uint32_t resets = 0;    // VFLRE: the VF reset itself (VTCTRL.RST or FLR)
    std::uint32_t requests = 0;  // MBVFICR.VFREQ: the VF sent a message
    std::uint32_t acks = 0;      // MBVFICR.VFACK: the VF read our message
    bool any() const { return (resets | requests | acks) != 0; }
};

class PfMailbox {
public:
    // regs: the PF's BAR0.
    explicit PfMailbox(dev::RegisterIo& regs, Timing timing = {});

    // Reads MBVFICR and VFLRE once. Clears nothing.
    PendingEvents pending();
    // Write-1-to-clear the event bits of one VF (call before handling the event, so a new one
    // arriving meanwhile is not lost).
    void clear_reset(unsigned vf);
    void clear_request(unsigned vf);
    void clear_ack(unsigned vf);

    // Reads VF vf's request from its buffer, as many words as its word 0 says it fills
    // (mbx::request_length: all 16 for a malformed one), and acknowledges it. With keep_lock the
    // PF keeps the buffer (ACK|PFU), as before writing a reply into it.
    // Throws sriov::Error (subject "VF <n>"): busy if the VF holds the buffer lock past the
    // timeout (the VF may be stuck or hostile: see release_vf_lock).
    Message read(unsigned vf, bool keep_lock = false);

    // Writes `message` into VF vf's buffer and signals it (STS). Does not wait for the VF's ACK:
    // that arrives later as a PendingEvents::acks bit. Refuses to overwrite a request the VF has
    // put in the buffer and the PF has not read yet (possible only for a message the PF sends
    // unasked, such as a control message: a reply is written while the PF still holds the lock it
    // took to read the request).
    // Throws sriov::Error (subject "VF <n>"): busy as read(), or when an unread request is in the
    // buffer (serve it first; nothing was written); invalid_argument for an empty message.
    void write(unsigned vf, const Message& message);

    // Gives the buffer back without acknowledging anything (after read(vf, true) of a message that
    // gets no answer).
    void unlock(unsigned vf);

    // Forces the VF's lock (VFU) off with RVFU; also clears its pending request and ack bits.
    void release_vf_lock(unsigned vf);

    // Whether VF vf holds the buffer now (the VFU mirror in P2VMAILBOX).
    bool vf_holds_lock(unsigned vf);

private:
    void lock(unsigned vf);

    dev::RegisterIo& regs_;
    Timing timing_;
};

}  // namespace sriov::mbx
