// vfctl's grammar and its error messages, without a daemon.
#include "grammar.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

using namespace sriov;
using namespace sriov::vfctl;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::Equals;

namespace {

Command parse(std::vector<std::string> words, bool stats = false) { return parse_command(words, stats); }

// The one-line message parsing `words` fails with.
std::string error_of(std::vector<std::string> words)
{
    try {
        parse(words);
    } catch (const UsageError& e) {
        return e.what();
    }
    FAIL("accepted: " << words.size() << " words");
    return {};
}

}  // namespace

TEST_CASE("vfctl: several settings of one VF in one command, as ip link writes them")
{
    const auto cmd = parse({"set", "0000:00:02.0", "vf", "1", "mac", "02:11:22:33:44:55", "vlan", "100", "qos", "3",
                            "max_tx_rate", "100", "max_vlans", "4", "spoofchk", "off", "trust", "on", "state", "disable"});
    const auto& set = std::get<SetVf>(cmd);
    CHECK(set.pf == "0000:00:02.0");
    CHECK(set.vf == 1);
    CHECK(set.settings.mac == MacAddress::parse("02:11:22:33:44:55"));
    CHECK(set.settings.vlan == 100);
    CHECK(set.settings.qos == 3);
    CHECK(set.settings.max_tx_rate == 100u);
    CHECK(set.settings.max_vlans == 4);
    CHECK(set.settings.spoofchk == false);
    CHECK(set.settings.trust == true);
    CHECK(set.settings.state == LinkState::disable);
}

TEST_CASE("vfctl: a kernel-owned PF's settings, as ip link writes them")
{
    const auto set = std::get<SetVf>(parse({"set", "0000:03:00.0", "vf", "2", "vlan", "10", "qos", "3", "proto",
                                            "802.1ad", "max_tx_rate", "1000", "min_tx_rate", "100", "query_rss", "on"}));
    CHECK(set.settings.vlan == 10);
    CHECK(set.settings.qos == 3);
    CHECK(set.settings.vlan_protocol == control::VlanProtocol::ieee_802_1ad);
    CHECK(set.settings.max_tx_rate == 1000u);
    CHECK(set.settings.min_tx_rate == 100u);
    CHECK(set.settings.query_rss == true);
    // iproute2 reads the protocol's name whatever its case.
    const auto lower = std::get<SetVf>(parse({"set", "0000:03:00.0", "vf", "0", "vlan", "5", "proto", "802.1q"}));
    CHECK(lower.settings.vlan_protocol == control::VlanProtocol::ieee_802_1q);
    CHECK(std::get<SetVf>(parse({"set", "0000:03:00.0", "vf", "0", "min_tx_rate", "0"})).settings.min_tx_rate == 0u);
    CHECK(std::get<SetVf>(parse({"set", "0000:03:00.0", "vf", "0", "query_rss", "off"})).settings.query_rss == false);
    // 0 is no limit, so a guarantee fits under it.
    CHECK(std::get<SetVf>(parse({"set", "0000:03:00.0", "vf", "0", "max_tx_rate", "0", "min_tx_rate", "50"}))
              .settings.min_tx_rate == 50u);
}

TEST_CASE("vfctl: a kernel-owned PF's settings refuse what ip link refuses")
{
    const std::string pf = "0000:03:00.0";
    CHECK_THAT(error_of({"set", pf, "vf", "0", "proto", "802.1ad"}),
               Equals("proto needs a vlan (as in \"vlan 100 proto 802.1ad\")"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "vlan", "10", "proto", "802.1x"}),
               Equals("proto takes 802.1Q or 802.1ad, not \"802.1x\""));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "min_tx_rate", "100001"}),
               Equals("min_tx_rate (Mb/s) 100001 is out of range 0..100000"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "min_tx_rate", "500", "max_tx_rate", "100"}),
               Equals("min_tx_rate 500 is above max_tx_rate 100"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "query_rss", "yes"}), Equals("query_rss takes on or off, not \"yes\""));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "query_rss", "on", "query_rss", "off"}),
               Equals("\"query_rss\" is given twice"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "min_tx_rat", "5"}), ContainsSubstring("did you mean \"min_tx_rate\"?"));
}

TEST_CASE("vfctl: a PF named by its network interface goes to sriovd as it was written")
{
    CHECK(std::get<SetVf>(parse({"set", "enp1s0f0", "vf", "1", "trust", "on"})).pf == "enp1s0f0");
    const auto show = std::get<Show>(parse({"show", "eth0", "vf", "3"}, true));
    CHECK(show.pf == "eth0");
    CHECK(show.vf == 3u);
    CHECK(std::get<SetNumVfs>(parse({"set", "eth0", "numvfs", "4"})).pf == "eth0");
    CHECK(std::get<Reset>(parse({"reset", "eth0"})).pf == "eth0");
    CHECK(std::get<Release>(parse({"release", "eth0", "vf", "0"})).pf == "eth0");
    // The longest name Linux allows (15 bytes), and names that look like nothing else.
    CHECK(std::get<Show>(parse({"show", "abcdefghijklmno"})).pf == "abcdefghijklmno");
    CHECK(std::get<Show>(parse({"show", "br-lan.10"})).pf == "br-lan.10");
}

