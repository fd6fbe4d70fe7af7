// afpacket-pktgen: vf-pktgen's frames through the kernel's network stack, for comparing libvf with
// the kernel's igbvf on the same emulated device (test/testbed/bench_mmio.sh).
//
//   afpacket-pktgen recv --if eth1 --count 100000 --idle 3
//   afpacket-pktgen send --if eth0 --dst 02:11:22:33:44:77 --count 100000 --size 60 [--rate 2000]
//
// What it is: an AF_PACKET raw socket bound to one interface. `send` writes COUNT numbered frames
// (the layout of tools/vf-examples/pktgen_frame.hpp: EtherType 0x88B5, a sequence number, a time
// stamp) as fast as the kernel takes them (or at --rate frames per second), 32 per sendmmsg();
// when the interface's queue is full the kernel refuses frames (ENOBUFS) and the sender tries
// those again, so every frame counted as sent was taken by the kernel. `recv` counts the frames
// of that EtherType arriving on its interface (not those sent from it, by a sender beside it) with
// recvmmsg(), 32 at a time, until COUNT or until --idle seconds without one, and prints how many
// the socket itself dropped (PACKET_STATISTICS), the largest run of missing numbers, how often a
// number went backwards (a frame repeated or reordered) and where the first 8 gaps were. Both
// print vf-pktgen's summary line ("sent|received N frames, B bytes in S s: R frames/s, M
// Mbit/s"); the receiver's time runs from its first frame to its last. No zero-copy ring
// (PACKET_MMAP): the plain socket calls, as an ordinary application would use them.
#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <thread>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sched.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint16_t data_type = 0x88B5;  // pktgen_frame.hpp's data frame
constexpr unsigned batch = 32;
constexpr std::size_t header_size = 14;

[[noreturn]] void fail(const std::string& what)
{
    const int error = errno;
    throw std::runtime_error(what + ": " + std::strerror(error));
}

// A file descriptor closed when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd& operator=(Fd&&) = delete;
    ~Fd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

// An AF_PACKET raw socket bound to `ifname` for frames of `protocol` (0: send only).
Fd open_socket(const std::string& ifname, std::uint16_t protocol)
{
    Fd fd(::socket(AF_PACKET, SOCK_RAW, htons(protocol)));
    if (fd.get() < 0)
        fail("socket(AF_PACKET) (needs CAP_NET_RAW)");
    const unsigned index = ::if_nametoindex(ifname.c_str());
    if (index == 0)
        fail("no interface " + ifname);
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(protocol);
    addr.sll_ifindex = static_cast<int>(index);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0)
        fail("bind to " + ifname);
    return fd;
}

std::array<std::uint8_t, 6> parse_mac(const std::string& text)
{
    std::array<unsigned, 6> v{};
    char extra = 0;
    if (std::sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &extra) != 6)
        throw std::runtime_error("not a MAC address: " + text);
    std::array<std::uint8_t, 6> mac{};
    for (std::size_t i = 0; i < 6; ++i)
        mac[i] = static_cast<std::uint8_t>(v[i]);
    return mac;
}

std::array<std::uint8_t, 6> mac_of(int fd, const std::string& ifname)
{
    ifreq req{};
    std::snprintf(req.ifr_name, sizeof req.ifr_name, "%s", ifname.c_str());
    if (::ioctl(fd, SIOCGIFHWADDR, &req) < 0)
        fail("SIOCGIFHWADDR " + ifname);
    std::array<std::uint8_t, 6> mac{};
    std::memcpy(mac.data(), req.ifr_hwaddr.sa_data, 6);
    return mac;
}

