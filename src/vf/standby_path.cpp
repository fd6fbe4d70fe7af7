#include "vf/standby_path.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sriov::vf {

namespace {

constexpr std::uint16_t ethertype_rarp = 0x8035;

ifreq request_for(const std::string& interface)
{
    ifreq req{};
    std::strncpy(req.ifr_name, interface.c_str(), IFNAMSIZ - 1);
    return req;
}

}  // namespace

std::array<std::uint8_t, 60> announcement_frame(const MacAddress& mac)
{
    std::array<std::uint8_t, 60> f{};
    const auto& m = mac.bytes();
    std::fill_n(f.begin(), 6, 0xff);                // to everyone
    std::copy(m.begin(), m.end(), f.begin() + 6);  // from the MAC being announced
    f[12] = ethertype_rarp >> 8;
    f[13] = ethertype_rarp & 0xff;
    // RARP (RFC 903): Ethernet hardware, IPv4 protocol, 6- and 4-byte addresses, "request reverse"
    // (3); sender and target hardware address both the MAC, protocol addresses 0.
    const std::uint8_t header[] = {0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x03};
    std::copy(std::begin(header), std::end(header), f.begin() + 14);
    std::copy(m.begin(), m.end(), f.begin() + 22);  // sender hardware address
    std::copy(m.begin(), m.end(), f.begin() + 32);  // target hardware address
    return f;
}

StandbyPath::StandbyPath(const std::string& interface, const MacAddress& mac) : interface_(interface), mac_(mac)
{
    const std::string subject = fmt::format("standby {}", interface);
    const unsigned index = interface.empty() || interface.size() >= IFNAMSIZ ? 0 : if_nametoindex(interface.c_str());
    if (index == 0)
        throw Error(Errc::not_found, subject, "no network interface of that name");
    fd_ = UniqueFd(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL)));
    if (!fd_) {
        const int err = errno;
        if (err == EPERM || err == EACCES)
            throw Error(Errc::permission, subject,
                        "opening its packet socket needs CAP_NET_RAW: run as root, or give the program the "
                        "capability (setcap cap_net_raw+ep PROGRAM, or AmbientCapabilities=CAP_NET_RAW)");
        throw system_error(subject, "socket(AF_PACKET)", err);
    }
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = static_cast<int>(index);
    if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        throw system_error(subject, "bind the packet socket", errno);
    const int on = 1;
    if (::setsockopt(fd_.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof on) != 0)
        throw system_error(subject, "setsockopt(PACKET_IGNORE_OUTGOING)", errno);
    // Frames go to the driver directly, past the interface's queueing discipline: most
    // distributions default to fq_codel, which drops queued frames when they wait too long (a
    // standby NIC slower than the traffic) and still tells the sender they were sent. With
    // it the driver refuses what its queue cannot take (ENOBUFS), the burst comes back short,
    // and the application keeps those frames, as with a full TX ring on the VF.
    if (::setsockopt(fd_.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &on, sizeof on) != 0)
        throw system_error(subject, "setsockopt(PACKET_QDISC_BYPASS)", errno);
    // Room for a burst while the application is busy elsewhere: the kernel's limit (rmem_max)
    // unless the process may exceed it (CAP_NET_ADMIN); as much as is allowed, silently.
    const int rcvbuf = 8 << 20;
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
        ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

    // Frames for the VF's MAC must reach the socket: the interface has that address, or takes all.
    ifreq req = request_for(interface);
    if (::ioctl(fd_.get(), SIOCGIFHWADDR, &req) != 0)
        throw system_error(subject, "read its MAC address", errno);
    MacAddress::Bytes own{};
    std::memcpy(own.data(), req.ifr_hwaddr.sa_data, own.size());
    req = request_for(interface);
    if (::ioctl(fd_.get(), SIOCGIFFLAGS, &req) != 0)
        throw system_error(subject, "read its flags", errno);
    if (MacAddress(own) != mac && !(req.ifr_flags & IFF_PROMISC))
        throw Error(Errc::invalid_argument, subject,
                    fmt::format("has MAC {} and is not promiscuous, so it would not receive the VF's frames for "
                                "{}: give it the VF's MAC (ip link set {} address {}) or make it promiscuous "
                                "(ip link set {} promisc on)",
                                MacAddress(own), mac, interface, mac, interface));
}

std::uint32_t StandbyPath::receive(PacketBuffer* const* bufs, std::uint32_t n)
{
    n = std::min(n, max_burst);
    std::array<mmsghdr, max_burst> msgs{};
    std::array<iovec, max_burst> iov{};
    for (std::uint32_t i = 0; i < n; ++i) {
        iov[i] = iovec{bufs[i]->data, bufs[i]->capacity};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int got = ::recvmmsg(fd_.get(), msgs.data(), n, MSG_DONTWAIT | MSG_TRUNC, nullptr);
    if (got <= 0)
        return 0;
    for (int i = 0; i < got; ++i) {
        const std::uint32_t len = msgs[i].msg_len;  // the frame's whole length (MSG_TRUNC)
        if (len > bufs[i]->capacity)
            ++truncated_;
        bufs[i]->length = std::min(len, bufs[i]->capacity);
    }
    return static_cast<std::uint32_t>(got);
}

std::uint32_t StandbyPath::send(PacketBuffer* const* bufs, std::uint32_t n)
{
    n = std::min(n, max_burst);
    std::array<mmsghdr, max_burst> msgs{};
    std::array<iovec, max_burst> iov{};
    for (std::uint32_t i = 0; i < n; ++i) {
        iov[i] = iovec{bufs[i]->data, bufs[i]->length};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int sent = ::sendmmsg(fd_.get(), msgs.data(), n, MSG_DONTWAIT);
    return sent > 0 ? static_cast<std::uint32_t>(sent) : 0;
}

std::uint32_t StandbyPath::discard()
{
    std::uint32_t count = 0;
    std::array<std::uint8_t, 1> scratch{};
    while (::recv(fd_.get(), scratch.data(), scratch.size(), MSG_DONTWAIT | MSG_TRUNC) >= 0)
        ++count;
    return count;
}

std::uint32_t StandbyPath::take_dropped()
{
    tpacket_stats st{};
    socklen_t len = sizeof st;
    if (::getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0)
        return 0;
    return st.tp_drops;
}

bool StandbyPath::carrier() const
{
    ifreq req = request_for(interface_);
    if (::ioctl(fd_.get(), SIOCGIFFLAGS, &req) != 0)
        return false;
    return (req.ifr_flags & IFF_UP) && (req.ifr_flags & IFF_RUNNING);
}

std::uint32_t StandbyPath::unsent_bytes() const
{
    int bytes = 0;
    if (::ioctl(fd_.get(), SIOCOUTQ, &bytes) != 0 || bytes < 0)
        return 0;
    return static_cast<std::uint32_t>(bytes);
}

void StandbyPath::announce()
{
    auto frame = announcement_frame(mac_);
    if (::send(fd_.get(), frame.data(), frame.size(), 0) != static_cast<ssize_t>(frame.size()))
        throw system_error(fmt::format("standby {}", interface_), "send the announcement of " + mac_.to_string(),
                           errno);
}

}  // namespace sriov::vf
