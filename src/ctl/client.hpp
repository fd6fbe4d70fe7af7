// The client side of sriovd's control socket, as vfctl uses it: blocking, one request at a time.
#pragma once

#include "sriov/control/protocol.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/streambuf.hpp>

#include <filesystem>
#include <string>

namespace sriov::control {

class Client {
public:
    // Connects to sriovd. Throws sriov::Error (subject = the socket path): not_found when no sriovd
    // answers there (says how to start it), permission when the socket may not be opened (names
    // the group that grants access), io otherwise.
    explicit Client(const std::filesystem::path& socket = std::string(default_socket));

    // Sends `request` and returns the answer's result as JSON text. Throws the sriov::Error the
    // daemon answered with (its code and message), or Errc::io / protocol when the connection
    // breaks or the answer is not the protocol's.
    std::string call(const Request& request);

    // After a Subscribe call: waits for the next event and returns it as JSON text.
    // Throws sriov::Error (io) when the daemon goes away.
    std::string next_event();

private:
    std::string read_line();

    std::string path_;
    boost::asio::io_context io_;
    boost::asio::local::stream_protocol::socket socket_;
    boost::asio::streambuf buffer_;
    std::uint64_t next_id_ = 1;
};

// The Errc whose name (to_string) is `name`; Errc::io for an unknown name.
Errc errc_from_name(std::string_view name);

}  // namespace sriov::control
