// The kernel's answer to a request sent with NLM_F_ACK: an NLMSG_ERROR message whose error is 0
// (done) or a negative errno, followed by the request (all of it, or only its header when the
// kernel sets NLM_F_CAPPED), followed, when NLM_F_ACK_TLVS is set, by the extended ack's
// attributes: NLMSGERR_ATTR_MSG (the kernel's own words: "Can not enslave a bridge to a bridge")
// and NLMSGERR_ATTR_OFFS (where in the request the offending attribute starts). The socket must
// have NETLINK_EXT_ACK set for the kernel to send them. libnl 3.7 has no parser for them.
#pragma once

#include "sriov/error.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sriov::nl {

struct KernelAck {
    std::uint32_t seq = 0;   // the request's sequence number, echoed
    int error = 0;           // 0: done; otherwise the errno (positive) the kernel refused with
    std::string message;     // NLMSGERR_ATTR_MSG; empty when the kernel gave none
    std::optional<std::uint32_t> attribute_offset;  // NLMSGERR_ATTR_OFFS, from the request's start

    bool ok() const noexcept { return error == 0; }
};

// Decodes the first message in `message`, which must be an NLMSG_ERROR. Throws
// sriov::Error(Errc::protocol) when it is of another type or is cut short (shorter than its
// nlmsg_len, than struct nlmsgerr, or than the copy of the request it says it carries).
// Attributes of the extended ack that are malformed are ignored, not fatal.
KernelAck decode_ack(std::span<const std::uint8_t> message);

// The sriov::Error for a refusal (ack.ok() must be false): subject as given, cause
// "<what>: <strerror(error)>" followed by " (kernel: <message>)" when the kernel gave a message.
// The code follows the errno: EOPNOTSUPP, EPROTONOSUPPORT (igb's answer to an 802.1ad VLAN) ->
// unsupported, EPERM/EACCES -> permission,
// ENOENT/ENODEV/ENXIO -> not_found, EBUSY -> busy, EINVAL/ERANGE -> invalid_argument,
// ETIMEDOUT -> timeout, anything else -> io.
Error refusal_error(const KernelAck& ack, std::string subject, std::string_view what);

}  // namespace sriov::nl
