#include "netlink/rtnl_socket.hpp"

#include "netlink/kernel_ack.hpp"
#include "netlink/nl_message.hpp"
#include "netlink/vf_request.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cstddef>
#include <cerrno>
#include <cstring>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace sriov::nl {

namespace {

const std::string socket_subject = "rtnetlink";

void set_flag(int fd, int option, const char* name)
{
    const int on = 1;
    if (setsockopt(fd, SOL_NETLINK, option, &on, sizeof on) != 0) {
        const int err = errno;
        if (err == ENOPROTOOPT)
            throw Error(Errc::unsupported, socket_subject,
                        fmt::format("the kernel has no {} (Linux 4.12 or later has it)", name));
        throw system_error(socket_subject, fmt::format("setsockopt({})", name), err);
    }
}

std::vector<nlmsghdr*> messages_of(ReceivedBytes& bytes)
{
    std::vector<nlmsghdr*> found;
    int rem = static_cast<int>(bytes.size());
    for (nlmsghdr* hdr = bytes.header(); nlmsg_ok(hdr, rem) != 0; hdr = nlmsg_next(hdr, &rem))
        found.push_back(hdr);
    return found;
}

std::vector<std::uint8_t> bytes_of(const nlmsghdr* hdr)
{
    const auto* first = reinterpret_cast<const std::uint8_t*>(hdr);
    return {first, first + hdr->nlmsg_len};
}

}  // namespace

int interface_index(std::string_view name)
{
    const std::string n(name);
    const unsigned index = n.empty() || n.size() >= IF_NAMESIZE ? 0 : if_nametoindex(n.c_str());
    if (index == 0)
        throw Error(Errc::not_found, n, "no network interface of that name");
    return static_cast<int>(index);
}

void RtnlSocket::SockFree::operator()(nl_sock* sock) const noexcept
{
    nl_socket_free(sock);  // closes the fd
}

