#include "mbx/vf_mailbox.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

namespace sriov::mbx {

namespace e = e82576;
namespace vfmbx = e82576::vfmailbox;

namespace {

std::string millis(std::chrono::microseconds t)
{
    return fmt::format("{} ms", std::chrono::duration_cast<std::chrono::milliseconds>(t).count());
}

}  // namespace

VfMailbox::VfMailbox(dev::RegisterIo& regs, std::string name, Timing timing)
    : regs_(regs), name_(std::move(name)), timing_(timing)
{
}

std::uint32_t VfMailbox::read_status()
{
    const std::uint32_t v = regs_.read32(e::VFMAILBOX.offset);
    sticky_ |= v & vfmbx::READ_TO_CLEAR;
    return v;
}

bool VfMailbox::take(std::uint32_t bit)
{
    read_status();
    const bool seen = (sticky_ & bit) != 0;
    sticky_ &= ~bit;
    return seen;
}

bool VfMailbox::check_for_message() { return take(vfmbx::PFSTS); }
bool VfMailbox::message_waiting()
{
    read_status();
    return (sticky_ & vfmbx::PFSTS) != 0;
}

bool VfMailbox::check_for_ack() { return take(vfmbx::PFACK); }

bool VfMailbox::check_for_reset()
{
    const bool in_progress = (read_status() & vfmbx::RSTI) != 0;
    return take(vfmbx::RSTD) || in_progress;
}

bool VfMailbox::reset_in_progress() { return (read_status() & vfmbx::RSTI) != 0; }

// Takes the buffer: VFU is granted only while the PF does not hold PFU (section 5.2).
void VfMailbox::lock(const char* purpose)
{
    const Deadline deadline(timing_);
    for (;;) {
        regs_.write32(e::VFMAILBOX.offset, vfmbx::VFU);
        if (read_status() & vfmbx::VFU)
            return;
        if (deadline.expired()) {
            ++stats_.timeouts;
            throw Error(Errc::timeout, name_,
                        fmt::format("mailbox: the PF held the buffer for {} while we wanted to {}",
                                    millis(timing_.timeout), purpose));
        }
        ++stats_.lock_retries;
        deadline.pause();
    }
}

void VfMailbox::post(const Message& message)
{
    if (message.empty())
        throw Error(Errc::invalid_argument, name_, "mailbox: cannot send an empty message");
    lock("send a message");
    // Whatever the PF acknowledged or wrote before belongs to an earlier exchange.
    take(vfmbx::PFACK);
    take(vfmbx::PFSTS);
    const auto words = message.words();
    for (std::size_t i = 0; i < words.size(); ++i)
        regs_.write32(e::VF_VMBMEM.at(static_cast<unsigned>(i)), words[i]);
    regs_.write32(e::VFMAILBOX.offset, vfmbx::REQ);  // rings the PF and drops VFU
    ++stats_.sent;
}

void VfMailbox::send(const Message& message)
{
    post(message);
    const Deadline deadline(timing_);
    while (!check_for_ack()) {
        if (deadline.expired()) {
            ++stats_.timeouts;
            throw Error(Errc::timeout, name_,
                        fmt::format("mailbox: the PF did not acknowledge {} within {}",
                                    message_name(message_id(message.words()[0])), millis(timing_.timeout)));
        }
        deadline.pause();
    }
}

// PFSTS was seen (and consumed): takes the buffer, reads all 16 words and acknowledges.
Message VfMailbox::read_message()
{
    lock("read the PF's message");
    Message m;
    for (unsigned i = 0; i < e::mailbox_words; ++i)
        m.push_back(regs_.read32(e::VF_VMBMEM.at(i)));
    regs_.write32(e::VFMAILBOX.offset, vfmbx::ACK);  // tells the PF we read it, and drops VFU
    ++stats_.received;
    return m;
}

Message VfMailbox::receive()
{
    const Deadline deadline(timing_);
    while (!check_for_message()) {
        if (deadline.expired()) {
            ++stats_.timeouts;
            throw Error(Errc::timeout, name_,
                        fmt::format("mailbox: no message from the PF within {}", millis(timing_.timeout)));
        }
        deadline.pause();
    }
    return read_message();
}

std::optional<Message> VfMailbox::try_receive()
{
    if (!check_for_message())
        return std::nullopt;
    return read_message();
}

Message VfMailbox::request(const Message& message)
{
    send(message);
    return receive();
}

}  // namespace sriov::mbx
