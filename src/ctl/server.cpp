#include "ctl/server.hpp"

#include "ctl/outbox.hpp"
#include "ctl/socket_file.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <istream>
#include <sstream>

namespace sriov::control {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

bool peer_in_group(const Peer& peer, std::optional<gid_t> group, const std::filesystem::path& proc_root)
{
    if (peer.uid == 0)
        return true;
    if (!group)
        return false;
    if (peer.gid == *group)
        return true;
    std::ifstream status(proc_root / std::to_string(peer.pid) / "status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("Groups:", 0) != 0)
            continue;
        std::istringstream groups(line.substr(7));
        for (unsigned long g; groups >> g;)
            if (g == *group)
                return true;
    }
    return false;
}

// One client connection: reads lines, answers each, and carries events once subscribed.
class Server::Session : public std::enable_shared_from_this<Server::Session> {
public:
    Session(Server& server, local::socket socket, Peer peer, std::uint64_t number)
        : server_(server), socket_(std::move(socket)), peer_(peer), buffer_(server.options_.max_line + 1),
          outbox_(server.options_.max_output),
          name_(fmt::format("connection {} (pid {}, uid {})", number, peer.pid, peer.uid))
    {
    }

    void start() { read(); }
    void close()
    {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }
    bool subscribed() const { return subscribed_; }
    std::size_t queued_bytes() const { return outbox_.event_bytes() + outbox_.answer_bytes(); }

    void send_event(std::string line)
    {
        if (outbox_.push_event(std::move(line)) == Outbox::EventFate::began_dropping)
            server_.log_backlog(spdlog::level::warn,
                                fmt::format("{} does not read its events: dropping them until it catches up", name_));
        write_next();
    }

    // Answers, then disconnects (a refused peer, an oversized line).
    void refuse(const Error& error)
    {
        closing_ = true;
        send_answer(encode_error(0, error));
    }

private:
    void send_answer(std::string line)
    {
        if (!outbox_.push_answer(std::move(line))) {
            server_.log_backlog(spdlog::level::warn,
                                fmt::format("{} disconnected: it sends requests and does not read the answers "
                                            "({} bytes of them waiting)",
                                            name_, outbox_.answer_bytes()));
            server_.drop(this);
            return;
        }
        write_next();
    }

    void read()
    {
        asio::async_read_until(socket_, buffer_, '\n',
                                [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                    self->on_line(ec, n);
                                });
    }

    void on_line(boost::system::error_code ec, std::size_t n)
    {
        if (ec == asio::error::not_found) {  // the line outgrew max_line
            refuse(Error(Errc::invalid_argument, "request",
                         fmt::format("longer than {} bytes", server_.options_.max_line)));
            return;
        }
        if (ec) {
            server_.drop(this);
            return;
        }
        std::string line(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + n - 1);
        buffer_.consume(n);
        answer(line);
        if (socket_.is_open())  // not disconnected for the answers it leaves unread
            read();
    }

    void answer(const std::string& line)
    {
        std::uint64_t id = 0;
        try {
            const Request request = decode_request(line);
            id = request.id;
            const std::string result = server_.handler_(request, peer_);
            if (std::holds_alternative<Subscribe>(request.op))
                subscribed_ = true;
            send_answer(encode_ok(id, result));
        } catch (const Error& e) {
            send_answer(encode_error(id, e));
        } catch (const std::exception& e) {
            send_answer(encode_error(id, Error(Errc::io, "sriovd", e.what())));
        }
    }

    // Starts writing the next line unless a write is under way (one at a time, in order).
    void write_next()
    {
        if (writing_ || outbox_.empty() || !socket_.is_open())
            return;
        writing_ = true;
        asio::async_write(socket_, asio::buffer(outbox_.front()),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              self->written(ec);
                          });
    }

    void written(boost::system::error_code ec)
    {
        writing_ = false;
        if (ec) {
            server_.drop(this);
            return;
        }
        if (const std::uint64_t missed = outbox_.pop())
            server_.log_backlog(spdlog::level::info,
                                fmt::format("{} caught up; told it that {} events were dropped", name_, missed));
        if (closing_ && outbox_.empty()) {
            server_.drop(this);
            return;
        }
        write_next();
    }

    Server& server_;
    local::socket socket_;
    Peer peer_;
    asio::streambuf buffer_;
    Outbox outbox_;
    std::string name_;
    bool writing_ = false;
    bool subscribed_ = false;
    bool closing_ = false;
};

Server::Server(asio::io_context& io, ServerOptions options, Handler handler)
    : io_(io), options_(std::move(options)), handler_(std::move(handler)), acceptor_(io)
{
    acceptor_.open(local());
    // Never through a symbolic link planted at the path (socket_file.hpp).
    bind_socket_file(acceptor_.native_handle(), options_.socket_path, options_.group);
    acceptor_.listen();
    accept();
}

Server::~Server()
{
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& s : sessions_)
        s->close();
    std::error_code ec;
    std::filesystem::remove(options_.socket_path, ec);
}

bool Server::allowed(const Peer& peer) const { return peer_in_group(peer, options_.group); }

void Server::accept()
{
    acceptor_.async_accept([this](boost::system::error_code ec, local::socket socket) {
        if (ec == asio::error::operation_aborted)
            return;
        if (!ec) {
            ucred cred{};
            socklen_t len = sizeof cred;
            Peer peer;
            if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
                peer = Peer{cred.pid, cred.uid, cred.gid};
            else
                peer.uid = static_cast<uid_t>(-1);
            auto session = std::make_shared<Session>(*this, std::move(socket), peer, next_session_++);
            sessions_.push_back(session);
            if (allowed(peer)) {
                session->start();
            } else {
                spdlog::warn("control socket: refused pid {} (uid {}): not root and not in the group", peer.pid,
                             peer.uid);
                session->refuse(Error(Errc::permission, options_.socket_path.string(),
                                      "permission denied: run as root or as a member of the socket's group"));
            }
        }
        accept();
    });
}

void Server::drop(Session* session)
{
    session->close();
    sessions_.remove_if([session](const auto& s) { return s.get() == session; });
}

void Server::publish(const std::string& event_json)
{
    for (auto& s : sessions_)
        if (s->subscribed())
            s->send_event(event_json);
}

std::size_t Server::queued_bytes() const
{
    std::size_t total = 0;
    for (const auto& s : sessions_)
        total += s->queued_bytes();
    return total;
}

void Server::log_backlog(spdlog::level::level_enum level, const std::string& what)
{
    if (!log_limit_.take(pf::TokenBucket::Clock::now())) {
        ++log_suppressed_;
        return;
    }
    if (log_suppressed_ == 0)
        spdlog::log(level, "control socket: {}", what);
    else
        spdlog::log(level, "control socket: {} ({} lines like this left out before)", what, log_suppressed_);
    log_suppressed_ = 0;
}

}  // namespace sriov::control
