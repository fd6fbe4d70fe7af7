// Where sriovd's metrics listener may listen: an IP address of the loopback interface and a port,
// "127.0.0.1:9469" or "[::1]:9469". Only loopback is accepted because the listener has no
// authentication and no encryption: a scraper on another host reaches it through a proxy or
// tunnel that adds them, never directly.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <string_view>

namespace sriov::sriovd {

// The endpoint text names. Port 0 is allowed only with allow_any_port (tests: the kernel picks).
// Throws sriov::Error(invalid_argument, text) saying what is wrong: no port, a port out of
// 1..65535, not an IP address (host names are not looked up), or an address that is not loopback.
boost::asio::ip::tcp::endpoint loopback_endpoint(std::string_view text, bool allow_any_port = false);

}  // namespace sriov::sriovd
