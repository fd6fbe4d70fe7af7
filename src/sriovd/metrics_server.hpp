// sriovd's metrics listener: a minimal HTTP/1.1 server on a loopback TCP address, on sriovd's
// event loop. "GET /metrics" is answered 200 with the exposition (metrics_text.hpp) as
// "text/plain; version=0.0.4"; any other request 404; a request that is not HTTP or is too long,
// 400. Every answer closes the connection, so a connection serves one request.
//
// A client cannot hold the listener or grow sriovd's memory: a request may be max_request bytes
// at most (the request line and headers; a body is never read), each connection has `timeout` to
// send its request and read the whole answer before it is closed, and at most max_connections are
// served at once (more are closed at once). The body is made when the request has arrived, on the
// loop, so it is as current as vfctl's answer at that moment.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace sriov::sriovd {

struct MetricsServerOptions {
    boost::asio::ip::tcp::endpoint endpoint;  // loopback_endpoint() (metrics_address.hpp)
    std::size_t max_request = 8 * 1024;
    std::chrono::milliseconds timeout{5000};
    std::size_t max_connections = 8;
};

class MetricsServer {
public:
    // Makes the exposition; runs on the loop when a scrape arrives. What it throws is logged and
    // answered 500.
    using Body = std::function<std::string()>;

    // Binds and starts accepting. Throws sriov::Error: busy (the address is in use), io (any other
    // failure to listen), naming the address.
    MetricsServer(boost::asio::io_context& io, MetricsServerOptions options, Body body);
    ~MetricsServer();  // closes the listener and every connection
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    // Where it listens (the port the kernel chose for port 0).
    boost::asio::ip::tcp::endpoint endpoint() const;

    class Session;

private:
    void accept();

    boost::asio::io_context& io_;
    MetricsServerOptions options_;
    Body body_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::set<std::shared_ptr<Session>> sessions_;
    friend class Session;
};

// The answer to one request head (everything up to and including the blank line), whole: status
// line, headers and body. Pure, for tests. body() is called only for "GET /metrics".
std::string metrics_answer(const std::string& head, const MetricsServer::Body& body);

}  // namespace sriov::sriovd
