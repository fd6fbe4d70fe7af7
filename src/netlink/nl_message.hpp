// Ownership of libnl's struct nl_msg, and the conversions between it and plain bytes.
//
// The rest of sriov_netlink builds and reads messages only through libnl's message and attribute
// API (nlmsg_*, nla_*); this file is where a message becomes the bytes sendmsg() would send, or
// bytes received become a message libnl can parse.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

struct nl_msg;
struct nlmsghdr;
struct nlattr;

namespace sriov::nl {

struct NlMsgFree {
    void operator()(nl_msg* msg) const noexcept;
};
using NlMsgPtr = std::unique_ptr<nl_msg, NlMsgFree>;

// A new message of the given type and flags with no payload (libnl's nlmsg_alloc_simple).
// Throws sriov::Error(Errc::io) when libnl cannot allocate it.
NlMsgPtr new_message(int type, int flags);

// The message's bytes, exactly nlmsg_len of them: what sendmsg() would send. Never throws except
// std::bad_alloc.
std::vector<std::uint8_t> message_bytes(nl_msg* msg);

// The attributes inside a nested attribute, in order (libnl's nla_for_each_nested as a list).
std::vector<nlattr*> nested_attributes(nlattr* nest);

// Bytes received from the kernel, copied to storage aligned for struct nlmsghdr so that libnl's
// parsers may read them in place. The first header is header(); size() is the number of bytes.
class ReceivedBytes {
public:
    explicit ReceivedBytes(std::span<const std::uint8_t> bytes);
    nlmsghdr* header() noexcept;
    std::size_t size() const noexcept { return size_; }

private:
    std::vector<std::uint32_t> words_;
    std::size_t size_ = 0;
};

}  // namespace sriov::nl
