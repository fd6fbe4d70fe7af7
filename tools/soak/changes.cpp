#include "changes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace sriov::soak {

namespace {

using nlohmann::json;

template <class T, std::size_t N>
const T& pick(std::mt19937_64& rng, const std::array<T, N>& from)
{
    return from[rng() % N];
}

void on_off(std::mt19937_64& rng, Change& c, const char* arg, const char* key)
{
    const bool on = rng() % 2;
    c.args.insert(c.args.end(), {arg, on ? "on" : "off"});
    c.values[key] = on;
}

void link_state(std::mt19937_64& rng, Change& c, bool may_disable)
{
    static constexpr std::array<const char*, 3> states = {"auto", "enable", "disable"};
    const std::string s = states[rng() % (may_disable ? 3 : 2)];
    c.args.insert(c.args.end(), {"state", s});
    c.values["link_state"] = s;
}

}  // namespace

Change traffic_vf_change(std::mt19937_64& rng, const std::string& pf, unsigned vf)
{
    Change c{pf, vf, {}, {}};
    switch (rng() % 3) {
    case 0: on_off(rng, c, "trust", "trust"); break;
    case 1: on_off(rng, c, "spoofchk", "spoof_check"); break;
    default: link_state(rng, c, false); break;
    }
    return c;
}

Change other_vf_change(std::mt19937_64& rng, const std::string& pf, unsigned vf)
{
    Change c{pf, vf, {}, {}};
    std::array<int, 6> kinds = {0, 1, 2, 3, 4, 5};
    std::shuffle(kinds.begin(), kinds.end(), rng);
    const unsigned n = 1 + rng() % 4;
    for (unsigned i = 0; i < n; ++i) {
        switch (kinds[i]) {
        case 0: {
            const auto mac = fmt::format("02:5a:{:02x}:{:02x}:{:02x}:{:02x}", vf, rng() % 256, rng() % 256, rng() % 256);
            c.args.insert(c.args.end(), {"mac", mac});
            c.values["mac"] = mac;
            break;
        }
        case 1: {
            static constexpr std::array<unsigned, 4> vids = {0, 10, 20, 4000};
            const unsigned vid = pick(rng, vids), qos = vid ? static_cast<unsigned>(rng() % 8) : 0;
            c.args.insert(c.args.end(), {"vlan", std::to_string(vid)});
            if (vid)
                c.args.insert(c.args.end(), {"qos", std::to_string(qos)});
            c.values["vlan"] = vid ? json(vid) : json(nullptr);
            c.values["qos"] = qos;
            c.values["vlan_protocol"] = "802.1Q";
            break;
        }
        case 2: on_off(rng, c, "trust", "trust"); break;
        case 3: on_off(rng, c, "spoofchk", "spoof_check"); break;
        case 4: link_state(rng, c, true); break;
        default: {
            static constexpr std::array<unsigned, 3> rates = {0, 100, 500};
            const unsigned r = pick(rng, rates);
            c.args.insert(c.args.end(), {"max_tx_rate", std::to_string(r)});
            c.values["max_tx_rate"] = r;
            break;
        }
        }
    }
    return c;
}

}  // namespace sriov::soak
