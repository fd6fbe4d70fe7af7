#include "ctl/client.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <grp.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <array>

namespace sriov::control {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {

// "group sriov" or "gid 1234" for the group that owns the socket file.
std::string owning_group(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return "the socket's group";
    if (const group* g = ::getgrgid(st.st_gid))
        return fmt::format("group '{}'", g->gr_name);
    return fmt::format("gid {}", st.st_gid);
}

}  // namespace

Errc errc_from_name(std::string_view name)
{
    constexpr std::array all{Errc::not_found, Errc::permission,      Errc::busy,        Errc::no_iommu,
                             Errc::not_viable, Errc::vf_token,       Errc::memlock,     Errc::timeout,
                             Errc::invalid_argument, Errc::unsupported, Errc::protocol, Errc::io};
    for (auto e : all)
        if (to_string(e) == name)
            return e;
    return Errc::io;
}

Client::Client(const std::filesystem::path& socket) : path_(socket.string()), socket_(io_)
{
    boost::system::error_code ec;
    socket_.connect(local::endpoint(path_), ec);
    if (!ec)
        return;
    if (ec == boost::system::errc::no_such_file_or_directory || ec == boost::system::errc::connection_refused)
        throw Error(Errc::not_found, path_,
                    "sriovd is not running (nobody answers on this socket); start it with "
                    "'systemctl start sriovd' or 'sriovd --foreground', or name its socket with --socket");
    if (ec == boost::system::errc::permission_denied)
        throw Error(Errc::permission, path_,
                    fmt::format("permission denied; run as root or as a member of {}", owning_group(path_)));
    throw Error(Errc::io, path_, "cannot connect to sriovd: " + ec.message());
}

std::string Client::read_line()
{
    boost::system::error_code ec;
    const std::size_t n = asio::read_until(socket_, buffer_, '\n', ec);
    if (ec)
        throw Error(Errc::io, path_,
                    ec == asio::error::eof ? "sriovd closed the connection" : "reading from sriovd: " + ec.message());
    std::string line(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + n - 1);
    buffer_.consume(n);
    return line;
}

std::string Client::call(const Request& request)
{
    Request r = request;
    r.id = next_id_++;
    const std::string line = encode(r) + '\n';
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(line), ec);
    if (ec)
        throw Error(Errc::io, path_, "writing to sriovd: " + ec.message());
    for (;;) {
        const auto answer = nlohmann::json::parse(read_line(), nullptr, false);
        if (answer.is_object() && answer.contains("event"))
            continue;  // an event for a subscription made earlier on this connection
        if (answer.is_discarded() || !answer.is_object() || !answer.contains("ok"))
            throw Error(Errc::protocol, path_, "sriovd answered something that is not the control protocol");
        if (answer.at("ok").get<bool>())
            return answer.contains("result") ? answer.at("result").dump() : "{}";
        const auto& err = answer.at("error");
        throw Error(errc_from_name(err.value("code", "io")), "", err.value("message", "sriovd refused the request"));
    }
}

std::string Client::next_event() { return read_line(); }

}  // namespace sriov::control
