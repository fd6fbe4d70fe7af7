// sriovd's control socket and vfctl's client, over a real Unix socket in a temporary directory.
#include "ctl/client.hpp"
#include "ctl/server.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <thread>

using namespace sriov;
using namespace sriov::control;
using Catch::Matchers::ContainsSubstring;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir()
{
    auto dir = fs::temp_directory_path() / ("sriov-ctl-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(std::rand()));
    fs::create_directories(dir);
    return dir;
}

// A server whose loop runs in a thread of its own; the handler answers "show" with a fixed list
// and refuses set_vf for VF 9.
struct Daemon {
    fs::path dir = temp_dir();
    fs::path socket = dir / "sriovd.sock";
    boost::asio::io_context io;
    std::unique_ptr<Server> server;
    std::thread loop;

    explicit Daemon(std::size_t max_output = ServerOptions{}.max_output)
    {
        ServerOptions options;
        options.socket_path = socket;
        options.max_line = 1024;
        options.max_output = max_output;
        server = std::make_unique<Server>(io, options, [](const Request& r, const Peer&) -> std::string {
            if (std::holds_alternative<Show>(r.op))
                return R"({"pfs":[{"pf":"0000:00:02.0","num_vfs":2}]})";
            if (const auto* set = std::get_if<SetVf>(&r.op); set && set->vf == 9)
                throw Error(Errc::invalid_argument, "VF 9", "does not exist: 0000:00:02.0 has 2 VFs (0..1)");
            return "{}";
        });
        loop = std::thread([this] {
            auto guard = boost::asio::make_work_guard(io);
            io.run();
        });
    }
    ~Daemon()
    {
        io.stop();
        loop.join();
        server.reset();
        fs::remove_all(dir);
    }
    // Runs `f` in the loop's thread and waits for it.
    template <class F>
    void in_loop(F f)
    {
        std::promise<void> done;
        boost::asio::post(io, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }
};

// A client written by hand, that reads only when told to. Reads give up after 20 s, so that a
// server that never sends what a test waits for fails the test instead of hanging it.
struct RawClient {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    std::string pending;

    explicit RawClient(const fs::path& path)
    {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        const timeval limit{20, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    }
    ~RawClient() { ::close(fd); }

    // false once the server has closed the connection.
    bool send(const std::string& line)
    {
        const std::string text = line + "\n";
        return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
    }
    // The next line, or "" when the connection ended (or nothing came for 20 s).
    std::string line()
    {
        for (;;) {
            if (const auto end = pending.find('\n'); end != std::string::npos) {
                std::string l = pending.substr(0, end);
                pending.erase(0, end + 1);
                return l;
            }
            char buf[4096];
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0)
                return "";
            pending.append(buf, static_cast<std::size_t>(n));
        }
    }
};

}  // namespace

TEST_CASE("control socket: a request and its answer")
{
    Daemon d;
    Client c(d.socket);
    CHECK(c.call(Request{0, Show{}}) == R"({"pfs":[{"num_vfs":2,"pf":"0000:00:02.0"}]})");
    CHECK(c.call(Request{0, Status{}}) == "{}");
    CHECK((fs::status(d.socket).permissions() & fs::perms::others_all) == fs::perms::none);
}

TEST_CASE("control socket: the daemon's refusal reaches the client with its code and words")
{
    Daemon d;
    Client c(d.socket);
    VfSettings s;
    s.trust = true;
    try {
        c.call(Request{0, SetVf{"0000:00:02.0", 9, s}});
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid_argument);
        CHECK_THAT(std::string(e.what()), ContainsSubstring("VF 9: does not exist"));
    }
    // The connection stays usable after a refusal.
    CHECK(c.call(Request{0, Status{}}) == "{}");
}

TEST_CASE("control socket: subscribers receive published events")
{
    Daemon d;
    Client c(d.socket);
    c.call(Request{0, Subscribe{}});
    d.in_loop([&] { d.server->publish(R"({"event":"vf_reset","pf":"0000:00:02.0","vf":1})"); });
    CHECK(c.next_event() == R"({"event":"vf_reset","pf":"0000:00:02.0","vf":1})");
    // A request after events still gets its own answer.
    d.in_loop([&] { d.server->publish(R"({"event":"link","state":"up"})"); });
    CHECK(c.call(Request{0, Status{}}) == "{}");
}

