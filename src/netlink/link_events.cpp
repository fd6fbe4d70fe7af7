#include "netlink/link_events.hpp"

#include "netlink/nl_message.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <vector>

namespace sriov::nl {

namespace {
const std::string subject = "rtnetlink link notifications";
}

void LinkEvents::SockFree::operator()(nl_sock* sock) const noexcept { nl_socket_free(sock); }

LinkEvents::LinkEvents() : sock_(nl_socket_alloc())
{
    if (!sock_)
        throw Error(Errc::io, subject, "libnl could not allocate a socket");
    nl_socket_disable_seq_check(sock_.get());
    if (const int err = nl_connect(sock_.get(), NETLINK_ROUTE); err < 0)
        throw Error(Errc::io, subject, fmt::format("cannot connect: {}", nl_geterror(err)));
    if (const int err = nl_socket_add_membership(sock_.get(), RTNLGRP_LINK); err < 0)
        throw Error(Errc::io, subject, fmt::format("cannot join RTNLGRP_LINK: {}", nl_geterror(err)));
    if (const int err = nl_socket_set_nonblocking(sock_.get()); err < 0)
        throw Error(Errc::io, subject, fmt::format("cannot make the socket non-blocking: {}", nl_geterror(err)));
}

LinkEvents::~LinkEvents() = default;
LinkEvents::LinkEvents(LinkEvents&&) noexcept = default;
LinkEvents& LinkEvents::operator=(LinkEvents&&) noexcept = default;

int LinkEvents::fd() const noexcept { return sock_ ? nl_socket_get_fd(sock_.get()) : -1; }

bool LinkEvents::take(int ifindex)
{
    bool ours = false;
    for (;;) {
        // The datagram's size first, so that a link with many VFs is never cut short.
        const ssize_t size = recv(fd(), nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
        if (size < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return ours;
            if (errno == ENOBUFS)
                return true;  // overflowed: what was lost may have been ours
            throw system_error(subject, "recv", errno);
        }
        std::vector<std::uint8_t> datagram(static_cast<std::size_t>(size));
        const ssize_t got = recv(fd(), datagram.data(), datagram.size(), MSG_DONTWAIT);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            throw system_error(subject, "recv", errno);
        }
        datagram.resize(static_cast<std::size_t>(got));
        ReceivedBytes bytes(datagram);
        int rem = static_cast<int>(bytes.size());
        for (nlmsghdr* hdr = bytes.header(); nlmsg_ok(hdr, rem) != 0; hdr = nlmsg_next(hdr, &rem)) {
            if (hdr->nlmsg_type != RTM_NEWLINK && hdr->nlmsg_type != RTM_DELLINK)
                continue;
            if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg)))
                continue;
            const auto* info = static_cast<const ifinfomsg*>(nlmsg_data(hdr));
            if (info->ifi_index == ifindex)
                ours = true;
        }
    }
}

}  // namespace sriov::nl
