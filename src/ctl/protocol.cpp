#include "sriov/control/protocol.hpp"

#include "vfio/pci_address.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <set>

namespace sriov::control {

using nlohmann::json;

namespace {

// One line of JSON. Text from a client may hold invalid UTF-8 (it is echoed in error messages);
// it is replaced rather than allowed to throw.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

[[noreturn]] void bad(std::string cause) { throw Error(Errc::invalid_argument, "request", std::move(cause)); }

constexpr std::array<std::string_view, 8> op_names{"show",    "stats",   "set_vf",    "set_numvfs",
                                                   "reset",   "release", "subscribe", "status"};

// The fields a request may carry besides "id" and "op"; anything else is refused.
void only_fields(const json& j, std::initializer_list<std::string_view> allowed)
{
    for (const auto& [key, value] : j.items()) {
        if (key == "id" || key == "op")
            continue;
        bool known = false;
        for (auto a : allowed)
            known = known || key == a;
        if (!known)
            bad(fmt::format("unknown field \"{}\" for \"{}\"", key, j.at("op").get<std::string>()));
    }
}

std::uint64_t unsigned_field(const json& j, std::string_view name, std::uint64_t max)
{
    const auto& v = j.at(std::string(name));
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
        bad(fmt::format("\"{}\" must be a whole number from 0 to {}", name, max));
    const auto n = v.get<std::uint64_t>();
    if (n > max)
        bad(fmt::format("\"{}\" is {}, out of range 0..{}", name, n, max));
    return n;
}

bool bool_field(const json& j, std::string_view name)
{
    const auto& v = j.at(std::string(name));
    if (!v.is_boolean())
        bad(fmt::format("\"{}\" must be true or false", name));
    return v.get<bool>();
}

std::string string_field(const json& j, std::string_view name)
{
    const auto& v = j.at(std::string(name));
    if (!v.is_string())
        bad(fmt::format("\"{}\" must be a string", name));
    return v.get<std::string>();
}

// "pf" as it came: a PCI address or an interface name, resolved by sriovd.
std::string pf_value(const json& j)
{
    auto pf = string_field(j, "pf");
    if (!pci::Address::try_parse(pf) && !is_interface_name(pf))
        bad(fmt::format("\"pf\" \"{}\" is neither a PCI address (0000:00:02.0) nor an interface name (eth0)", pf));
    return pf;
}

std::string pf_field(const json& j)
{
    if (!j.contains("pf"))
        bad(fmt::format("\"{}\" needs \"pf\" (the PF's PCI address or interface name)",
                        j.at("op").get<std::string>()));
    return pf_value(j);
}

std::optional<std::string> optional_pf(const json& j)
{
    return j.contains("pf") ? std::optional(pf_value(j)) : std::nullopt;
}

std::optional<unsigned> optional_vf(const json& j)
{
    return j.contains("vf") ? std::optional(static_cast<unsigned>(unsigned_field(j, "vf", 255))) : std::nullopt;
}

unsigned required_vf(const json& j)
{
    if (!j.contains("vf"))
        bad(fmt::format("\"{}\" needs \"vf\" (the VF's index)", j.at("op").get<std::string>()));
    return static_cast<unsigned>(unsigned_field(j, "vf", 255));
}

constexpr std::array<std::string_view, 13> setting_names{
    "mac",           "vlan",      "qos",      "vlan_protocol", "max_tx_rate", "min_tx_rate", "max_frame",
    "max_multicast", "max_vlans", "spoofchk", "trust",         "query_rss",   "state"};

VlanProtocol vlan_protocol_field(const json& s)
{
    const auto v = string_field(s, "vlan_protocol");
    if (v == "802.1Q")
        return VlanProtocol::ieee_802_1q;
    if (v == "802.1ad")
        return VlanProtocol::ieee_802_1ad;
    bad(fmt::format("\"vlan_protocol\" must be \"802.1Q\" or \"802.1ad\", not \"{}\"", v));
}

VfSettings settings_field(const json& j)
{
    if (!j.contains("settings") || !j.at("settings").is_object())
        bad("\"set_vf\" needs \"settings\", an object");
    const json& s = j.at("settings");
    VfSettings out;
    for (const auto& [key, value] : s.items()) {
        if (key == "mac") {
            const auto text = string_field(s, "mac");
            const auto mac = MacAddress::try_parse(text);
            if (!mac || !mac->is_valid_unicast())
                bad(fmt::format("\"mac\" {} is not a unicast MAC address", text));
            out.mac = *mac;
        } else if (key == "vlan") {
            out.vlan = static_cast<std::uint16_t>(unsigned_field(s, "vlan", 4095));
        } else if (key == "qos") {
            out.qos = static_cast<std::uint8_t>(unsigned_field(s, "qos", 7));
        } else if (key == "vlan_protocol") {
            out.vlan_protocol = vlan_protocol_field(s);
        } else if (key == "max_tx_rate") {
            out.max_tx_rate = static_cast<std::uint32_t>(unsigned_field(s, "max_tx_rate", max_rate_mbps));
        } else if (key == "min_tx_rate") {
            out.min_tx_rate = static_cast<std::uint32_t>(unsigned_field(s, "min_tx_rate", max_rate_mbps));
        } else if (key == "max_frame") {
            out.max_frame = static_cast<std::uint16_t>(unsigned_field(s, "max_frame", 16383));
            if (*out.max_frame != 0 && *out.max_frame < 64)
                bad(fmt::format("\"max_frame\" {} is below 64 bytes (0: the chip's limit)", *out.max_frame));
        } else if (key == "max_multicast") {
            out.max_multicast = static_cast<std::uint8_t>(unsigned_field(s, "max_multicast", 30));
        } else if (key == "max_vlans") {
            out.max_vlans = static_cast<std::uint8_t>(unsigned_field(s, "max_vlans", 32));
        } else if (key == "spoofchk") {
            out.spoofchk = bool_field(s, "spoofchk");
        } else if (key == "trust") {
            out.trust = bool_field(s, "trust");
        } else if (key == "query_rss") {
            out.query_rss = bool_field(s, "query_rss");
        } else if (key == "state") {
            const auto v = string_field(s, "state");
            if (v == "auto")
                out.state = LinkState::automatic;
            else if (v == "enable")
                out.state = LinkState::enable;
            else if (v == "disable")
                out.state = LinkState::disable;
            else
                bad(fmt::format("\"state\" must be auto, enable or disable, not \"{}\"", v));
        } else {
            bad(fmt::format("unknown setting \"{}\"; valid: {}", key, fmt::join(setting_names, ", ")));
        }
    }
    if (out.qos && !out.vlan)
        bad("\"qos\" needs \"vlan\"");
    if (out.vlan_protocol && !out.vlan)
        bad("\"vlan_protocol\" needs \"vlan\"");
    // 0 is no limit, so any guarantee fits under it.
    if (out.min_tx_rate && out.max_tx_rate && *out.max_tx_rate != 0 && *out.min_tx_rate > *out.max_tx_rate)
        bad(fmt::format("\"min_tx_rate\" {} is above \"max_tx_rate\" {}", *out.min_tx_rate, *out.max_tx_rate));
    if (out.empty())
        bad("\"settings\" is empty: nothing to set");
    return out;
}

json settings_json(const VfSettings& s)
{
    json j = json::object();
    if (s.mac)
        j["mac"] = s.mac->to_string();
    if (s.vlan)
        j["vlan"] = *s.vlan;
    if (s.qos)
        j["qos"] = *s.qos;
    if (s.vlan_protocol)
        j["vlan_protocol"] = std::string(to_string(*s.vlan_protocol));
    if (s.max_tx_rate)
        j["max_tx_rate"] = *s.max_tx_rate;
    if (s.min_tx_rate)
        j["min_tx_rate"] = *s.min_tx_rate;
    if (s.max_frame)
        j["max_frame"] = *s.max_frame;
    if (s.max_multicast)
        j["max_multicast"] = *s.max_multicast;
    if (s.max_vlans)
        j["max_vlans"] = *s.max_vlans;
    if (s.spoofchk)
        j["spoofchk"] = *s.spoofchk;
    if (s.trust)
        j["trust"] = *s.trust;
    if (s.query_rss)
        j["query_rss"] = *s.query_rss;
    if (s.state)
        j["state"] = std::string(to_string(*s.state));
    return j;
}

// The JSON of one operation, without "id".
struct OpEncoder {
    json operator()(const Show& o) const { return scoped("show", o.pf, o.vf); }
    json operator()(const Stats& o) const { return scoped("stats", o.pf, o.vf); }
    json operator()(const SetVf& o) const
    {
        return {{"op", "set_vf"}, {"pf", o.pf}, {"vf", o.vf}, {"settings", settings_json(o.settings)}};
    }
    json operator()(const SetNumVfs& o) const { return {{"op", "set_numvfs"}, {"pf", o.pf}, {"count", o.count}}; }
    json operator()(const Reset& o) const
    {
        json j{{"op", "reset"}, {"pf", o.pf}};
        if (o.vf)
            j["vf"] = *o.vf;
        return j;
    }
    json operator()(const Release& o) const { return {{"op", "release"}, {"pf", o.pf}, {"vf", o.vf}}; }
    json operator()(const Subscribe&) const { return {{"op", "subscribe"}}; }
    json operator()(const Status&) const { return {{"op", "status"}}; }