std::uint64_t now_ns()
{
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

void summary(const char* what, std::uint64_t frames, std::uint64_t bytes, double secs)
{
    std::printf("%s %llu frames, %llu bytes in %.3f s: %.0f frames/s, %.2f Mbit/s\n", what,
                static_cast<unsigned long long>(frames), static_cast<unsigned long long>(bytes), secs,
                secs > 0 ? static_cast<double>(frames) / secs : 0.0,
                secs > 0 ? static_cast<double>(bytes) * 8 / secs / 1e6 : 0.0);
    std::fflush(stdout);
}

struct Options {
    std::string ifname;
    std::string dst;
    std::uint64_t count = 100000;
    std::uint32_t size = 60;
    double idle = 3;
    double rate = 0;  // frames per second, 0: as fast as the kernel takes them
};

int run_send(const Options& o)
{
    if (o.size < 60 || o.size > 1514)
        throw std::runtime_error("--size: frames are 60 to 1514 bytes (without FCS)");
    const Fd fd = open_socket(o.ifname, 0);
    const auto dst = parse_mac(o.dst);
    const auto src = mac_of(fd.get(), o.ifname);

    std::vector<std::uint8_t> frames(std::size_t{batch} * o.size, 0);
    std::array<iovec, batch> iov{};
    std::array<mmsghdr, batch> msgs{};
    for (unsigned i = 0; i < batch; ++i) {
        std::uint8_t* f = frames.data() + std::size_t{i} * o.size;
        std::memcpy(f, dst.data(), 6);
        std::memcpy(f + 6, src.data(), 6);
        f[12] = data_type >> 8;
        f[13] = data_type & 0xFF;
        iov[i] = iovec{f, o.size};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }

    std::uint64_t sent = 0, refused = 0;
    const auto start = Clock::now();
    while (sent < o.count) {
        std::uint64_t allowed = o.count;
        if (o.rate > 0) {
            const double secs = std::chrono::duration<double>(Clock::now() - start).count();
            allowed = std::min<std::uint64_t>(allowed, static_cast<std::uint64_t>(secs * o.rate) + 1);
            if (allowed <= sent) {
                std::this_thread::sleep_for(std::chrono::microseconds(100));
                continue;
            }
        }
        const unsigned n = static_cast<unsigned>(std::min<std::uint64_t>(batch, allowed - sent));
        for (unsigned i = 0; i < n; ++i) {
            const std::uint64_t seq = sent + i, stamp = now_ns();
            std::memcpy(frames.data() + std::size_t{i} * o.size + header_size, &seq, sizeof seq);
            std::memcpy(frames.data() + std::size_t{i} * o.size + header_size + 8, &stamp, sizeof stamp);
        }
        const int done = ::sendmmsg(fd.get(), msgs.data(), n, 0);
        if (done < 0) {
            if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
                fail("sendmmsg on " + o.ifname);
            ++refused;
            sched_yield();  // the interface's queue is full: let the driver catch up
            continue;
        }
        // Frames after the first `done` were not sent: they are built again with their numbers.
        sent += static_cast<unsigned>(done);
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    summary("sent", sent, sent * o.size, secs);
    std::printf("sendmmsg calls refused (queue full) %llu\n", static_cast<unsigned long long>(refused));
    return 0;
}

int run_recv(const Options& o)
{
    const Fd fd = open_socket(o.ifname, data_type);
    // Only frames arriving: a sender on the same interface (another process) is not counted.
    const int on = 1;
    if (::setsockopt(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof on) < 0)
        fail("PACKET_IGNORE_OUTGOING");
    const int rcvbuf = 16 << 20;  // room for bursts while this process is not running
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    const timeval tick{0, 100000};
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick) < 0)
        fail("SO_RCVTIMEO");
    std::printf("ready\n");
    std::fflush(stdout);

    std::vector<std::uint8_t> storage(std::size_t{batch} * 2048);
    std::array<iovec, batch> iov{};
    std::array<mmsghdr, batch> msgs{};
    for (unsigned i = 0; i < batch; ++i) {
        iov[i] = iovec{storage.data() + std::size_t{i} * 2048, 2048};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    std::uint64_t frames = 0, bytes = 0, gaps = 0, expected = 0;
    std::uint64_t largest_gap = 0, backwards = 0;  // frames missing at one place; numbers seen again
    struct Gap {
        std::uint64_t from, to;  // the numbers expected and received
        double at;               // seconds after the first frame
    };
    std::array<Gap, 8> gap_list{};  // the first ones, printed at the end (where they are tells why)
    Clock::time_point first{}, last = Clock::now();
    const auto idle = std::chrono::duration<double>(o.idle);
    while ((o.count == 0 || frames < o.count) && Clock::now() - last < idle) {
        const int n = ::recvmmsg(fd.get(), msgs.data(), batch, 0, nullptr);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            fail("recvmmsg on " + o.ifname);
        }
        const auto now = Clock::now();
        for (int i = 0; i < n; ++i) {
            const std::size_t len = msgs[static_cast<unsigned>(i)].msg_len;
            if (len < header_size + 8)
                continue;
            std::uint64_t seq = 0;
            std::memcpy(&seq, storage.data() + static_cast<std::size_t>(i) * 2048 + header_size, sizeof seq);
            if (seq != expected) {
                if (gaps < gap_list.size())
                    gap_list[gaps] = Gap{expected, seq, frames ? std::chrono::duration<double>(now - first).count() : 0};
                ++gaps;
            }
            if (seq > expected)
                largest_gap = std::max(largest_gap, seq - expected);
            else if (seq < expected)
                ++backwards;  // a repeated or reordered frame
            expected = seq + 1;
            if (frames == 0)
                first = now;
            ++frames;
            bytes += len;
        }
        if (n > 0)
            last = now;
    }
    const double secs = frames ? std::chrono::duration<double>(last - first).count() : 0;
    summary("received", frames, bytes, secs);
    tpacket_stats st{};
    socklen_t st_len = sizeof st;
    ::getsockopt(fd.get(), SOL_PACKET, PACKET_STATISTICS, &st, &st_len);
    std::printf("sequence gaps %llu, socket drops %u\n", static_cast<unsigned long long>(gaps), st.tp_drops);
    std::printf("largest gap %llu frames, numbers going backwards %llu\n",
                static_cast<unsigned long long>(largest_gap), static_cast<unsigned long long>(backwards));
    for (std::size_t i = 0; i < std::min<std::uint64_t>(gaps, gap_list.size()); ++i) {
        const Gap& g = gap_list[i];
        std::printf("gap: expected %llu, got %llu (%+lld) at %.3f s\n", static_cast<unsigned long long>(g.from),
                    static_cast<unsigned long long>(g.to), static_cast<long long>(g.to - g.from), g.at);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"afpacket-pktgen: send or count numbered frames on a kernel interface (AF_PACKET; needs root)"};
    app.require_subcommand(1);
    Options o;
    auto* send = app.add_subcommand("send", "send numbered frames to a MAC address as fast as the kernel takes them");
    auto* recv = app.add_subcommand("recv", "count the numbered frames arriving on an interface");
    for (auto* sub : {send, recv}) {
        sub->add_option("--if", o.ifname, "network interface")->required();
        sub->add_option("--count", o.count, "frames to send, or to wait for (0: until idle)")->capture_default_str();
    }
    send->add_option("--dst", o.dst, "destination MAC address")->required();
    send->add_option("--rate", o.rate, "frames per second (0: as fast as the kernel takes them)")->capture_default_str();
    send->add_option("--size", o.size, "frame size in bytes without FCS, 60..1514")->capture_default_str();
    recv->add_option("--idle", o.idle, "stop after this many seconds without a frame")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        return send->parsed() ? run_send(o) : run_recv(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "afpacket-pktgen: %s\n", e.what());
        return 2;
    }
}