TEST_CASE("vfctl: what cannot be an interface's name is refused, saying what a PF is")
{
    const std::string neither = "is neither a PF's PCI address (e.g. 0000:00:02.0) nor a network interface's name "
                                "(e.g. eth0)";
    for (const char* bad : {"abcdefghijklmnop", "eth/0", "eth 0", "eth0:1", ".", "..", ""}) {
        INFO(bad);
        CHECK_THAT(error_of({"show", bad}), Equals(fmt::format("\"{}\" {}", bad, neither)));
    }
    // A forgotten PF is said to be one.
    CHECK_THAT(error_of({"set", "vf", "0", "trust", "on"}), Equals("missing PF before \"vf\""));
    CHECK_THAT(error_of({"set", "numvfs", "4"}), Equals("missing PF before \"numvfs\""));
}

TEST_CASE("vfctl: show, counts, resets and the rest")
{
    CHECK(std::get<Show>(parse({"show"})).pf == std::nullopt);
    const auto one = std::get<Show>(parse({"show", "02:00.0", "vf", "3"}, true));
    CHECK(one.pf == "0000:02:00.0");  // made canonical
    CHECK(one.vf == 3u);
    CHECK(one.stats);
    CHECK(std::get<SetNumVfs>(parse({"set", "0000:00:02.0", "numvfs", "4"})).count == 4);
    CHECK(std::get<Reset>(parse({"reset", "0000:00:02.0"})).vf == std::nullopt);
    CHECK(std::get<Reset>(parse({"reset", "0000:00:02.0", "vf", "2"})).vf == 2u);
    CHECK(std::get<Release>(parse({"release", "0000:00:02.0", "vf", "0"})).vf == 0);
    CHECK(std::holds_alternative<Monitor>(parse({"monitor"})));
    CHECK(std::holds_alternative<Status>(parse({"status"})));
    CHECK(std::get<SetVf>(parse({"set", "0000:00:02.0", "vf", "0", "state", "auto"})).settings.state ==
          LinkState::automatic);
}

TEST_CASE("vfctl: each kind of bad input gets one clear line")
{
    const std::string pf = "0000:00:02.0";
    CHECK_THAT(error_of({"set", pf, "vf", "0", "mac", "02:11:22:33:44"}),
               Equals("invalid MAC address \"02:11:22:33:44\" (expected six hex bytes like 02:11:22:33:44:55)"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "mac", "01:00:5e:00:00:01"}),
               ContainsSubstring("not a unicast MAC address"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "vlan", "4096"}), Equals("VLAN 4096 is out of range 0..4095"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "vlan", "10", "qos", "8"}), Equals("qos 8 is out of range 0..7"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "qos", "3"}), ContainsSubstring("qos needs a vlan"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "max_tx_rate", "fast"}),
               Equals("max_tx_rate (Mb/s) \"fast\" is not a number"));
    CHECK_THAT(error_of({"set", pf, "vf", "x", "trust", "on"}), Equals("VF number \"x\" is not a number"));
    CHECK_THAT(error_of({"set", "0000:00:02", "vf", "0", "trust", "on"}),
               Equals("\"0000:00:02\" is neither a PF's PCI address (e.g. 0000:00:02.0) nor a network interface's "
                      "name (e.g. eth0)"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "trsut", "on"}),
               Equals("unknown setting \"trsut\" (did you mean \"trust\"?); valid: mac, vlan, qos, proto, max_tx_rate, "
                      "min_tx_rate, max_frame, max_multicast, max_vlans, spoofchk, trust, query_rss, state"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "max_frame", "20"}),
               Equals("max_frame 20 is below 64 bytes (0: the chip's limit)"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "max_multicast", "31"}),
               Equals("max_multicast 31 is out of range 0..30"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "max_vlans", "33"}), Equals("max_vlans 33 is out of range 0..32"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "spoofchk", "yes"}), Equals("spoofchk takes on or off, not \"yes\""));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "state", "up"}),
               Equals("state takes auto, enable or disable, not \"up\""));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "trust", "on", "trust", "off"}), Equals("\"trust\" is given twice"));
    CHECK_THAT(error_of({"set", pf, "vf", "0", "mac"}), Equals("missing value after \"mac\""));
    CHECK_THAT(error_of({"set", pf, "vf", "0"}), ContainsSubstring("nothing to set for VF 0"));
    CHECK_THAT(error_of({"shwo"}), Equals("unknown command \"shwo\" (did you mean \"show\"?); valid: show, set, "
                                          "reset, release, monitor, status"));
    CHECK_THAT(error_of({}), ContainsSubstring("missing command"));
    CHECK_THAT(error_of({"show", pf, "vf", "1", "extra"}), Equals("unexpected \"extra\" after show [PF [vf N]]"));
}

TEST_CASE("vfctl: a guess is offered only for a plausible misspelling")
{
    constexpr std::array<std::string_view, 3> words{"mac", "vlan", "trust"};
    CHECK(closest_keyword("vlna", words) == "vlan");
    CHECK(closest_keyword("xyz", words).empty());
    CHECK(closest_keyword("mac", words).empty());  // an exact word is no misspelling
}