RtnlSocket::RtnlSocket(std::chrono::milliseconds receive_timeout)
    : sock_(nl_socket_alloc()), timeout_(receive_timeout)
{
    if (receive_timeout.count() <= 0)
        throw Error(Errc::invalid_argument, socket_subject, "the receive timeout must be positive");
    if (!sock_)
        throw Error(Errc::io, socket_subject, "libnl could not allocate a socket");
    if (const int err = nl_connect(sock_.get(), NETLINK_ROUTE); err < 0)
        throw Error(Errc::io, socket_subject, fmt::format("cannot connect: {}", nl_geterror(err)));
    const int sock_fd = fd();
    set_flag(sock_fd, NETLINK_EXT_ACK, "NETLINK_EXT_ACK");
    set_flag(sock_fd, NETLINK_CAP_ACK, "NETLINK_CAP_ACK");
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(receive_timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((receive_timeout.count() % 1000) * 1000);
    if (setsockopt(sock_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
        throw system_error(socket_subject, "setsockopt(SO_RCVTIMEO)", errno);
}

RtnlSocket::~RtnlSocket() = default;
RtnlSocket::RtnlSocket(RtnlSocket&&) noexcept = default;
RtnlSocket& RtnlSocket::operator=(RtnlSocket&&) noexcept = default;

int RtnlSocket::fd() const noexcept
{
    return sock_ ? nl_socket_get_fd(sock_.get()) : -1;
}

std::uint32_t RtnlSocket::next_seq() noexcept
{
    return nl_socket_use_seq(sock_.get());
}

void RtnlSocket::send(const std::vector<std::uint8_t>& request, const std::string& subject)
{
    // nl_sendto: one datagram to the kernel (the socket's peer), the bytes as they are.
    const int sent = nl_sendto(sock_.get(), const_cast<std::uint8_t*>(request.data()), request.size());
    if (sent < 0)
        throw Error(Errc::io, subject, fmt::format("cannot send to the kernel: {}", nl_geterror(sent)));
    if (static_cast<std::size_t>(sent) != request.size())
        throw Error(Errc::io, subject, fmt::format("sent {} of {} bytes to the kernel", sent, request.size()));
}

std::vector<std::uint8_t> RtnlSocket::receive_answer(std::uint32_t seq, const std::string& subject)
{
    const int sock_fd = fd();
    const std::uint32_t port = nl_socket_get_local_port(sock_.get());
    for (;;) {
        // The datagram's size first (MSG_PEEK | MSG_TRUNC), so that no answer is ever cut short,
        // however many VFs it describes.
        const ssize_t size = recv(sock_fd, nullptr, 0, MSG_PEEK | MSG_TRUNC);
        if (size < 0) {
            const int err = errno;
            if (err == EINTR)
                continue;
            if (err == EAGAIN || err == EWOULDBLOCK)
                throw Error(Errc::timeout, subject,
                            fmt::format("the kernel did not answer within {} ms", timeout_.count()));
            if (err == ENOBUFS)
                throw Error(Errc::io, subject, "the netlink socket's receive buffer overflowed; answers were lost");
            throw system_error(subject, "recv from the kernel", err);
        }
        std::vector<std::uint8_t> datagram(static_cast<std::size_t>(size));
        sockaddr_nl from{};
        socklen_t from_len = sizeof from;
        const ssize_t got = recvfrom(sock_fd, datagram.data(), datagram.size(), 0,
                                     reinterpret_cast<sockaddr*>(&from), &from_len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            throw system_error(subject, "recv from the kernel", errno);
        }
        if (from.nl_pid != 0)
            continue;  // not from the kernel
        datagram.resize(static_cast<std::size_t>(got));
        ReceivedBytes bytes(datagram);
        for (nlmsghdr* hdr : messages_of(bytes)) {
            // Answers to an earlier request that timed out carry an older sequence number.
            if (hdr->nlmsg_seq == seq && hdr->nlmsg_pid == port)
                return bytes_of(hdr);
        }
    }
}

void RtnlSocket::set_vf(int pf_ifindex, std::uint32_t vf, const VfSettings& settings, std::string subject)
{
    if (subject.empty())
        subject = fmt::format("ifindex {} vf {}", pf_ifindex, vf);
    VfSettings wanted = settings;
    if (wanted.max_tx_rate.has_value() != wanted.min_tx_rate.has_value()) {
        const LinkVfInfo found = read_link(pf_ifindex);
        const auto it = std::find_if(found.vfs.begin(), found.vfs.end(),
                                     [vf](const FoundVf& f) { return f.vf == vf; });
        if (it == found.vfs.end())
            throw Error(Errc::not_found, subject,
                        "the kernel reports no such VF, so the other TX rate cannot be kept");
        wanted = complete_rates(wanted, it->settings);
    }
    const std::uint32_t seq = next_seq();
    send(build_vf_request(pf_ifindex, vf, wanted, seq), subject);
    const KernelAck ack = decode_ack(receive_answer(seq, subject));
    if (!ack.ok())
        throw refusal_error(ack, std::move(subject), "setting " + to_string(settings));
}

std::vector<std::uint8_t> RtnlSocket::read_link_bytes(int ifindex)
{
    const std::string subject = fmt::format("ifindex {}", ifindex);
    const std::uint32_t seq = next_seq();
    send(build_link_request(ifindex, seq), subject);
    std::vector<std::uint8_t> answer = receive_answer(seq, subject);
    std::uint16_t type = 0;
    std::memcpy(&type, answer.data() + offsetof(nlmsghdr, nlmsg_type), sizeof type);  // receive_answer() gives whole messages
    if (type == NLMSG_ERROR) {
        const KernelAck ack = decode_ack(answer);
        if (!ack.ok())
            throw refusal_error(ack, subject, "reading the link");
        throw Error(Errc::protocol, subject, "the kernel acknowledged RTM_GETLINK without describing the link");
    }
    return answer;
}

LinkVfInfo RtnlSocket::read_link(int ifindex)
{
    return decode_link_vf_info(read_link_bytes(ifindex));
}

LinkVfInfo RtnlSocket::read_link(std::string_view interface)
{
    return read_link(interface_index(interface));
}

}  // namespace sriov::nl