    static json scoped(const char* op, const std::optional<std::string>& pf, const std::optional<unsigned>& vf)
    {
        json j{{"op", op}};
        if (pf)
            j["pf"] = *pf;
        if (vf)
            j["vf"] = *vf;
        return j;
    }
};

Operation decode_operation(const json& j, const std::string& op)
{
    if (op == "show" || op == "stats") {
        only_fields(j, {"pf", "vf"});
        const auto pf = optional_pf(j);
        const auto vf = optional_vf(j);
        if (vf && !pf)
            bad(fmt::format("\"{}\" with \"vf\" needs \"pf\"", op));
        if (op == "show")
            return Show{pf, vf};
        return Stats{pf, vf};
    }
    if (op == "set_vf") {
        only_fields(j, {"pf", "vf", "settings"});
        return SetVf{pf_field(j), required_vf(j), settings_field(j)};
    }
    if (op == "set_numvfs") {
        only_fields(j, {"pf", "count"});
        if (!j.contains("count"))
            bad("\"set_numvfs\" needs \"count\"");
        return SetNumVfs{pf_field(j), static_cast<unsigned>(unsigned_field(j, "count", 255))};
    }
    if (op == "reset") {
        only_fields(j, {"pf", "vf"});
        return Reset{pf_field(j), optional_vf(j)};
    }
    if (op == "release") {
        only_fields(j, {"pf", "vf"});
        return Release{pf_field(j), required_vf(j)};
    }
    if (op == "subscribe") {
        only_fields(j, {});
        return Subscribe{};
    }
    if (op == "status") {
        only_fields(j, {});
        return Status{};
    }
    bad(fmt::format("unknown operation \"{}\"; valid: {}", op, fmt::join(op_names, ", ")));
}

}  // namespace

std::string_view to_string(LinkState s)
{
    switch (s) {
    case LinkState::automatic: return "auto";
    case LinkState::enable: return "enable";
    case LinkState::disable: return "disable";
    }
    return "auto";
}

bool is_interface_name(std::string_view name)
{
    constexpr std::size_t ifnamsiz = 16;  // with the terminating NUL
    if (name.empty() || name.size() >= ifnamsiz || name == "." || name == "..")
        return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        return c == '/' || c == ':' || c == '\0' || std::isspace(static_cast<unsigned char>(c));
    });
}

