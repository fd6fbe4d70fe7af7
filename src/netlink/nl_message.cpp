#include "netlink/nl_message.hpp"

#include "sriov/error.hpp"

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstring>

namespace sriov::nl {

void NlMsgFree::operator()(nl_msg* msg) const noexcept
{
    nlmsg_free(msg);
}

NlMsgPtr new_message(int type, int flags)
{
    NlMsgPtr msg(nlmsg_alloc_simple(type, flags));
    if (!msg)
        throw Error(Errc::io, "netlink", "libnl could not allocate a message");
    return msg;
}

std::vector<std::uint8_t> message_bytes(nl_msg* msg)
{
    const nlmsghdr* hdr = nlmsg_hdr(msg);
    const auto* first = reinterpret_cast<const std::uint8_t*>(hdr);
    return {first, first + hdr->nlmsg_len};
}

std::vector<nlattr*> nested_attributes(nlattr* nest)
{
    std::vector<nlattr*> found;
    int rem = nla_len(nest);
    for (auto* attr = static_cast<nlattr*>(nla_data(nest)); nla_ok(attr, rem) != 0; attr = nla_next(attr, &rem))
        found.push_back(attr);
    return found;
}

ReceivedBytes::ReceivedBytes(std::span<const std::uint8_t> bytes)
    : words_((bytes.size() + 3) / 4), size_(bytes.size())
{
    if (!bytes.empty())
        std::memcpy(words_.data(), bytes.data(), bytes.size());
}

nlmsghdr* ReceivedBytes::header() noexcept
{
    return reinterpret_cast<nlmsghdr*>(words_.data());
}

}  // namespace sriov::nl
