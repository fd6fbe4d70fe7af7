#include "output.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <ctime>
#include <optional>
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

// A field that is there: nullptr when it is absent or null (sriovd leaves out, or sends null for,
// what a PF does not have or its driver did not report).
const json* field(const json& object, const char* key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

// A field as text, `absent` when it is not there.
std::string text(const json& object, const char* key, std::string_view absent = "-")
{
    const json* v = field(object, key);
    if (!v)
        return std::string(absent);
    return v->is_string() ? v->get<std::string>() : v->dump();
}

std::optional<std::uint64_t> number(const json& object, const char* key)
{
    const json* v = field(object, key);
    return v && v->is_number_unsigned() ? std::optional(v->get<std::uint64_t>()) : std::nullopt;
}

std::optional<bool> flag(const json& object, const char* key)
{
    const json* v = field(object, key);
    return v && v->is_boolean() ? std::optional(v->get<bool>()) : std::nullopt;
}

// An array field, empty when it is not there or not an array.
json list(const json& object, const char* key)
{
    const json* v = field(object, key);
    return v && v->is_array() ? *v : json::array();
}

using Rows = std::vector<std::vector<std::string>>;

// One line per row, columns sized to their widest cell, two spaces apart. A row with fewer cells
// than the first (the header) ends in a cell that spans the rest, and does not widen its column.
std::vector<std::string> lines(const Rows& rows)
{
    const std::size_t columns = rows.empty() ? 0 : rows.front().size();
    std::vector<std::size_t> width;
    for (const auto& row : rows) {
        width.resize(std::max(width.size(), row.size()));
        const std::size_t counted = !row.empty() && row.size() < columns ? row.size() - 1 : row.size();
        for (std::size_t c = 0; c < counted; ++c)
            width[c] = std::max(width[c], row[c].size());
    }
    std::vector<std::string> out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c)
            line += c + 1 < row.size() ? fmt::format("{:<{}}  ", row[c], width[c]) : row[c];
        out.push_back(line);
    }
    return out;
}

std::string render(const Rows& rows)
{
    std::string out;
    for (const auto& line : lines(rows))
        out += line + "\n";
    return out;
}

std::string on_off(std::optional<bool> v) { return v ? (*v ? "on" : "off") : "-"; }

// "100/3", with the tag protocol when it is not the usual 802.1Q: "100/3 802.1ad".
std::string vlan_qos(const json& vf)
{
    const auto vlan = number(vf, "vlan").value_or(0);
    if (vlan == 0)
        return "-";
    const auto protocol = text(vf, "vlan_protocol", "802.1Q");
    return fmt::format("{}/{}{}", vlan, number(vf, "qos").value_or(0), protocol == "802.1Q" ? "" : " " + protocol);
}

// The TX limit, and the rate kept for the VF when there is one: "100 Mb/s", "10..100 Mb/s".
std::string rate(const json& vf)
{
    const auto max = number(vf, "max_tx_rate").value_or(0);
    const auto min = number(vf, "min_tx_rate").value_or(0);
    if (min == 0)
        return max == 0 ? "-" : fmt::format("{} Mb/s", max);
    return max == 0 ? fmt::format("min {} Mb/s", min) : fmt::format("{}..{} Mb/s", min, max);
}

