// libvf's standby path (src/vf/standby_path.hpp): the announcement frame's bytes, and, as root,
// frames both ways over a veth pair in a network namespace of a child process's own (the host's
// interfaces are never touched).
#include "vf/standby_path.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace sriov;
using sriov::vf::PacketBuffer;
using sriov::vf::StandbyPath;

namespace {

const MacAddress vf_mac = MacAddress::parse("02:00:00:00:15:01");

// In the child: a failed expectation ends it with status 1 and a line on stderr.
void expect(bool ok, const std::string& what)
{
    if (!ok) {
        std::fprintf(stderr, "standby path: %s\n", what.c_str());
        std::_Exit(1);
    }
}

// A raw socket on interface `name`, for the other end of the veth pair.
int raw_socket(const char* name)
{
    const int fd = ::socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = static_cast<int>(if_nametoindex(name));
    expect(fd >= 0 && ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0, "raw socket on sb");
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

std::vector<std::uint8_t> frame(const MacAddress& to, const MacAddress& from, std::uint8_t mark)
{
    std::vector<std::uint8_t> f(64, mark);
    std::copy(to.bytes().begin(), to.bytes().end(), f.begin());
    std::copy(from.bytes().begin(), from.bytes().end(), f.begin() + 6);
    f[12] = 0x88;  // local experimental EtherType 0x88b5
    f[13] = 0xb5;
    return f;
}

bool has_type(const std::uint8_t* f, std::size_t n, std::uint16_t type)
{
    return n >= 14 && f[12] == type >> 8 && f[13] == (type & 0xff);
}

// The next frame of EtherType `type` that arrives on the raw socket (others are skipped), or an
// empty vector after 2 s.
std::vector<std::uint8_t> next_of_type(int fd, std::uint16_t type)
{
    std::vector<std::uint8_t> f(2048);
    for (;;) {
        const ssize_t n = ::recv(fd, f.data(), f.size(), 0);
        if (n < 0)
            return {};
        if (has_type(f.data(), static_cast<std::size_t>(n), type)) {
            f.resize(static_cast<std::size_t>(n));
            return f;
        }
    }
}

// The child's whole run: its own network namespace, a veth pair sa/sb, the standby path on sa.
// IPv6 is off in the namespace, so that the kernel sends no neighbour discovery of its own; the
// checks skip any other frame all the same.
void run_over_veth()
{
    expect(::unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET)");
    expect(std::system("echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; "
                       "echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6; "
                       "ip link add sa type veth peer name sb && ip link set sa up && ip link set sb up") == 0,
           "make the veth pair");
    try {
        StandbyPath refused("sa", vf_mac);
        expect(false, "opened on an interface without the VF's MAC that is not promiscuous");
    } catch (const Error& e) {
        expect(e.code() == Errc::invalid_argument, "the refusal's code");
        expect(std::string(e.what()).find("ip link set sa address 02:00:00:00:15:01") != std::string::npos,
               std::string("the refusal does not say how to fix it: ") + e.what());
    }
    try {
        StandbyPath none("nosuch0", vf_mac);
        expect(false, "opened on an interface that does not exist");
    } catch (const Error& e) {
        expect(e.code() == Errc::not_found, "no such interface: not_found");
    }
    expect(std::system("ip link set sa address 02:00:00:00:15:01") == 0, "give sa the VF's MAC");
    StandbyPath path("sa", vf_mac);
    const int peer = raw_socket("sb");
    const MacAddress peer_mac = MacAddress::parse("02:00:00:00:15:02");

    // In: a frame for the VF's MAC sent on sb is received through the path, whole.
    const auto in = frame(vf_mac, peer_mac, 0x5a);
    expect(::send(peer, in.data(), in.size(), 0) == static_cast<ssize_t>(in.size()), "send on sb");
    std::vector<std::uint8_t> storage(2048);
    PacketBuffer buf{storage.data(), 0, static_cast<std::uint32_t>(storage.size()), 0, 0};
    PacketBuffer* bufs[] = {&buf};
    bool got = false;
    for (int tries = 0; tries < 200 && !got; ++tries) {
        if (path.receive(bufs, 1) == 1)
            got = has_type(buf.data, buf.length, 0x88b5);
        else
            ::usleep(10000);
    }
    expect(got, "nothing received through the standby path");
    expect(buf.length == in.size() && std::memcmp(buf.data, in.data(), in.size()) == 0, "the frame received differs");

    // Out: a frame sent through the path arrives on sb; the path does not receive it back.
    const auto out = frame(peer_mac, vf_mac, 0xa5);
    std::copy(out.begin(), out.end(), storage.begin());
    buf.length = static_cast<std::uint32_t>(out.size());
    expect(path.send(bufs, 1) == 1, "the kernel did not take the frame");
    expect(next_of_type(peer, 0x88b5) == out, "sb did not see the frame sent");
    while (path.receive(bufs, 1) == 1)
        expect(!has_type(buf.data, buf.length, 0x88b5), "the path received its own frame back");

    // The announcement: a broadcast RARP from the VF's MAC.
    path.announce();
    const auto expected = sriov::vf::announcement_frame(vf_mac);
    expect(next_of_type(peer, 0x8035) == std::vector<std::uint8_t>(expected.begin(), expected.end()),
           "sb did not see the announcement");
    std::_Exit(0);
}

}  // namespace

TEST_CASE("the announcement is a broadcast RARP request from the MAC, for the MAC, padded to 60 bytes")
{
    const auto f = sriov::vf::announcement_frame(vf_mac);
    const std::vector<std::uint8_t> head(f.begin(), f.begin() + 42);
    const std::vector<std::uint8_t> want{0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // to everyone
                                         0x02, 0x00, 0x00, 0x00, 0x15, 0x01,  // from the VF's MAC
                                         0x80, 0x35,                          // RARP
                                         0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x03,  // Ethernet/IPv4, reverse request
                                         0x02, 0x00, 0x00, 0x00, 0x15, 0x01, 0, 0, 0, 0,  // sender: the MAC
                                         0x02, 0x00, 0x00, 0x00, 0x15, 0x01, 0, 0, 0, 0};  // target: the MAC
    CHECK(head == want);
    CHECK(std::all_of(f.begin() + 42, f.end(), [](std::uint8_t b) { return b == 0; }));
}

TEST_CASE("frames both ways through the standby path over a veth pair; its refusals say what to do")
{
    if (::geteuid() != 0)
        SKIP("needs root: a network namespace, a veth pair and CAP_NET_RAW");
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0)
        run_over_veth();
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
