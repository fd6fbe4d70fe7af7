// Runs in the testbed guest: sriov_netlink's RtnlSocket against the running kernel.
//
//   tb_netlink_vf set IFACE VF KEY VALUE...   one request, with iproute2's keywords:
//                                             mac, vlan (with qos, proto), max_tx_rate,
//                                             min_tx_rate, spoofchk, trust, state, query_rss
//   tb_netlink_vf show IFACE                  the kernel's view, one line per VF
//   tb_netlink_vf dump IFACE                  the kernel's RTM_NEWLINK answer as hex
//
// `set` prints "ok: ..." and exits 0 when the kernel acked; otherwise one line
// "refused: SUBJECT: setting ...: STRERROR (kernel: MESSAGE) [CODE]" on stderr and exits 1.
// `show` prints per VF: "vf N: SETTINGS | counters: ..." where SETTINGS are the reported fields in
// iproute2's keywords (to_string(VfSettings): vlan always with qos, "vlan 0 qos 0" being none;
// proto only when 802.1ad) and counters "not reported" when the driver gave none. Exit 2: bad usage; 1: any error.
#include "netlink/rtnl_socket.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace sriov;
using namespace sriov::nl;

namespace {

[[noreturn]] void usage(std::string_view why)
{
    fmt::print(stderr,
               "tb_netlink_vf: {}\n"
               "usage: tb_netlink_vf set IFACE VF KEY VALUE...\n"
               "       tb_netlink_vf show IFACE\n"
               "       tb_netlink_vf dump IFACE\n",
               why);
    std::exit(2);
}

std::uint32_t number(std::string_view key, std::string_view text)
{
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        usage(fmt::format("{}: '{}' is not a number", key, text));
    return value;
}

bool on_off(std::string_view key, std::string_view text)
{
    if (text == "on")
        return true;
    if (text == "off")
        return false;
    usage(fmt::format("{}: '{}' is neither on nor off", key, text));
}

VfSettings parse_settings(const std::vector<std::string_view>& args)
{
    VfSettings s;
    std::optional<std::uint32_t> qos;
    std::optional<VlanProtocol> proto;
    if (args.empty() || args.size() % 2 != 0)
        usage("settings come as KEY VALUE pairs");
    for (std::size_t i = 0; i < args.size(); i += 2) {
        const std::string_view key = args[i];
        const std::string_view value = args[i + 1];
        if (key == "mac") {
            const auto mac = MacAddress::try_parse(value);
            if (!mac)
                usage(fmt::format("mac: '{}' is not a MAC address", value));
            s.mac = *mac;
        } else if (key == "vlan") {
            s.vlan = VfVlan{static_cast<std::uint16_t>(number(key, value)), 0, VlanProtocol::ieee_802_1q};
        } else if (key == "qos") {
            qos = number(key, value);
        } else if (key == "proto") {
            if (value == "802.1Q" || value == "802.1q")
                proto = VlanProtocol::ieee_802_1q;
            else if (value == "802.1ad" || value == "802.1AD")
                proto = VlanProtocol::ieee_802_1ad;
            else
                usage(fmt::format("proto: '{}' is neither 802.1Q nor 802.1ad", value));
        } else if (key == "max_tx_rate") {
            s.max_tx_rate = number(key, value);
        } else if (key == "min_tx_rate") {
            s.min_tx_rate = number(key, value);
        } else if (key == "spoofchk") {
            s.spoofchk = on_off(key, value);
        } else if (key == "trust") {
            s.trust = on_off(key, value);
        } else if (key == "query_rss") {
            s.query_rss = on_off(key, value);
        } else if (key == "state") {
            if (value == "auto")
                s.link_state = VfLinkState::auto_;
            else if (value == "enable")
                s.link_state = VfLinkState::enable;
            else if (value == "disable")
                s.link_state = VfLinkState::disable;
            else
                usage(fmt::format("state: '{}' is not auto, enable or disable", value));
        } else {
            usage(fmt::format("unknown setting '{}'", key));
        }
    }
    if ((qos || proto) && !s.vlan)
        usage("qos and proto need vlan");
    if (s.vlan) {
        if (qos)
            s.vlan->qos = static_cast<std::uint8_t>(*qos > 255 ? 255 : *qos);  // the encoder refuses > 7
        if (proto)
            s.vlan->protocol = *proto;
    }
    return s;
}

// The name of the driver bound to the interface's device, "" when there is none (e.g. a virtual
// interface).
std::string driver_of(std::string_view iface)
{
    std::error_code ec;
    const auto link = std::filesystem::read_symlink(fmt::format("/sys/class/net/{}/device/driver", iface), ec);
    return ec ? std::string{} : link.filename().string();
}

std::string subject_of(std::string_view iface, std::uint32_t vf)
{
    const std::string driver = driver_of(iface);
    return driver.empty() ? fmt::format("{} vf {}", iface, vf) : fmt::format("{} ({}) vf {}", iface, driver, vf);
}

std::string counters_text(const VfCounters& c)
{
    if (!c.any_reported())
        return "not reported";
    std::string out;
    const auto add = [&out](std::string_view name, const std::optional<std::uint64_t>& v) {
        out += fmt::format("{}{} {}", out.empty() ? "" : " ", name, v ? fmt::format("{}", *v) : "-");
    };
    add("rx_packets", c.rx_packets);
    add("tx_packets", c.tx_packets);
    add("rx_bytes", c.rx_bytes);
    add("tx_bytes", c.tx_bytes);
    add("broadcast", c.broadcast);
    add("multicast", c.multicast);
    add("rx_dropped", c.rx_dropped);
    add("tx_dropped", c.tx_dropped);
    return out;
}

int set(std::string_view iface, std::string_view vf_text, const std::vector<std::string_view>& args)
{
    const std::uint32_t vf = number("VF", vf_text);
    const VfSettings settings = parse_settings(args);
    const std::string subject = subject_of(iface, vf);
    RtnlSocket sock;
    try {
        sock.set_vf(interface_index(iface), vf, settings, subject);
    } catch (const Error& e) {
        fmt::print(stderr, "refused: {} [{}]\n", e.what(), to_string(e.code()));
        return 1;
    }
    fmt::print("ok: {}: {}\n", subject, to_string(settings));
    return 0;
}

int show(std::string_view iface)
{
    RtnlSocket sock;
    const LinkVfInfo info = sock.read_link(iface);
    fmt::print("{} (ifindex {}, driver {}): {} VFs\n", iface, info.ifindex,
               driver_of(iface).empty() ? "none" : driver_of(iface),
               info.num_vf ? fmt::format("{}", *info.num_vf) : "? (no IFLA_NUM_VF)");
    for (const FoundVf& f : info.vfs)
        fmt::print("vf {}: {} | counters: {}\n", f.vf, to_string(f.settings), counters_text(f.counters));
    return 0;
}

int dump(std::string_view iface)
{
    RtnlSocket sock;
    const std::vector<std::uint8_t> bytes = sock.read_link_bytes(interface_index(iface));
    utsname u{};
    uname(&u);
    fmt::print("dump: RTM_NEWLINK of {} ({} bytes), kernel {} {}, driver {}\n", iface, bytes.size(), u.release,
               u.version, driver_of(iface));
    static constexpr char digits[] = "0123456789abcdef";
    std::string line;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        line += digits[bytes[i] >> 4];
        line += digits[bytes[i] & 0xf];
        if (line.size() == 64 || i + 1 == bytes.size()) {
            fmt::print("hex \"{}\"\n", line);
            line.clear();
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    try {
        if (args.size() >= 5 && args[0] == "set")
            return set(args[1], args[2], {args.begin() + 3, args.end()});
        if (args.size() == 2 && args[0] == "show")
            return show(args[1]);
        if (args.size() == 2 && args[0] == "dump")
            return dump(args[1]);
    } catch (const Error& e) {
        fmt::print(stderr, "tb_netlink_vf: {} [{}]\n", e.what(), to_string(e.code()));
        return 1;
    }
    usage("what to do?");
}