std::string_view to_string(VlanProtocol p)
{
    return p == VlanProtocol::ieee_802_1ad ? "802.1ad" : "802.1Q";
}

std::string encode(const Request& request)
{
    json j = std::visit(OpEncoder{}, request.op);
    j["id"] = request.id;
    return dump(j);
}

Request decode_request(std::string_view line)
{
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded())
        bad("not valid JSON");
    if (!j.is_object())
        bad("a request must be a JSON object");
    if (!j.contains("op"))
        bad("missing \"op\" (the operation)");
    Request r;
    if (j.contains("id"))
        r.id = unsigned_field(j, "id", std::numeric_limits<std::uint64_t>::max());
    r.op = decode_operation(j, string_field(j, "op"));
    return r;
}

std::string encode_ok(std::uint64_t id, std::string_view result_json)
{
    json j{{"id", id}, {"ok", true}};
    j["result"] = json::parse(result_json, nullptr, false);
    return dump(j);
}

std::string encode_error(std::uint64_t id, const Error& error)
{
    const json j{{"id", id},
                 {"ok", false},
                 {"error", {{"code", std::string(to_string(error.code()))}, {"message", error.what()}}}};
    return dump(j);
}

std::string encode_events_missed(std::uint64_t count)
{
    const json j{{"event", "events_missed"},
                 {"count", count},
                 {"message", fmt::format("{} events dropped: this connection did not read them in time", count)}};
    return dump(j);
}

}  // namespace sriov::control
