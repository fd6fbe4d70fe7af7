#include "netlink/kernel_ack.hpp"

#include "netlink/nl_message.hpp"

#include <fmt/format.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace sriov::nl {

namespace {

[[noreturn]] void malformed(std::string cause)
{
    throw Error(Errc::protocol, "netlink", "NLMSG_ERROR: " + std::move(cause));
}

// Where the extended ack's attributes start: after struct nlmsgerr when the request was capped,
// otherwise after the whole copy of the request.
std::size_t attributes_offset(const nlmsghdr* hdr, const nlmsgerr* err)
{
    const std::size_t capped = NLMSG_HDRLEN + sizeof(nlmsgerr);
    if ((hdr->nlmsg_flags & NLM_F_CAPPED) != 0)
        return capped;
    return NLMSG_HDRLEN + sizeof err->error + NLMSG_ALIGN(err->msg.nlmsg_len);
}

void read_extended_ack(nlmsghdr* hdr, std::size_t offset, KernelAck& ack)
{
    if (offset >= hdr->nlmsg_len)
        return;
    auto* first = reinterpret_cast<nlattr*>(reinterpret_cast<std::uint8_t*>(hdr) + offset);
    std::array<nlattr*, NLMSGERR_ATTR_MAX + 1> tb{};
    if (nla_parse(tb.data(), NLMSGERR_ATTR_MAX, first, static_cast<int>(hdr->nlmsg_len - offset), nullptr) < 0)
        return;
    if (nlattr* msg = tb[NLMSGERR_ATTR_MSG]; msg != nullptr) {
        const auto* text = static_cast<const char*>(nla_data(msg));
        ack.message.assign(text, strnlen(text, static_cast<std::size_t>(nla_len(msg))));
    }
    if (nlattr* offs = tb[NLMSGERR_ATTR_OFFS]; offs != nullptr && nla_len(offs) >= 4)
        ack.attribute_offset = nla_get_u32(offs);
}

Errc code_of(int err)
{
    switch (err) {
    case EOPNOTSUPP:
    case EPROTONOSUPPORT: return Errc::unsupported;
    case EPERM:
    case EACCES: return Errc::permission;
    case ENOENT:
    case ENODEV:
    case ENXIO: return Errc::not_found;
    case EBUSY: return Errc::busy;
    case EINVAL:
    case ERANGE: return Errc::invalid_argument;
    case ETIMEDOUT: return Errc::timeout;
    default: return Errc::io;
    }
}

}  // namespace

KernelAck decode_ack(std::span<const std::uint8_t> message)
{
    ReceivedBytes bytes(message);
    nlmsghdr* hdr = bytes.header();
    if (bytes.size() < NLMSG_HDRLEN || !nlmsg_ok(hdr, static_cast<int>(bytes.size())))
        malformed(fmt::format("{} bytes are not a whole netlink message", bytes.size()));
    if (hdr->nlmsg_type != NLMSG_ERROR)
        malformed(fmt::format("the message is of type {}, not NLMSG_ERROR", hdr->nlmsg_type));
    if (!nlmsg_valid_hdr(hdr, sizeof(nlmsgerr)))
        malformed("the message is too short for struct nlmsgerr");

    const auto* err = static_cast<const nlmsgerr*>(nlmsg_data(hdr));
    const std::size_t offset = attributes_offset(hdr, err);
    if (offset > hdr->nlmsg_len)
        malformed("the message is shorter than the request it says it carries");

    KernelAck ack;
    ack.seq = hdr->nlmsg_seq;
    ack.error = -err->error;
    if ((hdr->nlmsg_flags & NLM_F_ACK_TLVS) != 0)
        read_extended_ack(hdr, offset, ack);
    return ack;
}

Error refusal_error(const KernelAck& ack, std::string subject, std::string_view what)
{
    std::string cause = fmt::format("{}: {}", what, std::strerror(ack.error));
    if (!ack.message.empty())
        cause += fmt::format(" (kernel: {})", ack.message);
    return Error(code_of(ack.error), std::move(subject), std::move(cause));
}

}  // namespace sriov::nl
