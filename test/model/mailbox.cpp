// The PF/VF mailbox registers, the PF-reset-done handshake and VF reset
// (fact sheet sections 2.6, 5.2, 5.3, 5.4).
//
// One word of state per VF, its VFMAILBOX bits, is the single source of truth for the lock: the
// PF's P2VMAILBOX shows the VFU and PFU bits of that same word (the bit positions are equal).
#include "model/device.hpp"

namespace sriov::model::detail {

using namespace e82576;

static_assert(p2vmailbox::VFU == vfmailbox::VFU && p2vmailbox::PFU == vfmailbox::PFU);

// P2VMAILBOX read (2.6): VFU is a read-only mirror of the VF's lock; PFU is the PF's own lock.
// STS, ACK and RVFU are actions and are not stored.
std::uint32_t Device::pf_mailbox_value(unsigned vf) const
{
    return vfs_[vf].mailbox & (p2vmailbox::VFU | p2vmailbox::PFU);
}

// P2VMAILBOX write (2.6).
void Device::pf_write_mailbox(unsigned vf, std::uint32_t value)
{
    std::uint32_t& box = vfs_[vf].mailbox;
    if (value & p2vmailbox::STS) {  // a message for the VF: PFSTS, and the VF is notified
        note_mailbox_write(MailboxWrite::Kind::pf_message, vf);
        box |= vfmailbox::PFSTS;
        notify_vf_mailbox(vf);
    }
    if (value & p2vmailbox::ACK) {  // the VF's message was read: PFACK, and the VF is notified
        box |= vfmailbox::PFACK;
        notify_vf_mailbox(vf);
    }
    // PFU is granted only while the VF does not hold the buffer; any write without PFU releases it.
    if (value & p2vmailbox::PFU) {
        if (!(box & vfmailbox::VFU))
            box |= vfmailbox::PFU;
    } else {
        box &= ~vfmailbox::PFU;
    }
    // RVFU takes a stuck lock from the VF and forgets the VF's pending request and ack.
    if (value & p2vmailbox::RVFU) {
        box &= ~vfmailbox::VFU;
        reg(MBVFICR) &= ~(mbvficr::VFREQ(vf) | mbvficr::VFACK(vf));
    }
}

void Device::note_mailbox_write(MailboxWrite::Kind kind, unsigned vf)
{
    if (record_mailbox_writes_)
        mailbox_writes_.push_back(MailboxWrite{kind, vf, std::chrono::steady_clock::now()});
}

// VFMAILBOX read (5.2): PFSTS, PFACK and RSTD clear when read; RSTI stays.
std::uint32_t Device::vf_read_mailbox(unsigned vf)
{
    std::uint32_t& box = vfs_[vf].mailbox;
    const std::uint32_t value = box;
    box &= ~vfmailbox::READ_TO_CLEAR;
    return value;
}

// VFMAILBOX write (5.2, 5.3).
void Device::vf_write_mailbox(unsigned vf, std::uint32_t value)
{
    // REQ and ACK are events for the PF: a bit in MBVFICR, and the VMMB interrupt cause.
    if (value & vfmailbox::REQ) {
        note_mailbox_write(MailboxWrite::Kind::vf_request, vf);
        reg(MBVFICR) |= mbvficr::VFREQ(vf);
        raise(ICR.offset, icr::VMMB);
    }
    if (value & vfmailbox::ACK) {
        reg(MBVFICR) |= mbvficr::VFACK(vf);
        raise(ICR.offset, icr::VMMB);
    }
    // VFU is granted only while the PF does not hold the buffer; any write without VFU releases it.
    std::uint32_t& box = vfs_[vf].mailbox;
    if (value & vfmailbox::VFU) {
        if (!(box & vfmailbox::PFU))
            box |= vfmailbox::VFU;
    } else {
        box &= ~vfmailbox::VFU;
    }
}

// CTRL_EXT (5.4 step 1): PFRSTD is stored, and every write with it set moves every VF mailbox
// (enabled or not) from RSTI to RSTD.
void Device::write_ctrl_ext(std::uint32_t value)
{
    reg(CTRL_EXT) = value;
    if (!(value & ctrl_ext::PFRSTD))
        return;
    for (VfState& vf : vfs_)
        vf.mailbox = (vf.mailbox & ~vfmailbox::RSTI) | vfmailbox::RSTD;
}

// VF reset (5.4 step 2): VTCTRL.RST from the VF, PVTCTRL(n).RST from the PF, or a VF FLR.
// Stops the VF's queues (n and n+8) and pools, tells the PF through VFLRE and ICR.VMMB.
// RSTI/RSTD and the mailbox lock are left alone.
void Device::vf_reset(unsigned vf)
{
    for (unsigned queue : {vf, vf + num_pools}) {
        reg(RXDCTL(queue)) &= ~xdctl::ENABLE;
        reg(TXDCTL(queue)) &= ~xdctl::ENABLE;
    }
    reg(VFRE) &= ~(1u << vf);
    reg(VFTE) &= ~(1u << vf);
    reg(VFLRE) |= 1u << vf;
    raise(ICR.offset, icr::VMMB);
}

}  // namespace sriov::model::detail
