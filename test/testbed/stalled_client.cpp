// Runs in the testbed guest: control-socket clients that do not read, for the stalled-client
// scenario (sriovd_stalled_client.sh).
//
//   tb_stalled_client SOCKET subscribe
//     Subscribes to sriovd's events, prints "subscribed", then reads nothing until a line arrives
//     on its stdin. Then reads: asks for the status, reads up to its answer, asks again and reads
//     up to that answer too (by then everything sriovd queued before, the events_missed notice
//     included, has arrived). Prints each event as it came, then
//       "read: E events, N events_missed notices, M events missed (largest notice C)".
//   tb_stalled_client SOCKET requests
//     Sends status requests and never reads the answers, until sriovd hangs up; prints
//     "disconnected after N requests". Exits 1 if sriovd still listens after a million.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>

namespace {

int connect_to(const std::string& path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error(fmt::format("cannot connect to {}", path));
    return fd;
}

bool send_line(int fd, const std::string& line)
{
    const std::string text = line + "\n";
    return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

class Lines {
public:
    explicit Lines(int fd) : fd_(fd) {}
    std::string next()
    {
        for (;;) {
            if (const auto end = pending_.find('\n'); end != std::string::npos) {
                std::string line = pending_.substr(0, end);
                pending_.erase(0, end + 1);
                return line;
            }
            char buf[65536];
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n <= 0)
                throw std::runtime_error("sriovd closed the connection");
            pending_.append(buf, static_cast<std::size_t>(n));
        }
    }

private:
    int fd_;
    std::string pending_;
};

int subscribe(int fd)
{
    Lines lines(fd);
    send_line(fd, R"({"id":1,"op":"subscribe"})");
    while (nlohmann::json::parse(lines.next()).value("id", 0) != 1) {
    }
    fmt::print("subscribed\n");
    std::fflush(stdout);
    std::string go;
    std::getline(std::cin, go);

    std::uint64_t events = 0, notices = 0, missed = 0, largest = 0;
    for (int id : {2, 3}) {
        send_line(fd, fmt::format(R"({{"id":{},"op":"status"}})", id));
        for (;;) {
            const auto j = nlohmann::json::parse(lines.next());
            if (!j.contains("event")) {
                if (j.value("id", 0) == id)
                    break;
                continue;
            }
            fmt::print("{}\n", j.dump());
            if (j.at("event") != "events_missed") {
                ++events;
                continue;
            }
            const auto count = j.at("count").get<std::uint64_t>();
            ++notices;
            missed += count;
            largest = std::max(largest, count);
        }
    }
    fmt::print("read: {} events, {} events_missed notices, {} events missed (largest notice {})\n", events, notices,
               missed, largest);
    return 0;
}

int requests(int fd)
{
    for (unsigned n = 0; n < 1000000; ++n) {
        if (!send_line(fd, fmt::format(R"({{"id":{},"op":"status"}})", n))) {
            fmt::print("disconnected after {} requests\n", n);
            return 0;
        }
    }
    fmt::print("still connected after a million requests whose answers were never read\n");
    return 1;
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        const std::string mode = argc == 3 ? argv[2] : "";
        if (mode == "subscribe")
            return subscribe(connect_to(argv[1]));
        if (mode == "requests")
            return requests(connect_to(argv[1]));
        fmt::print(stderr, "usage: tb_stalled_client SOCKET subscribe|requests\n");
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "tb_stalled_client: {}\n", e.what());
        return 1;
    }
}