// Counters: 1234567 -> "1234.6k", 98765432 -> "98.77M"; "-" for one not reported.
std::string count(std::optional<std::uint64_t> counter)
{
    if (!counter)
        return "-";
    const auto n = *counter;
    if (n < 10000)
        return std::to_string(n);
    if (n < 10'000'000)
        return fmt::format("{:.1f}k", static_cast<double>(n) / 1e3);
    if (n < 10'000'000'000)
        return fmt::format("{:.2f}M", static_cast<double>(n) / 1e6);
    return fmt::format("{:.2f}G", static_cast<double>(n) / 1e9);
}

std::string bytes(std::optional<std::uint64_t> counter)
{
    if (!counter)
        return "-";
    const auto n = *counter;
    if (n < 10000)
        return fmt::format("{} B", n);
    if (n < 10'000'000)
        return fmt::format("{:.1f} kB", static_cast<double>(n) / 1e3);
    if (n < 10'000'000'000)
        return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
    return fmt::format("{:.1f} GB", static_cast<double>(n) / 1e9);
}

// "yes" or "no", and how often the VF was quarantined in all when that says more; "-" for a VF
// that cannot be (a kernel-owned PF's).
std::string quarantined(const json& vf)
{
    const auto now = flag(vf, "quarantined");
    const auto times = number(vf, "quarantines").value_or(0);
    if (!now && times == 0)
        return "-";
    const std::string answer = now.value_or(false) ? "yes" : "no";
    if (times == 0 || (now.value_or(false) && times == 1))
        return answer;
    return fmt::format("{} ({} {})", answer, times, times == 1 ? "time" : "times");
}

// The largest frame a VF may ask for: "chip limit" for 0.
std::string frame(const json& vf)
{
    const auto bytes = number(vf, "max_frame").value_or(0);
    return bytes == 0 ? std::string("chip limit") : fmt::format("{} B", bytes);
}

// What the PF object says of who owns it: "interface eth0, driver igb, owned by the kernel"; ""
// for a PF that says none of it.
std::string pf_about(const json& pf)
{
    std::vector<std::string> parts;
    if (field(pf, "interface"))
        parts.push_back("interface " + text(pf, "interface"));
    if (field(pf, "driver"))
        parts.push_back("driver " + text(pf, "driver"));
    if (field(pf, "owner")) {
        const auto owner = text(pf, "owner");
        parts.push_back(owner == "kernel" ? "owned by the kernel" : "owned by " + owner);
    }
    return fmt::format("{}", fmt::join(parts, ", "));
}

// A desired or found value as the tables print settings.
std::string value_text(const json& drift, const char* key)
{
    const json* v = field(drift, key);
    if (!v)
        return "-";
    if (v->is_boolean())
        return on_off(v->get<bool>());
    return v->is_string() ? v->get<std::string>() : v->dump();
}

// "mac 02:11:22:33:44:66 (desired 02:11:22:33:44:55)", one per setting the kernel's view differs in.
std::vector<std::string> drift(const json& vf)
{
    std::vector<std::string> out;
    for (const auto& d : list(vf, "drift"))
        out.push_back(fmt::format("{} {} (desired {})", text(d, "setting", "?"), value_text(d, "found"),
                                  value_text(d, "desired")));
    return out;
}

bool unmanaged(const json& vf) { return flag(vf, "managed") == false; }

}  // namespace

std::string show_table(std::string_view result_json)
{
    const json r = parse(result_json);
    std::string about;
    Rows rows{{"PF", "VF", "PCI", "DRIVER", "MAC", "VLAN/QOS", "RATE", "SPOOFCHK", "TRUST", "STATE", "QUARANTINED"}};
    std::vector<std::string> notes{""};  // a line under a row, or ""
    for (const auto& pf : list(r, "pfs")) {
        const std::string pf_name = text(pf, "pf", "?");
        if (const auto a = pf_about(pf); !a.empty())
            about += fmt::format("PF {}: {}\n", pf_name, a);
        const auto vfs = list(pf, "vfs");
        if (vfs.empty()) {
            rows.push_back({pf_name, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"});
            notes.emplace_back();
        }
        for (const auto& vf : vfs) {
            rows.push_back({pf_name, text(vf, "vf", "?"), text(vf, "pci"), text(vf, "driver"), text(vf, "mac"),
                             vlan_qos(vf), rate(vf), on_off(flag(vf, "spoofchk")), on_off(flag(vf, "trust")),
                             text(vf, "state"), quarantined(vf)});
            if (unmanaged(vf))
                rows.back().push_back("unmanaged");
            const auto d = drift(vf);
            notes.push_back(d.empty() ? "" : fmt::format("  drift: {}", fmt::join(d, ", ")));
        }
    }
    std::string out = about;
    const auto table = lines(rows);
    for (std::size_t i = 0; i < table.size(); ++i)
        out += table[i] + "\n" + (notes[i].empty() ? "" : notes[i] + "\n");
    return out;
}

std::string show_detail(std::string_view result_json)
{
    const json r = parse(result_json);
    std::string out;
    for (const auto& pf : list(r, "pfs")) {
        const auto about = pf_about(pf);
        out += fmt::format("PF {}: {} VFs, link {}{}\n", text(pf, "pf", "?"), text(pf, "num_vfs", "?"),
                           text(pf, "link", "unknown"), about.empty() ? "" : ", " + about);
        // The limits of the PF sriovd drives itself have defaults; a kernel-owned PF has none of them.
        const bool kernel = text(pf, "owner") == "kernel";
        for (const auto& vf : list(pf, "vfs")) {
            const json origin = field(vf, "origin") ? vf.at("origin") : json::object();
            auto row = [&](const char* name, std::string value, const char* key) -> std::vector<std::string> {
                // An unmanaged VF's settings come from no one sriovd knows of.
                if (unmanaged(vf))
                    return {fmt::format("    {}", name), std::move(value)};
                return {fmt::format("    {}", name), std::move(value), fmt::format("({})", text(origin, key, "default"))};
            };
            out += fmt::format("  VF {} at {}, driver {}{}{}\n", text(vf, "vf", "?"), text(vf, "pci"),
                               text(vf, "driver"), flag(vf, "quarantined") == true ? ", QUARANTINED" : "",
                               unmanaged(vf) ? ", unmanaged" : "");
            const auto max_rate = number(vf, "max_tx_rate").value_or(0);
            Rows rows{row("mac", text(vf, "mac"), "mac"), row("vlan/qos", vlan_qos(vf), "vlan"),
                      row("max_tx_rate", max_rate == 0 ? "-" : fmt::format("{} Mb/s", max_rate), "max_tx_rate")};
            if (field(vf, "min_tx_rate"))
                rows.push_back(row("min_tx_rate", text(vf, "min_tx_rate") + " Mb/s", "min_tx_rate"));
            if (!kernel || field(vf, "max_frame"))
                rows.push_back(row("max_frame", frame(vf), "max_frame"));
            if (!kernel || field(vf, "max_multicast"))
                rows.push_back(row("max_multicast", text(vf, "max_multicast", "30"), "max_multicast"));
            if (!kernel || field(vf, "max_vlans"))
                rows.push_back(row("max_vlans", text(vf, "max_vlans", "8"), "max_vlans"));
            rows.push_back(row("spoofchk", on_off(flag(vf, "spoofchk")), "spoofchk"));
            rows.push_back(row("trust", on_off(flag(vf, "trust")), "trust"));
            if (field(vf, "query_rss"))
                rows.push_back(row("query_rss", on_off(flag(vf, "query_rss")), "query_rss"));
            rows.push_back(row("state", text(vf, "state"), "state"));
            out += render(rows);
            for (const auto& d : drift(vf))
                out += "    drift: " + d + "\n";
        }
    }
    return out;
}

std::string stats_table(std::string_view result_json)
{
    const json r = parse(result_json);
    const auto vfs = list(r, "vfs");
    // The counters a kernel-owned PF's driver gives besides packets and bytes, shown when one does.
    constexpr std::array<std::pair<const char*, const char*>, 4> kernel_counters{{{"rx_dropped", "RX DROPPED"},
                                                                                  {"tx_dropped", "TX DROPPED"},
                                                                                  {"multicast", "MULTICAST"},
                                                                                  {"broadcast", "BROADCAST"}}};
    const bool kernel = std::any_of(vfs.begin(), vfs.end(), [&](const json& vf) {
        return std::any_of(kernel_counters.begin(), kernel_counters.end(),
                           [&](const auto& c) { return field(vf, c.first) != nullptr; });
    });
    Rows rows{{"PF", "VF", "RX PACKETS", "RX BYTES", "TX PACKETS", "TX BYTES", "MAILBOX REQUESTS", "REFUSED",
               "MALFORMED", "DROPPED", "QUARANTINED"}};
    if (kernel)
        for (const auto& [key, title] : kernel_counters)
            rows.front().push_back(title);
    for (const auto& vf : vfs) {
        rows.push_back({text(vf, "pf", "?"), text(vf, "vf", "?")});
        auto& row = rows.back();
        if (text(vf, "traffic") == "not_reported") {
            const auto driver = text(vf, "traffic_driver", "");
            row.push_back(fmt::format("not reported by {}", driver.empty() ? "the driver" : driver));
            continue;
        }
        row.insert(row.end(), {count(number(vf, "rx_packets")), bytes(number(vf, "rx_bytes")),
                               count(number(vf, "tx_packets")), bytes(number(vf, "tx_bytes")),
                               count(number(vf, "mailbox_requests")), count(number(vf, "refused")),
                               count(number(vf, "malformed")), count(number(vf, "dropped")), quarantined(vf)});
        if (kernel)
            for (const auto& [key, title] : kernel_counters)
                row.push_back(count(number(vf, key)));
    }
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
    const auto pfs = number(r, "pfs").value_or(0);
    std::string out = fmt::format("sriovd {}, up {}, {} {}\n", text(r, "version", "?"),
                                  uptime(number(r, "uptime_s").value_or(0)), pfs, pfs == 1 ? "PF" : "PFs");
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
            rows.push_back({std::string("  ") + name, std::to_string(number(mailbox, key).value_or(0))});
    for (const auto& item : mailbox.items()) {
        const std::string& key = item.key();
        const bool known = std::any_of(names.begin(), names.end(), [&](const auto& n) { return key == n.first; });
        if (!known)
            rows.push_back({"  " + key, item.value().dump()});
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
