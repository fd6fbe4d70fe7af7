#include "grammar.hpp"

#include "sriov/error.hpp"
#include "vfio/pci_address.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>

namespace sriov::vfctl {

namespace {

constexpr std::array<std::string_view, 6> commands{"show", "set", "reset", "release", "monitor", "status"};
constexpr std::array<std::string_view, 13> settings{
    "mac",           "vlan",      "qos",      "proto", "max_tx_rate", "min_tx_rate", "max_frame",
    "max_multicast", "max_vlans", "spoofchk", "trust", "query_rss",   "state"};

std::string join(std::span<const std::string_view> words)
{
    std::string out;
    for (auto w : words) {
        if (!out.empty())
            out += ", ";
        out += w;
    }
    return out;
}

[[noreturn]] void unknown(std::string_view what, std::string_view word, std::span<const std::string_view> valid)
{
    const auto guess = closest_keyword(word, valid);
    throw UsageError(fmt::format("unknown {} \"{}\"{}; valid: {}", what, word,
                                 guess.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", guess), join(valid)));
}

// Reads words one at a time, saying what was expected when they run out.
class Words {
public:
    explicit Words(std::span<const std::string> w) : w_(w) {}
    bool done() const { return i_ == w_.size(); }
    const std::string& next(std::string_view expected)
    {
        if (done())
            throw UsageError(fmt::format("missing {}", expected));
        return w_[i_++];
    }
    std::span<const std::string> rest() const { return w_.subspan(i_); }
    void expect_end(std::string_view context) const
    {
        if (!done())
            throw UsageError(fmt::format("unexpected \"{}\" after {}", w_[i_], context));
    }

private:
    std::span<const std::string> w_;
    std::size_t i_ = 0;
};

std::uint64_t number(std::string_view text, std::string_view what, std::uint64_t max)
{
    std::uint64_t v = 0;
    const auto* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec == std::errc::invalid_argument || p != end)
        throw UsageError(fmt::format("{} \"{}\" is not a number", what, text));
    if (ec == std::errc::result_out_of_range || v > max)
        throw UsageError(fmt::format("{} {} is out of range 0..{}", what, text, max));
    return v;
}

// A PF: a PCI address, made canonical, or an interface name, kept as it is.
PfName pf_name(std::string_view text)
{
    if (auto a = pci::Address::try_parse(text))
        return a->to_string();
    // Legal interface names, but here surely a forgotten PF.
    if (text == "vf" || text == "numvfs")
        throw UsageError(fmt::format("missing PF before \"{}\"", text));
    if (control::is_interface_name(text))
        return PfName(text);
    throw UsageError(fmt::format(
        "\"{}\" is neither a PF's PCI address (e.g. 0000:00:02.0) nor a network interface's name (e.g. eth0)", text));
}

// The port VLAN's protocol, spelt as iproute2 reads it: case does not matter.
control::VlanProtocol vlan_protocol(std::string_view value)
{
    std::string lower(value);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "802.1q")
        return control::VlanProtocol::ieee_802_1q;
    if (lower == "802.1ad")
        return control::VlanProtocol::ieee_802_1ad;
    throw UsageError(fmt::format("proto takes 802.1Q or 802.1ad, not \"{}\"", value));
}

bool on_off(std::string_view keyword, std::string_view value)
{
    if (value == "on")
        return true;
    if (value == "off")
        return false;
    throw UsageError(fmt::format("{} takes on or off, not \"{}\"", keyword, value));
}

unsigned vf_index(Words& w)
{
    return static_cast<unsigned>(number(w.next("VF number"), "VF number", 255));
}

// "vf N" after a PF: the keyword, then the VF's number.
unsigned vf_after_pf(Words& w)
{
    const auto& kw = w.next("\"vf N\"");
    if (kw != "vf") {
        constexpr std::array<std::string_view, 1> valid{"vf"};
        unknown("word after the PF", kw, valid);
    }
    return vf_index(w);
}

Command parse_set(Words& w)
{
    const auto pf = pf_name(w.next("PF after \"set\""));
    const auto& what = w.next("\"vf N ...\" or \"numvfs N\"");
    if (what == "numvfs") {
        const auto count = static_cast<unsigned>(number(w.next("number of VFs"), "numvfs", 255));
        w.expect_end("numvfs N");
        return SetNumVfs{pf, count};
    }
    if (what != "vf") {
        constexpr std::array<std::string_view, 2> valid{"vf", "numvfs"};
        unknown("word after the PF", what, valid);
    }
    SetVf cmd{pf, vf_index(w), parse_vf_settings(w.rest())};
    if (cmd.settings.empty())
        throw UsageError(fmt::format("nothing to set for VF {}; settings: {}", cmd.vf, join(settings)));
    return cmd;
}

}  // namespace

std::span<const std::string_view> command_words() { return commands; }

std::span<const std::string_view> setting_words() { return settings; }

std::string_view closest_keyword(std::string_view word, std::span<const std::string_view> candidates)
{
    // Edit distance counting a swap of two neighbouring letters as one edit (optimal string
    // alignment); a guess is offered when it is at most a third of the word's length.
    auto distance = [](std::string_view a, std::string_view b) {
        std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
        for (std::size_t i = 0; i <= a.size(); ++i)
            d[i][0] = i;
        for (std::size_t j = 0; j <= b.size(); ++j)
            d[0][j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            for (std::size_t j = 1; j <= b.size(); ++j) {
                const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
        return d[a.size()][b.size()];
    };
    std::string_view best;
    std::size_t best_d = std::numeric_limits<std::size_t>::max();
    for (auto c : candidates) {
        const auto d = distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best_d > 0 && best_d <= std::max<std::size_t>(1, word.size() / 3) ? best : std::string_view{};
}

VfSettings parse_vf_settings(std::span<const std::string> words)
{
    VfSettings s;
    Words w(words);
    while (!w.done()) {
        const std::string& key = w.next("setting");
        const auto value = [&] { return std::string_view(w.next(fmt::format("value after \"{}\"", key))); };
        auto once = [&](bool already) {
            if (already)
                throw UsageError(fmt::format("\"{}\" is given twice", key));
        };
        if (key == "mac") {
            once(s.mac.has_value());
            const auto text = value();
            const auto mac = MacAddress::try_parse(text);
            if (!mac)
                throw UsageError(fmt::format("invalid MAC address \"{}\" (expected six hex bytes like 02:11:22:33:44:55)", text));
            if (!mac->is_valid_unicast())
                throw UsageError(fmt::format("{} is not a unicast MAC address a VF can use", text));
            s.mac = *mac;
        } else if (key == "vlan") {
            once(s.vlan.has_value());
            s.vlan = static_cast<std::uint16_t>(number(value(), "VLAN", 4095));
        } else if (key == "qos") {
            once(s.qos.has_value());
            s.qos = static_cast<std::uint8_t>(number(value(), "qos", 7));
        } else if (key == "proto") {
            once(s.vlan_protocol.has_value());
            s.vlan_protocol = vlan_protocol(value());
        } else if (key == "max_tx_rate" || key == "rate") {
            once(s.max_tx_rate.has_value());
            s.max_tx_rate = static_cast<std::uint32_t>(number(value(), "max_tx_rate (Mb/s)", control::max_rate_mbps));
        } else if (key == "min_tx_rate") {
            once(s.min_tx_rate.has_value());
            s.min_tx_rate = static_cast<std::uint32_t>(number(value(), "min_tx_rate (Mb/s)", control::max_rate_mbps));
        } else if (key == "max_frame") {
            once(s.max_frame.has_value());
            const auto bytes = number(value(), "max_frame (bytes)", 16383);
            if (bytes != 0 && bytes < 64)
                throw UsageError(fmt::format("max_frame {} is below 64 bytes (0: the chip's limit)", bytes));
            s.max_frame = static_cast<std::uint16_t>(bytes);
        } else if (key == "max_multicast") {
            once(s.max_multicast.has_value());
            s.max_multicast = static_cast<std::uint8_t>(number(value(), "max_multicast", 30));
        } else if (key == "max_vlans") {
            once(s.max_vlans.has_value());
            s.max_vlans = static_cast<std::uint8_t>(number(value(), "max_vlans", 32));
        } else if (key == "spoofchk") {
            once(s.spoofchk.has_value());
            s.spoofchk = on_off(key, value());
        } else if (key == "trust") {
            once(s.trust.has_value());
            s.trust = on_off(key, value());
        } else if (key == "query_rss") {
            once(s.query_rss.has_value());
            s.query_rss = on_off(key, value());
        } else if (key == "state") {
            once(s.state.has_value());
            const auto v = value();
            if (v == "auto")
                s.state = LinkState::automatic;
            else if (v == "enable")
                s.state = LinkState::enable;
            else if (v == "disable")
                s.state = LinkState::disable;
            else
                throw UsageError(fmt::format("state takes auto, enable or disable, not \"{}\"", v));
        } else {
            unknown("setting", key, settings);
        }
    }
    if (s.qos && !s.vlan)
        throw UsageError("qos needs a vlan (as in \"vlan 100 qos 3\")");
    // As in ip link, where proto is read only after vlan.
    if (s.vlan_protocol && !s.vlan)
        throw UsageError("proto needs a vlan (as in \"vlan 100 proto 802.1ad\")");
    if (s.min_tx_rate && s.max_tx_rate && *s.max_tx_rate != 0 && *s.min_tx_rate > *s.max_tx_rate)
        throw UsageError(fmt::format("min_tx_rate {} is above max_tx_rate {}", *s.min_tx_rate, *s.max_tx_rate));
    return s;
}

Command parse_command(std::span<const std::string> words, bool stats)
{
    Words w(words);
    if (w.done())
        throw UsageError(fmt::format("missing command; commands: {}", join(commands)));
    const std::string& cmd = w.next("command");
    if (cmd == "show" || cmd == "list" || cmd == "ls") {
        Show s;
        s.stats = stats;
        if (!w.done())
            s.pf = pf_name(w.next("PF"));
        if (!w.done())
            s.vf = vf_after_pf(w);
        w.expect_end("show [PF [vf N]]");
        return s;
    }
    if (cmd == "set")
        return parse_set(w);
    if (cmd == "reset") {
        Reset r{pf_name(w.next("PF after \"reset\"")), std::nullopt};
        if (!w.done())
            r.vf = vf_after_pf(w);
        w.expect_end("reset PF [vf N]");
        return r;
    }
    if (cmd == "release") {
        Release r{pf_name(w.next("PF after \"release\""))};
        r.vf = vf_after_pf(w);
        w.expect_end("release PF vf N");
        return r;
    }
    if (cmd == "monitor") {
        w.expect_end("monitor");
        return Monitor{};
    }
    if (cmd == "status") {
        w.expect_end("status");
        return Status{};
    }
    unknown("command", cmd, commands);
}

}  // namespace sriov::vfctl
