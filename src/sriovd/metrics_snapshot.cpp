#include "metrics_snapshot.hpp"

namespace sriov::sriovd {

void add_stats(MetricsSnapshot& snapshot, const nlohmann::json& stats)
{
    for (const auto& entry : stats.at("vfs")) {
        VfFigures v;
        v.pf = entry.value("pf", std::string());
        v.vf = entry.at("vf").get<unsigned>();
        for (const auto& [key, value] : entry.items()) {
            if (key == "vf")
                continue;
            if (value.is_number_unsigned())
                v.counters[key] = value.get<std::uint64_t>();
            else if (key == "quarantined" && value.is_boolean())
                v.quarantined = value.get<bool>();
        }
        snapshot.vfs.push_back(std::move(v));
    }
}

void add_status(MetricsSnapshot& snapshot, const nlohmann::json& status)
{
    for (const auto& [key, value] : status.at("mailbox").items())
        if (value.is_number_unsigned())
            snapshot.mailbox[key] = value.get<std::uint64_t>();
}

void count_event(std::map<std::pair<std::string, std::string>, std::uint64_t>& events, const nlohmann::json& event)
{
    const auto text = [&](const char* key) {
        const auto it = event.find(key);
        return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    ++events[{text("pf"), text("event")}];
}

}  // namespace sriov::sriovd
