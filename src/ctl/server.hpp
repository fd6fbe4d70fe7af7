// sriovd's control socket: a Unix stream socket speaking the protocol of protocol.hpp, served in a
// Boost.Asio loop.
//
// Each connection sends request lines and gets one answer line per request; after "subscribe" it
// also receives event lines as the daemon publishes them. Only root and members of one configured
// group may talk to it (peer credentials, SO_PEERCRED); the socket file is created with mode 0660
// and that group, so the file system says the same thing. A line longer than max_line, or a peer
// that is not allowed, gets one error answer and is disconnected. The server never blocks the loop.
//
// A client that does not read cannot make sriovd's memory grow (outbox.hpp): each connection may
// have max_output bytes of events and as many of answers waiting. A subscriber that falls behind
// loses the events beyond that and is told how many ("events_missed") once it has caught up; a
// client that sends requests and leaves their answers unread is disconnected. Both are logged,
// rate-limited, with the client's pid and uid.
#pragma once

#include "pf/token_bucket.hpp"
#include "sriov/control/protocol.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <spdlog/common.h>

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>

namespace sriov::control {

struct Peer {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

struct ServerOptions {
    std::filesystem::path socket_path{std::string(default_socket)};
    std::optional<gid_t> group;  // members may connect; nullopt: root only
    std::size_t max_line = 64 * 1024;
    // Bytes of events, and as many of answers, one connection may have waiting to be written (on
    // top of what the kernel's socket buffer holds): about a thousand events of ~120 bytes, and
    // dozens of the largest answers, which vfctl asks for one at a time.
    std::size_t max_output = 128 * 1024;
};

class Server {
public:
    // Answers a request with a JSON result ("{}" for nothing), or throws sriov::Error, which is sent
    // back as the error answer. Runs in the loop; must not block.
    using Handler = std::function<std::string(const Request&, const Peer&)>;

    // Creates the socket (replacing a stale socket file, refusing to replace anything else, never
    // following a symbolic link: bind_socket_file()) and starts accepting. Throws sriov::Error: busy
    // (another server answers on that path), permission (also: a symbolic link at the path), io
    // (cannot create the directory or bind).
    Server(boost::asio::io_context& io, ServerOptions options, Handler handler);
    ~Server();  // closes every connection and removes the socket file
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Sends `event_json` (one JSON object) to every subscribed connection.
    void publish(const std::string& event_json);

    std::size_t connections() const { return sessions_.size(); }
    // Bytes of events and answers waiting to be written, all connections together.
    std::size_t queued_bytes() const;

    class Session;

private:
    void accept();
    void drop(Session* session);
    bool allowed(const Peer& peer) const;
    // A line about a client that does not read, at most one a second on average (bursts of 20).
    void log_backlog(spdlog::level::level_enum level, const std::string& what);

    boost::asio::io_context& io_;
    ServerOptions options_;
    Handler handler_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::list<std::shared_ptr<Session>> sessions_;
    std::uint64_t next_session_ = 1;
    pf::TokenBucket log_limit_{1.0, 20.0};
    std::uint64_t log_suppressed_ = 0;
    friend class Session;
};

// Whether process `pid` (uid, primary gid) is root or belongs to `group`, counting its
// supplementary groups (read from <proc_root>/<pid>/status). Never throws.
bool peer_in_group(const Peer& peer, std::optional<gid_t> group, const std::filesystem::path& proc_root = "/proc");

}  // namespace sriov::control
