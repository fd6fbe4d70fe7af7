#include "traffic_probe.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sriov::soak {

namespace {

constexpr auto period = std::chrono::milliseconds(20);
constexpr auto silence = std::chrono::milliseconds(100);
constexpr unsigned run_needed = 5;
constexpr unsigned short port = 47011;

unsigned parse_ipv4(const std::string& text)
{
    in_addr a{};
    if (inet_pton(AF_INET, text.c_str(), &a) != 1)
        throw Error(Errc::invalid_argument, text, "not an IPv4 address");
    return a.s_addr;
}

int bound_socket(unsigned address, const std::string& where)
{
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw Error(Errc::io, where, fmt::format("cannot make a UDP socket: {}", std::strerror(errno)));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = address;
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        const int e = errno;
        close(fd);
        throw Error(Errc::io, where, fmt::format("cannot bind a UDP socket to port {}: {}", port, std::strerror(e)));
    }
    return fd;
}

// A socket made inside network namespace name: the thread enters it, makes the socket and goes back.
int bound_socket_in(const std::string& name, unsigned address)
{
    const std::string path = "/run/netns/" + name;
    const int ns = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (ns < 0 || home < 0)
        throw Error(Errc::not_found, path, "cannot open the network namespace (ip netns add makes it)");
    if (setns(ns, CLONE_NEWNET) != 0)
        throw Error(Errc::permission, path, fmt::format("cannot enter it: {}", std::strerror(errno)));
    int fd = -1;
    try {
        fd = bound_socket(address, path);
    } catch (...) {
        setns(home, CLONE_NEWNET);
        throw;
    }
    setns(home, CLONE_NEWNET);
    close(ns);
    close(home);
    return fd;
}

void send_seq(int fd, unsigned to, unsigned long seq)
{
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = to;
    sendto(fd, &seq, sizeof seq, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);  // a loss is what we count
}

}  // namespace

TrafficProbe::TrafficProbe(const TrafficEnds& ends)
    : addr0_(parse_ipv4(ends.address0)), addr1_(parse_ipv4(ends.address1))
{
    fd0_ = bound_socket(addr0_, ends.address0);
    fd1_ = bound_socket_in(ends.netns1, addr1_);
    thread_ = std::thread([this] { loop(); });
}

TrafficProbe::~TrafficProbe()
{
    stop_ = true;
    thread_.join();
    close(fd0_);
    close(fd1_);
}

void TrafficProbe::receive(int fd, Direction& d)
{
    unsigned long seq = 0;
    while (recv(fd, &seq, sizeof seq, 0) == static_cast<ssize_t>(sizeof seq)) {
        const auto now = Clock::now();
        std::lock_guard lock(mutex_);
        ++d.received;
        if (d.run > 0 && seq == d.last_seq + 1 && now - d.last_arrival <= silence)
            ++d.run;
        else {
            d.run = 1;
            d.run_start = now;
        }
        d.last_seq = seq;
        d.last_arrival = now;
    }
}

void TrafficProbe::loop()
{
    auto next = Clock::now();
    while (!stop_) {
        {
            std::lock_guard lock(mutex_);
            send_seq(fd0_, addr1_, ++to1_.sent);
            send_seq(fd1_, addr0_, ++to0_.sent);
        }
        next += period;
        while (Clock::now() < next) {
            pollfd p[2] = {{fd0_, POLLIN, 0}, {fd1_, POLLIN, 0}};
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
            poll(p, 2, static_cast<int>(std::max<long>(1, left.count())));
            receive(fd1_, to1_);
            receive(fd0_, to0_);
        }
    }
}

std::optional<Clock::time_point> TrafficProbe::flowing_since() const
{
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    const auto flowing = [&](const Direction& d) { return d.run >= run_needed && now - d.last_arrival < silence; };
    if (!flowing(to1_) || !flowing(to0_))
        return std::nullopt;
    return std::max(to1_.run_start, to0_.run_start);
}

std::optional<Clock::time_point> TrafficProbe::wait_flowing(Clock::time_point from, std::chrono::milliseconds hold,
                                                            std::chrono::milliseconds timeout) const
{
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (const auto since = flowing_since(); since && Clock::now() - std::max(*since, from) >= hold)
            return since;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
}

std::string TrafficProbe::counts() const
{
    std::lock_guard lock(mutex_);
    return fmt::format("VF 0 -> VF 1: {} sent, {} received; VF 1 -> VF 0: {} sent, {} received", to1_.sent,
                       to1_.received, to0_.sent, to0_.received);
}

}  // namespace sriov::soak
