#include "output.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
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

// Counters: 1234567 -> "1.23M".
std::string count(std::uint64_t n)
{
    if (n < 10000)
        return std::to_string(n);
    if (n < 10'000'000)
        return fmt::format("{:.1f}k", static_cast<double>(n) / 1e3);
    return fmt::format("{:.2f}M", static_cast<double>(n) / 1e6);
}

std::string bytes(std::uint64_t n)
{
    if (n < 10000)
        return fmt::format("{} B", n);
    if (n < 10'000'000)
        return fmt::format("{:.1f} kB", static_cast<double>(n) / 1e3);
    return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
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
                                                "MAILBOX REQUESTS", "REFUSED", "MALFORMED"}};
    for (const auto& vf : r.value("vfs", json::array()))
        rows.push_back({vf.value("pf", "?"), std::to_string(vf.value("vf", 0)),
                        count(vf.value("rx_packets", std::uint64_t{0})), bytes(vf.value("rx_bytes", std::uint64_t{0})),
                        count(vf.value("tx_packets", std::uint64_t{0})), bytes(vf.value("tx_bytes", std::uint64_t{0})),
                        count(vf.value("mailbox_requests", std::uint64_t{0})),
                        count(vf.value("refused", std::uint64_t{0})), count(vf.value("malformed", std::uint64_t{0}))});
    return render(rows);
}

}  // namespace sriov::vfctl