TEST_CASE("control socket: an oversized or malformed line gets an error, not a crash")
{
    Daemon d;
    // Written by hand, as a hostile client would.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", d.socket.c_str());
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    const std::string junk = "{not json}\n";
    REQUIRE(::write(fd, junk.data(), junk.size()) == static_cast<ssize_t>(junk.size()));
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    REQUIRE(n > 0);
    CHECK_THAT(std::string(buf, static_cast<std::size_t>(n)), ContainsSubstring("not valid JSON"));
    const std::string big(4000, 'x');
    REQUIRE(::write(fd, big.data(), big.size()) == static_cast<ssize_t>(big.size()));
    n = ::read(fd, buf, sizeof buf);
    REQUIRE(n > 0);
    CHECK_THAT(std::string(buf, static_cast<std::size_t>(n)), ContainsSubstring("longer than 1024 bytes"));
    ::close(fd);
    // The daemon still serves others.
    Client c(d.socket);
    CHECK(c.call(Request{0, Status{}}) == "{}");
}

TEST_CASE("control socket: no daemon, and a second daemon on the same socket")
{
    const auto dir = temp_dir();
    try {
        Client c(dir / "sriovd.sock");
        FAIL("connected to nothing");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::not_found);
        CHECK_THAT(e.cause(), ContainsSubstring("sriovd is not running"));
        CHECK_THAT(e.cause(), ContainsSubstring("systemctl start sriovd"));
    }
    {
        Daemon d;
        boost::asio::io_context io2;
        ServerOptions options;
        options.socket_path = d.socket;
        try {
            Server second(io2, options, [](const Request&, const Peer&) { return std::string("{}"); });
            FAIL("two servers on one socket");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::busy);
        }
    }
    // A stale socket file left by a crash (bound, then closed without removing it) is replaced.
    {
        const auto path = dir / "stale.sock";
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        ::close(fd);
        REQUIRE(fs::is_socket(path));
        boost::asio::io_context io3;
        ServerOptions options;
        options.socket_path = path;
        CHECK_NOTHROW(Server(io3, options, [](const Request&, const Peer&) { return std::string("{}"); }));
    }
    // Anything that is not a socket is never replaced.
    {
        const auto path = dir / "precious";
        std::ofstream(path) << "data";
        boost::asio::io_context io4;
        ServerOptions options;
        options.socket_path = path;
        CHECK_THROWS_AS(Server(io4, options, [](const Request&, const Peer&) { return std::string("{}"); }), Error);
        CHECK(fs::is_regular_file(path));
    }
    fs::remove_all(dir);
}

TEST_CASE("control socket: made 0660 under a random name and renamed into place; a symbolic link there is refused")
{
    const auto dir = temp_dir();
    const auto victim = dir / "victim";
    std::ofstream(victim) << "precious\n";
    fs::permissions(victim, fs::perms(0644));
    const auto serve = [](const Request&, const Peer&) { return std::string("{}"); };
    {
        // A link planted at the socket's path: neither followed nor replaced.
        const auto path = dir / "linked.sock";
        fs::create_symlink(victim, path);
        boost::asio::io_context io;
        ServerOptions options;
        options.socket_path = path;
        try {
            Server server(io, options, serve);
            FAIL("a symbolic link at the socket's path was replaced");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::permission);
            CHECK_THAT(e.cause(), ContainsSubstring("is a symbolic link"));
        }
        CHECK(fs::is_symlink(path));
        CHECK((fs::status(victim).permissions() & fs::perms::all) == fs::perms(0644));
    }
    {
        // The socket's directory behind a symbolic link: refused too.
        fs::create_directory(dir / "real");
        fs::create_directory_symlink(dir / "real", dir / "linked-dir");
        boost::asio::io_context io;
        ServerOptions options;
        options.socket_path = dir / "linked-dir" / "sriovd.sock";
        CHECK_THROWS_AS(Server(io, options, serve), Error);
        CHECK(fs::is_empty(dir / "real"));
    }
    {
        // In a directory open to everyone but sticky (as /tmp), links at names one could guess
        // for a temporary socket change nothing.
        fs::create_directory(dir / "sticky");
        fs::permissions(dir / "sticky", fs::perms(01777));
        const auto path = dir / "sticky" / "sriovd.sock";
        for (const char* suffix : {".tmp", ".0", ".new"})
            fs::create_symlink(victim, path.string() + suffix);
        boost::asio::io_context io;
        ServerOptions options;
        options.socket_path = path;
        options.group = ::getegid();
        Server server(io, options, serve);
        struct stat st {};
        REQUIRE(::lstat(path.c_str(), &st) == 0);
        CHECK(S_ISSOCK(st.st_mode));
        CHECK((st.st_mode & 07777) == 0660);
        CHECK(st.st_gid == ::getegid());
        unsigned entries = 0;
        for (const auto& e : fs::directory_iterator(dir / "sticky")) {
            ++entries;
            CHECK((e.path() == path || fs::is_symlink(e.symlink_status())));
        }
        CHECK(entries == 4);
        std::ifstream in(victim);
        CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "precious\n");
    }
    fs::remove_all(dir);
}

