#include "metrics_address.hpp"

#include "sriov/error.hpp"

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>

#include <charconv>
#include <string>

namespace sriov::sriovd {

boost::asio::ip::tcp::endpoint loopback_endpoint(std::string_view text, bool allow_any_port)
{
    const auto bad = [&](const std::string& why) {
        return Error(Errc::invalid_argument, fmt::format("metrics address '{}'", text), why);
    };
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        throw bad("no port: write 127.0.0.1:9469 or [::1]:9469");
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);

    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535 ||
        (port == 0 && !allow_any_port))
        throw bad(fmt::format("the port '{}' is not a number in 1..65535", port_text));

    boost::system::error_code parse_error;
    const auto address = boost::asio::ip::make_address(std::string(host), parse_error);
    if (parse_error)
        throw bad(fmt::format("'{}' is not an IP address (host names are not looked up)", host));
    if (!address.is_loopback())
        throw bad("not a loopback address: the metrics listener has no authentication, so it listens on "
                  "127.0.0.1 or ::1 only (reach it from elsewhere through a proxy that adds it)");
    return {address, static_cast<unsigned short>(port)};
}

}  // namespace sriov::sriovd
