#include "output.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <ctime>
#include <utility>
#include <vector>

namespace sriov::vfctl {

using nlohmann::json;

namespace {

json parse(std::string_view text)
{
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw Error(Errc::protocol, "sriovd", "its answer is not a JSON object");
    return j;
}

// Columns sized to their widest cell, two spaces apart.
std::string render(const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> width;
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c) {
            width.resize(std::max(width.size(), row.size()));
            width[c] = std::max(width[c], row[c].size());
        }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c)
            line += c + 1 < row.size() ? fmt::format("{:<{}}  ", row[c], width[c]) : row[c];
        out += line + "\n";
    }
    return out;
}

std::string on_off(const json& v) { return v.is_boolean() ? (v.get<bool>() ? "on" : "off") : "-"; }

std::string vlan_qos(const json& vf)
{
    const auto vlan = vf.value("vlan", 0);
    return vlan == 0 ? "-" : fmt::format("{}/{}", vlan, vf.value("qos", 0));
}

std::string rate(const json& vf)
{
    const auto r = vf.value("max_tx_rate", 0);
    return r == 0 ? "-" : fmt::format("{} Mb/s", r);
}

// Counters: 1234567 -> "1234.6k", 98765432 -> "98.77M".
std::string count(std::uint64_t n)
{
    if (n < 10000)
        return std::to_string(n);
    if (n < 10'000'000)
        return fmt::format("{:.1f}k", static_cast<double>(n) / 1e3);
    if (n < 10'000'000'000)
        return fmt::format("{:.2f}M", static_cast<double>(n) / 1e6);
    return fmt::format("{:.2f}G", static_cast<double>(n) / 1e9);
}

std::string bytes(std::uint64_t n)
{
    if (n < 10000)
        return fmt::format("{} B", n);
    if (n < 10'000'000)
        return fmt::format("{:.1f} kB", static_cast<double>(n) / 1e3);
    if (n < 10'000'000'000)
        return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
    return fmt::format("{:.1f} GB", static_cast<double>(n) / 1e9);
}

std::uint64_t counter(const json& object, const char* key) { return object.value(key, std::uint64_t{0}); }

// "yes" or "no", and how often the VF was quarantined in all when that says more.
std::string quarantined(const json& vf)
{
    const bool now = vf.value("quarantined", false);
    const auto times = counter(vf, "quarantines");
    const std::string answer = now ? "yes" : "no";
    if (times == 0 || (now && times == 1))
        return answer;
    return fmt::format("{} ({} {})", answer, times, times == 1 ? "time" : "times");
}

// The largest frame a VF may ask for: "chip limit" for 0.
std::string frame(const json& vf)
{
    const auto bytes = vf.value("max_frame", 0);
    return bytes == 0 ? std::string("chip limit") : fmt::format("{} B", bytes);
}

}  // namespace

std::string show_table(std::string_view result_json)
{
    const json r = parse(result_json);
    std::vector<std::vector<std::string>> rows{{"PF", "VF", "PCI", "DRIVER", "MAC", "VLAN/QOS", "RATE", "SPOOFCHK",
                                                "TRUST", "STATE", "QUARANTINED"}};
    for (const auto& pf : r.value("pfs", json::array())) {
        const std::string pf_name = pf.value("pf", "?");
        const auto vfs = pf.value("vfs", json::array());
        if (vfs.empty())
            rows.push_back({pf_name, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"});
        for (const auto& vf : vfs)
            rows.push_back({pf_name, std::to_string(vf.value("vf", 0)), vf.value("pci", "-"), vf.value("driver", "-"),
                            vf.value("mac", "-"), vlan_qos(vf), rate(vf), on_off(vf.value("spoofchk", json())),
                            on_off(vf.value("trust", json())), vf.value("state", "auto"),
                            vf.value("quarantined", false) ? "yes" : "no"});
    }
    return render(rows);
}

std::string show_detail(std::string_view result_json)
{
    const json r = parse(result_json);
    std::string out;
    for (const auto& pf : r.value("pfs", json::array())) {
        out += fmt::format("PF {}: {} VFs, link {}\n", pf.value("pf", "?"), pf.value("num_vfs", 0),
                           pf.value("link", "unknown"));
        for (const auto& vf : pf.value("vfs", json::array())) {
            const json origin = vf.value("origin", json::object());
            auto from = [&](const char* key) { return fmt::format("({})", origin.value(key, "default")); };
            out += fmt::format("  VF {} at {}, driver {}{}\n", vf.value("vf", 0), vf.value("pci", "-"),
                               vf.value("driver", "-"), vf.value("quarantined", false) ? ", QUARANTINED" : "");
            std::vector<std::vector<std::string>> rows{
                {"    mac", vf.value("mac", "-"), from("mac")},
                {"    vlan/qos", vlan_qos(vf), from("vlan")},
                {"    max_tx_rate", rate(vf), from("max_tx_rate")},
                {"    max_frame", frame(vf), from("max_frame")},
                {"    max_multicast", std::to_string(vf.value("max_multicast", 30)), from("max_multicast")},
                {"    max_vlans", std::to_string(vf.value("max_vlans", 8)), from("max_vlans")},
                {"    spoofchk", on_off(vf.value("spoofchk", json())), from("spoofchk")},
                {"    trust", on_off(vf.value("trust", json())), from("trust")},
                {"    state", vf.value("state", "auto"), from("state")}};
            out += render(rows);
        }
    }
    return out;
}

std::string stats_table(std::string_view result_json)
{
    const json r = parse(result_json);
    std::vector<std::vector<std::string>> rows{{"PF", "VF", "RX PACKETS", "RX BYTES", "TX PACKETS", "TX BYTES",
                                                "MAILBOX REQUESTS", "REFUSED", "MALFORMED", "DROPPED",
                                                "QUARANTINED"}};
    for (const auto& vf : r.value("vfs", json::array()))
        rows.push_back({vf.value("pf", "?"), std::to_string(vf.value("vf", 0)), count(counter(vf, "rx_packets")),
                        bytes(counter(vf, "rx_bytes")), count(counter(vf, "tx_packets")),
                        bytes(counter(vf, "tx_bytes")), count(counter(vf, "mailbox_requests")),
                        count(counter(vf, "refused")), count(counter(vf, "malformed")),
                        count(counter(vf, "dropped")), quarantined(vf)});
    return render(rows);
}

std::string uptime(std::uint64_t seconds)
{
    const auto days = seconds / 86400;
    const auto hours = seconds % 86400 / 3600;
    const auto minutes = seconds % 3600 / 60;
    if (days > 0)
        return fmt::format("{} d {} h", days, hours);
    if (hours > 0)
        return fmt::format("{} h {} min", hours, minutes);
    if (minutes > 0)
        return fmt::format("{} min {} s", minutes, seconds % 60);
    return fmt::format("{} s", seconds);
}

std::string status_text(std::string_view result_json)
{
    const json r = parse(result_json);
    const auto pfs = counter(r, "pfs");
    std::string out = fmt::format("sriovd {}, up {}, {} {}\n", r.value("version", "?"), uptime(counter(r, "uptime_s")),
                                  pfs, pfs == 1 ? "PF" : "PFs");
    const json mailbox = r.value("mailbox", json::object());
    if (!mailbox.is_object() || mailbox.empty())
        return out;
    // The counters sriovd keeps of its mailbox service, in words; any it adds later by their key.
    constexpr std::array<std::pair<const char*, const char*>, 10> names{{
        {"interrupts", "interrupts"},
        {"vf_resets", "VF resets"},
        {"requests", "requests from VFs"},
        {"nacks", "requests refused (NACK)"},
        {"acks", "acknowledgements from VFs"},
        {"control_messages", "control messages to VFs"},
        {"errors", "mailbox errors"},
        {"dropped", "requests dropped (over rate)"},
        {"quarantines", "quarantines"},
        {"log_suppressed", "log lines suppressed"},
    }};
    std::vector<std::vector<std::string>> rows;
    for (const auto& [key, name] : names)
        if (mailbox.contains(key))
            rows.push_back({std::string("  ") + name, std::to_string(counter(mailbox, key))});
    for (const auto& [key, value] : mailbox.items()) {
        const bool known = std::any_of(names.begin(), names.end(), [&](const auto& n) { return key == n.first; });
        if (!known)
            rows.push_back({"  " + key, value.dump()});
    }
    return out + "mailbox:\n" + render(rows);
}

std::string event_line(std::string_view event_json, std::chrono::system_clock::time_point arrival)
{
    const auto e = json::parse(event_json, nullptr, false);
    if (e.is_discarded() || !e.is_object())
        return std::string(event_json);
    const std::time_t t = std::chrono::system_clock::to_time_t(arrival);
    std::tm local{};
    char when[32] = "?";
    if (::localtime_r(&t, &local))
        std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &local);
    const auto text = [&](const char* key) {
        const auto it = e.find(key);
        return it == e.end() ? std::string() : it->is_string() ? it->get<std::string>() : it->dump();
    };
    std::string line = fmt::format("{} {}", when, e.contains("pf") ? text("pf") : "-");
    if (e.contains("vf"))
        line += fmt::format(" vf {}", text("vf"));
    line += fmt::format(" {}", e.contains("event") ? text("event") : std::string("event"));
    if (const auto message = text("message"); !message.empty())
        line += fmt::format(": {}", message);
    return line;
}

}  // namespace sriov::vfctl