TEST_CASE("control socket: a user outside the group is refused by the socket, with the group named")
{
    Daemon d;
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        std::string result = "connected";
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
            result = "cannot drop privileges";
        } else {
            try {
                Client c(d.socket);
            } catch (const Error& e) {
                result = std::string(to_string(e.code())) + ": " + e.cause();
            }
        }
        [[maybe_unused]] auto n = ::write(pipe_fds[1], result.data(), result.size());
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    char buf[512];
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    ::close(pipe_fds[0]);
    ::waitpid(child, nullptr, 0);
    REQUIRE(n > 0);
    const std::string result(buf, static_cast<std::size_t>(n));
    if (::getuid() != 0)
        SKIP("needs root to switch to another user");
    CHECK_THAT(result, ContainsSubstring("permission: permission denied; run as root or as a member of group"));
}

TEST_CASE("control socket: group membership counts supplementary groups")
{
    const auto dir = temp_dir();
    fs::create_directories(dir / "4242");
    std::ofstream(dir / "4242" / "status") << "Name:\tvfctl\nUid:\t1000\t1000\t1000\t1000\nGroups:\t1000 27 119\n";
    const Peer user{4242, 1000, 1000};
    CHECK(peer_in_group(user, 119, dir));
    CHECK(peer_in_group(user, 1000, dir));
    CHECK_FALSE(peer_in_group(user, 30, dir));
    CHECK_FALSE(peer_in_group(user, std::nullopt, dir));
    CHECK(peer_in_group(Peer{1, 0, 0}, std::nullopt, dir));  // root
    fs::remove_all(dir);
}

TEST_CASE("control socket: a subscriber that does not read loses events beyond the bound, and is told how many")
{
    constexpr std::size_t bound = 4096;
    constexpr int published = 5000;
    Daemon d(bound);
    RawClient stalled(d.socket);
    REQUIRE(stalled.send(R"({"id":1,"op":"subscribe"})"));
    REQUIRE(stalled.line() == R"({"id":1,"ok":true,"result":{}})");

    // 5000 events of about 60 bytes (300 KB) while the subscriber reads nothing.
    std::size_t most_queued = 0;
    d.in_loop([&] {
        for (int i = 0; i < published; ++i) {
            d.server->publish(fmt::format(R"({{"event":"vf_reset","pf":"0000:00:02.0","vf":1,"n":{}}})", i));
            most_queued = std::max(most_queued, d.server->queued_bytes());
        }
    });
    CHECK(most_queued <= bound);
    // Another client is answered meanwhile.
    Client other(d.socket);
    CHECK(other.call(Request{0, Status{}}) == "{}");

    // Reading now: the events that were kept, in order and without a gap, then how many were not.
    int received = 0;
    std::uint64_t missed = 0;
    for (std::string l = stalled.line(); !l.empty(); l = stalled.line()) {
        const auto e = nlohmann::json::parse(l);
        if (e.at("event") == "events_missed") {
            missed = e.at("count").get<std::uint64_t>();
            CHECK_THAT(e.at("message").get<std::string>(), ContainsSubstring("events dropped"));
            break;
        }
        REQUIRE(e.at("n") == received);
        ++received;
    }
    INFO("received " << received << ", missed " << missed);
    CHECK(received > 0);
    CHECK(missed > 0);
    CHECK(received + missed == published);
    // Caught up, it gets events again.
    d.in_loop([&] { d.server->publish(R"({"event":"link_change","pf":"0000:00:02.0"})"); });
    CHECK(stalled.line() == R"({"event":"link_change","pf":"0000:00:02.0"})");
}

TEST_CASE("control socket: a client that sends requests and does not read the answers is disconnected")
{
    Daemon d(4096);
    Client other(d.socket);
    RawClient greedy(d.socket);
    int sent = 0;
    while (sent < 1000000 && greedy.send(R"({"op":"status"})")) {
        if (++sent % 100 == 0)  // the daemon answers others all along
            REQUIRE(other.call(Request{0, Status{}}) == "{}");
    }
    INFO(sent << " requests sent before the daemon hung up");
    CHECK(sent < 1000000);
    std::size_t connections = 0;
    d.in_loop([&] { connections = d.server->connections(); });
    CHECK(connections == 1);
    CHECK(other.call(Request{0, Show{}}) == R"({"pfs":[{"num_vfs":2,"pf":"0000:00:02.0"}]})");
}
