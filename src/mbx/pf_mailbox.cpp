#include "mbx/pf_mailbox.hpp"
#include "mbx/request.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

namespace sriov::mbx {

namespace e = e82576;
namespace p2v = e82576::p2vmailbox;

namespace {

std::string vf_name(unsigned vf) { return fmt::format("VF {}", vf); }

}  // namespace

PfMailbox::PfMailbox(dev::RegisterIo& regs, Timing timing) : regs_(regs), timing_(timing) {}

PendingEvents PfMailbox::pending()
{
    const std::uint32_t icr = regs_.read32(e::MBVFICR.offset);
    PendingEvents p;
    p.resets = regs_.read32(e::VFLRE.offset) & 0xFF;
    p.requests = icr & 0xFF;
    p.acks = (icr >> 16) & 0xFF;
    return p;
}

void PfMailbox::clear_reset(unsigned vf) { regs_.write32(e::VFLRE.offset, 1u << vf); }
void PfMailbox::clear_request(unsigned vf) { regs_.write32(e::MBVFICR.offset, e::mbvficr::VFREQ(vf)); }
void PfMailbox::clear_ack(unsigned vf) { regs_.write32(e::MBVFICR.offset, e::mbvficr::VFACK(vf)); }

// PFU is granted only while the VF does not hold VFU (section 2.6).
void PfMailbox::lock(unsigned vf)
{
    const std::uint32_t reg = e::P2VMAILBOX.at(vf);
    const Deadline deadline(timing_);
    for (;;) {
        regs_.write32(reg, p2v::PFU);
        if (regs_.read32(reg) & p2v::PFU)
            return;
        if (deadline.expired())
            throw Error(Errc::busy, vf_name(vf),
                        fmt::format("mailbox: the VF held the buffer lock for {} ms",
                                    std::chrono::duration_cast<std::chrono::milliseconds>(timing_.timeout).count()));
        deadline.pause();
    }
}

Message PfMailbox::read(unsigned vf, bool keep_lock)
{
    lock(vf);
    // Only the words the request fills, as its word 0 tells (the whole buffer for one that is
    // malformed): every word is a register read.
    Message m;
    m.push_back(regs_.read32(e::VMBMEM.at(vf)));
    const std::size_t length = request_length(m.words()[0]);
    for (std::uint32_t i = 1; i < length; ++i)
        m.push_back(regs_.read32(e::VMBMEM.at(vf) + 4 * i));
    regs_.write32(e::P2VMAILBOX.at(vf), keep_lock ? (p2v::ACK | p2v::PFU) : p2v::ACK);
    return m;
}

void PfMailbox::write(unsigned vf, const Message& message)
{
    if (message.empty())
        throw Error(Errc::invalid_argument, vf_name(vf), "mailbox: cannot send an empty message");
    lock(vf);
    // Linux clears a pending request here and overwrites it; a request the VF rang for and the PF
    // has not read would be lost that way, so leave it for the PF to serve instead.
    if (regs_.read32(e::MBVFICR.offset) & e::mbvficr::VFREQ(vf)) {
        unlock(vf);
        throw Error(Errc::busy, vf_name(vf), "mailbox: the VF's request is still unread; serve it first");
    }
    // An ack still flagged belongs to an earlier message that this one replaces.
    regs_.write32(e::MBVFICR.offset, e::mbvficr::VFACK(vf));
    const auto words = message.words();
    for (std::size_t i = 0; i < words.size(); ++i)
        regs_.write32(e::VMBMEM.at(vf) + 4 * static_cast<std::uint32_t>(i), words[i]);
    regs_.write32(e::P2VMAILBOX.at(vf), p2v::STS);  // signals the VF and drops PFU
}

void PfMailbox::unlock(unsigned vf) { regs_.write32(e::P2VMAILBOX.at(vf), 0); }

void PfMailbox::release_vf_lock(unsigned vf) { regs_.write32(e::P2VMAILBOX.at(vf), p2v::RVFU); }

bool PfMailbox::vf_holds_lock(unsigned vf) { return (regs_.read32(e::P2VMAILBOX.at(vf)) & p2v::VFU) != 0; }

}  // namespace sriov::mbx
