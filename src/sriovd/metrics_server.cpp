#include "metrics_server.hpp"

#include "metrics_text.hpp"
#include "sriov/error.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <spdlog/spdlog.h>

#include <exception>

namespace sriov::sriovd {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string answer(std::string_view status, std::string_view content_type, const std::string& body)
{
    return fmt::format("HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", status,
                       content_type, body.size(), body);
}

std::string plain(std::string_view status, std::string_view text)
{
    return answer(status, "text/plain; charset=utf-8", fmt::format("{}\n", text));
}

}  // namespace

std::string metrics_answer(const std::string& head, const MetricsServer::Body& body)
{
    const auto line_end = head.find("\r\n");
    const std::string line = head.substr(0, line_end);
    // "METHOD TARGET HTTP/1.x": anything else is not a request this server understands.
    const auto first = line.find(' ');
    const auto second = first == std::string::npos ? std::string::npos : line.find(' ', first + 1);
    if (line_end == std::string::npos || second == std::string::npos || line.compare(second + 1, 7, "HTTP/1.") != 0)
        return plain("400 Bad Request", "not an HTTP/1 request");
    const std::string method = line.substr(0, first);
    const std::string target = line.substr(first + 1, second - first - 1);
    if (method != "GET" || target != "/metrics")
        return plain("404 Not Found", "only GET /metrics is served here");
    try {
        return answer("200 OK", metrics_content_type, body());
    } catch (const std::exception& e) {
        spdlog::error("metrics: {}", e.what());
        return plain("500 Internal Server Error", "the metrics could not be gathered (sriovd's log says why)");
    }
}

class MetricsServer::Session : public std::enable_shared_from_this<Session> {
public:
    Session(MetricsServer& server, tcp::socket socket)
        : server_(server), socket_(std::move(socket)), request_(server.options_.max_request),
          deadline_(server.io_)
    {
    }

    void start()
    {
        // One deadline for the whole exchange: reading the request and writing the answer.
        deadline_.expires_after(server_.options_.timeout);
        deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec)
                self->close();
        });
        asio::async_read_until(socket_, request_, "\r\n\r\n",
                               [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                   self->on_request(ec, n);
                               });
    }

    // Safe to call more than once, and from handlers that run after the server is gone.
    void close()
    {
        if (closed_)
            return;
        closed_ = true;
        boost::system::error_code ignored;
        deadline_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
        server_.sessions_.erase(shared_from_this());
    }

private:
    void on_request(const boost::system::error_code& ec, std::size_t n)
    {
        if (closed_)
            return;
        if (ec == asio::error::not_found) {
            // The streambuf is full and has no blank line: too long a request.
            send(plain("400 Bad Request", "request too long"));
            return;
        }
        if (ec) {
            close();
            return;
        }
        const std::string head(asio::buffers_begin(request_.data()), asio::buffers_begin(request_.data()) + n);
        send(metrics_answer(head, server_.body_));
    }

    void send(std::string text)
    {
        answer_ = std::move(text);
        // Closed once written or failed: a connection serves one request.
        asio::async_write(socket_, asio::buffer(answer_),
                          [self = shared_from_this()](const boost::system::error_code&, std::size_t) {
                              self->close();
                          });
    }

    MetricsServer& server_;
    tcp::socket socket_;
    asio::streambuf request_;
    asio::steady_timer deadline_;
    std::string answer_;
    bool closed_ = false;
};

MetricsServer::MetricsServer(asio::io_context& io, MetricsServerOptions options, Body body)
    : io_(io), options_(std::move(options)), body_(std::move(body)), acceptor_(io)
{
    boost::system::error_code ec;
    acceptor_.open(options_.endpoint.protocol(), ec);
    if (!ec)
        acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        acceptor_.bind(options_.endpoint, ec);
    if (!ec)
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        const std::string where = fmt::format("metrics listener {}", fmt::streamed(options_.endpoint));
        if (ec == asio::error::address_in_use)
            throw Error(Errc::busy, where, "the address is in use: choose another port in [metrics] listen");
        throw Error(Errc::io, where, fmt::format("cannot listen: {}", ec.message()));
    }
    accept();
}

MetricsServer::~MetricsServer()
{
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    // close() erases from sessions_: work on a copy.
    const auto sessions = sessions_;
    for (const auto& s : sessions)
        s->close();
}

tcp::endpoint MetricsServer::endpoint() const
{
    return acceptor_.local_endpoint();
}

void MetricsServer::accept()
{
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted)
            return;
        if (!ec) {
            if (sessions_.size() >= options_.max_connections) {
                boost::system::error_code ignored;
                socket.close(ignored);  // busy: the scraper tries again at its next interval
            } else {
                auto session = std::make_shared<Session>(*this, std::move(socket));
                sessions_.insert(session);
                session->start();
            }
        }
        accept();
    });
}

}  // namespace sriov::sriovd
