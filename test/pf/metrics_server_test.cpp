// sriovd's metrics listener over a real loopback TCP socket, with a fixed body: what a scrape gets,
// the 404 for anything else, and that clients which send nothing or too much cannot hold it.
// Also the address check that keeps it on loopback.
#include "sriovd/metrics_address.hpp"
#include "sriovd/metrics_server.hpp"
#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

using namespace sriov;
using namespace sriov::sriovd;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;

namespace {

// A listener on 127.0.0.1, port chosen by the kernel, its loop in a thread of its own.
struct Listener {
    boost::asio::io_context io;
    std::unique_ptr<MetricsServer> server;
    std::thread loop;
    unsigned short port = 0;

    explicit Listener(std::chrono::milliseconds timeout = std::chrono::seconds(5))
    {
        MetricsServerOptions options;
        options.endpoint = loopback_endpoint("127.0.0.1:0", true);
        options.timeout = timeout;
        options.max_request = 256;
        server = std::make_unique<MetricsServer>(io, options, [] { return std::string("sriovd_up 1\n"); });
        port = server->endpoint().port();
        loop = std::thread([this] {
            auto guard = boost::asio::make_work_guard(io);
            io.run();
        });
    }
    ~Listener()
    {
        std::promise<void> done;
        boost::asio::post(io, [&] {
            server.reset();
            done.set_value();
        });
        done.get_future().wait();
        io.stop();
        loop.join();
    }
};

int connect_to(unsigned short port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0);
    return fd;
}

// Everything the server sends until it closes the connection; fails if that takes over `bound`.
std::string read_to_eof(int fd, std::chrono::milliseconds bound = std::chrono::seconds(5))
{
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + bound;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        REQUIRE(::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0))) == 1);
        char buf[4096];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
            return got;
        got.append(buf, static_cast<std::size_t>(n));
    }
}

std::string ask(unsigned short port, const std::string& request)
{
    const int fd = connect_to(port);
    REQUIRE(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
    std::string answer = read_to_eof(fd);
    ::close(fd);
    return answer;
}

}  // namespace

TEST_CASE("metrics server: GET /metrics gets the exposition, then the connection closes", "[metrics]")
{
    Listener l;
    const std::string answer = ask(l.port, "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n");
    CHECK(answer ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: 12\r\n"
          "Connection: close\r\n\r\nsriovd_up 1\n");
    // The listener serves the next scrape too.
    CHECK_THAT(ask(l.port, "GET /metrics HTTP/1.0\r\n\r\n"), StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_CASE("metrics server: other paths and methods get 404, non-HTTP 400", "[metrics]")
{
    Listener l;
    CHECK_THAT(ask(l.port, "GET / HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 404 Not Found\r\n"));
    CHECK_THAT(ask(l.port, "POST /metrics HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 404 Not Found\r\n"));
    CHECK_THAT(ask(l.port, "hello\r\n\r\n"), StartsWith("HTTP/1.1 400 Bad Request\r\n"));
}

TEST_CASE("metrics server: a request over the bound is refused and closed", "[metrics]")
{
    Listener l;
    const std::string answer = ask(l.port, "GET /metrics HTTP/1.1\r\nX-Pad: " + std::string(1000, 'a'));
    CHECK_THAT(answer, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
    CHECK_THAT(answer, ContainsSubstring("request too long"));
}

TEST_CASE("metrics server: a client that sends nothing is dropped after the timeout", "[metrics]")
{
    Listener l(std::chrono::milliseconds(200));
    const int idle = connect_to(l.port);
    // The server closes it without an answer: EOF well within the bound.
    CHECK(read_to_eof(idle, std::chrono::seconds(5)).empty());
    ::close(idle);
    CHECK_THAT(ask(l.port, "GET /metrics HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_CASE("metrics address: loopback only, with a port", "[metrics]")
{
    CHECK(loopback_endpoint("127.0.0.1:9469").port() == 9469);
    CHECK(loopback_endpoint("[::1]:9469").address().is_v6());
    CHECK(loopback_endpoint("127.0.0.2:80").address().is_loopback());
    const auto refused = [](const char* text) {
        try {
            loopback_endpoint(text);
        } catch (const Error& e) {
            CHECK(e.code() == Errc::invalid_argument);
            return std::string(e.what());
        }
        FAIL(text << " was accepted");
        return std::string();
    };
    CHECK_THAT(refused("0.0.0.0:9469"), ContainsSubstring("not a loopback address"));
    CHECK_THAT(refused("192.168.1.5:9469"), ContainsSubstring("no authentication"));
    CHECK_THAT(refused("localhost:9469"), ContainsSubstring("not an IP address"));
    CHECK_THAT(refused("127.0.0.1"), ContainsSubstring("no port"));
    CHECK_THAT(refused("127.0.0.1:0"), ContainsSubstring("1..65535"));
    CHECK_THAT(refused("127.0.0.1:70000"), ContainsSubstring("1..65535"));
}
