// The control protocol: requests survive a round trip, and every malformed request is refused with
// a message that says what is wrong, whatever the bytes.
#include "sriov/control/protocol.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <random>
#include <string>

using namespace sriov;
using namespace sriov::control;
using Catch::Matchers::ContainsSubstring;

namespace {

std::string refusal(std::string_view line)
{
    try {
        decode_request(line);
    } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid_argument);
        return e.cause();
    }
    FAIL("accepted: " << line);
    return {};
}

}  // namespace

TEST_CASE("control: every operation survives encode and decode")
{
    VfSettings s;
    s.mac = MacAddress::parse("02:11:22:33:44:55");
    s.vlan = 100;
    s.qos = 3;
    s.vlan_protocol = VlanProtocol::ieee_802_1ad;
    s.max_tx_rate = 100;
    s.min_tx_rate = 10;
    s.max_frame = 1522;
    s.max_multicast = 4;
    s.max_vlans = 32;
    s.spoofchk = false;
    s.trust = true;
    s.query_rss = true;
    s.state = LinkState::disable;
    const Operation ops[] = {Show{}, Show{"0000:00:02.0", 1}, Stats{"0000:00:02.0", std::nullopt},
                             SetVf{"0000:00:02.0", 1, s}, SetNumVfs{"0000:00:02.0", 4},
                             Reset{"0000:00:02.0", std::nullopt}, Reset{"0000:00:02.0", 2},
                             Release{"0000:00:02.0", 0}, Subscribe{}, Status{}};
    std::uint64_t id = 1;
    for (const auto& op : ops) {
        const Request r{id++, op};
        CHECK(decode_request(encode(r)) == r);
    }
}

TEST_CASE("control: a request as a client would write it by hand")
{
    const auto r = decode_request(
        R"({"id":7,"op":"set_vf","pf":"0000:00:02.0","vf":1,"settings":{"mac":"02:11:22:33:44:55","trust":true}})");
    CHECK(r.id == 7);
    const auto& set = std::get<SetVf>(r.op);
    CHECK(set.vf == 1);
    CHECK(set.settings.mac == MacAddress::parse("02:11:22:33:44:55"));
    CHECK(set.settings.trust == true);
    CHECK_FALSE(set.settings.vlan.has_value());
}

TEST_CASE("control: malformed requests are refused with the reason")
{
    CHECK(refusal("{") == "not valid JSON");
    CHECK(refusal("[1,2]") == "a request must be a JSON object");
    CHECK(refusal(R"({"id":1})") == "missing \"op\" (the operation)");
    CHECK_THAT(refusal(R"({"op":"shwo"})"), ContainsSubstring("unknown operation \"shwo\"; valid: show, stats"));
    CHECK(refusal(R"({"op":"show","colour":"red"})") == "unknown field \"colour\" for \"show\"");
    CHECK(refusal(R"({"op":"set_vf","vf":1,"settings":{"trust":true}})") ==
          "\"set_vf\" needs \"pf\" (the PF's PCI address or interface name)");
    CHECK(refusal(R"({"op":"set_vf","pf":"0000:00:02.0","settings":{"trust":true}})") ==
          "\"set_vf\" needs \"vf\" (the VF's index)");
    CHECK(refusal(R"({"op":"set_vf","pf":"0000:00:02.0","vf":-1,"settings":{"trust":true}})") ==
          "\"vf\" must be a whole number from 0 to 255");
    CHECK(refusal(R"({"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{"vlan":4096}})") ==
          "\"vlan\" is 4096, out of range 0..4095");
    CHECK(refusal(R"({"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{"vlan":5,"qos":8}})") ==
          "\"qos\" is 8, out of range 0..7");
    CHECK(refusal(R"({"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{"qos":1}})") == "\"qos\" needs \"vlan\"");
    CHECK(refusal(R"({"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{"mac":"ff:ff:ff:ff:ff:ff"}})") ==
          "\"mac\" ff:ff:ff:ff:ff:ff is not a unicast MAC address");
    CHECK(refusal(R"({"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{"trust":"yes"}})") ==
          "\"trust\" must be true or false");
    CHECK(refusal(R"({"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{"state":"up"}})") ==
          "\"state\" must be auto, enable or disable, not \"up\"");
    CHECK_THAT(refusal(R"({"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{"rate":5}})"),
               ContainsSubstring("unknown setting \"rate\""));
    CHECK(refusal(R"({"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{}})") ==
          "\"settings\" is empty: nothing to set");
    CHECK(refusal(R"({"op":"show","vf":1})") == "\"show\" with \"vf\" needs \"pf\"");
    CHECK(refusal(R"({"op":"set_numvfs","pf":"0000:00:02.0"})") == "\"set_numvfs\" needs \"count\"");
    CHECK(refusal(R"({"op":42})") == "\"op\" must be a string");
}

TEST_CASE("control: random bytes never crash the decoder")
{
    std::mt19937 rng(12345);
    const std::string seed = R"({"id":1,"op":"set_vf","pf":"0000:00:02.0","vf":1,"settings":{"vlan":100}})";
    for (int i = 0; i < 5000; ++i) {
        std::string line = seed;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < edits; ++k)
            line[rng() % line.size()] = static_cast<char>(rng() % 256);
        try {
            decode_request(line);
        } catch (const Error& e) {
            CHECK(e.code() == Errc::invalid_argument);
            // The refusal goes back to the client as JSON, even when it quotes invalid UTF-8.
            CHECK_FALSE(encode_error(1, e).empty());
        }
    }
}

TEST_CASE("control: text that is not UTF-8 is refused as not JSON")
{
    CHECK(refusal("{\"op\":\"sh\xffow\"}") == "not valid JSON");
}

TEST_CASE("control: answers carry the request's id and the error's code")
{
    CHECK(encode_ok(3, "{}") == R"({"id":3,"ok":true,"result":{}})");
    const Error e(Errc::not_found, "0000:00:09.0", "no such PF");
    CHECK(encode_error(4, e) ==
          R"({"error":{"code":"not_found","message":"0000:00:09.0: no such PF"},"id":4,"ok":false})");
}

TEST_CASE("control: frame size and multicast limits are checked like the other settings")
{
    const auto error_of = [](const std::string& line) {
        try {
            decode_request(line);
        } catch (const sriov::Error& e) {
            return std::string(e.cause());
        }
        return std::string("no error");
    };
    CHECK(error_of(R"({"id":1,"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{"max_frame":20}})") ==
          "\"max_frame\" 20 is below 64 bytes (0: the chip's limit)");
    CHECK(error_of(R"({"id":1,"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{"max_multicast":31}})")
              .find("max_multicast") != std::string::npos);
    CHECK(error_of(R"({"id":1,"op":"set_vf","pf":"0000:00:02.0","vf":0,"settings":{"max_vlans":33}})") ==
          "\"max_vlans\" is 33, out of range 0..32");
}

TEST_CASE("control: the settings of a kernel-owned PF's VF, in iproute2's names")
{
    const auto r = decode_request(R"({"id":2,"op":"set_vf","pf":"0000:03:00.0","vf":1,"settings":
        {"vlan":10,"qos":3,"vlan_protocol":"802.1ad","max_tx_rate":1000,"min_tx_rate":100,"query_rss":false}})");
    const auto& s = std::get<SetVf>(r.op).settings;
    CHECK(s.vlan_protocol == VlanProtocol::ieee_802_1ad);
    CHECK(s.min_tx_rate == 100u);
    CHECK(s.query_rss == false);
    // Each alone is something to set.
    CHECK_FALSE(VfSettings{.min_tx_rate = 0}.empty());
    CHECK_FALSE(VfSettings{.query_rss = true}.empty());
    CHECK(VfSettings{}.empty());
    // Only what was set goes on the wire: 802.1Q is spelt when it is asked for, never added.
    CHECK(encode(Request{1, SetVf{"eth0", 0, VfSettings{.vlan = 5, .vlan_protocol = VlanProtocol::ieee_802_1q}}}) ==
          R"({"id":1,"op":"set_vf","pf":"eth0","settings":{"vlan":5,"vlan_protocol":"802.1Q"},"vf":0})");
    CHECK(encode(Request{1, SetVf{"eth0", 0, VfSettings{.min_tx_rate = 0}}}) ==
          R"({"id":1,"op":"set_vf","pf":"eth0","settings":{"min_tx_rate":0},"vf":0})");
}

TEST_CASE("control: a bad value of a new setting is refused, naming the value and what is allowed")
{
    const std::string head = R"({"op":"set_vf","pf":"0000:03:00.0","vf":0,"settings":)";
    CHECK(refusal(head + R"({"vlan":10,"vlan_protocol":"802.1ab"}})") ==
          "\"vlan_protocol\" must be \"802.1Q\" or \"802.1ad\", not \"802.1ab\"");
    CHECK(refusal(head + R"({"vlan":10,"vlan_protocol":"802.1q"}})") ==
          "\"vlan_protocol\" must be \"802.1Q\" or \"802.1ad\", not \"802.1q\"");
    CHECK(refusal(head + R"({"vlan":10,"vlan_protocol":34984}})") == "\"vlan_protocol\" must be a string");
    CHECK(refusal(head + R"({"vlan_protocol":"802.1ad"}})") == "\"vlan_protocol\" needs \"vlan\"");
    CHECK(refusal(head + R"({"min_tx_rate":100001}})") == "\"min_tx_rate\" is 100001, out of range 0..100000");
    CHECK(refusal(head + R"({"min_tx_rate":-5}})") == "\"min_tx_rate\" must be a whole number from 0 to 100000");
    CHECK(refusal(head + R"({"min_tx_rate":500,"max_tx_rate":100}})") ==
          "\"min_tx_rate\" 500 is above \"max_tx_rate\" 100");
    CHECK(refusal(head + R"({"query_rss":"on"}})") == "\"query_rss\" must be true or false");
    CHECK(refusal(head + R"({"min_rate":5}})") ==
          "unknown setting \"min_rate\"; valid: mac, vlan, qos, vlan_protocol, max_tx_rate, min_tx_rate, "
          "max_frame, max_multicast, max_vlans, spoofchk, trust, query_rss, state");
    // No limit (0) leaves room for any guarantee.
    CHECK(std::get<SetVf>(decode_request(head + R"({"min_tx_rate":500,"max_tx_rate":0}})").op).settings.min_tx_rate ==
          500u);
}

TEST_CASE("control: a PF is named by its PCI address or by its interface, and nothing else")
{
    // Either form comes through as it was sent; sriovd resolves it.
    for (const char* pf : {"0000:00:02.0", "00:02.0", "eth0", "enp1s0f0", "abcdefghijklmno"}) {
        INFO(pf);
        const Request r{1, SetNumVfs{pf, 2}};
        CHECK(decode_request(encode(r)) == r);
        const Request show{2, Show{pf, 1}};
        CHECK(decode_request(encode(show)) == show);
    }
    const auto refused = [](const std::string& pf) {
        return refusal(R"({"op":"reset","pf":")" + pf + R"("})");
    };
    CHECK(refused("eth 0") == "\"pf\" \"eth 0\" is neither a PCI address (0000:00:02.0) nor an interface name (eth0)");
    for (const char* pf : {"", ".", "..", "eth/0", "eth0:1", "abcdefghijklmnop", "0000:00:02", "\\u0000"}) {
        INFO(pf);
        CHECK_THAT(refused(pf), ContainsSubstring("is neither a PCI address (0000:00:02.0) nor an interface name"));
    }
    CHECK_THAT(refusal(R"({"op":"show","pf":"eth\teth","vf":0})"), ContainsSubstring("is neither a PCI address"));
    CHECK(refusal(R"({"op":"stats","pf":7})") == "\"pf\" must be a string");
}

TEST_CASE("control: an interface name is what Linux would take for one")
{
    CHECK(is_interface_name("eth0"));
    CHECK(is_interface_name("abcdefghijklmno"));      // 15 bytes, the most
    CHECK_FALSE(is_interface_name("abcdefghijklmnop")); // 16
    CHECK_FALSE(is_interface_name(""));
    CHECK_FALSE(is_interface_name("."));
    CHECK_FALSE(is_interface_name(".."));
    CHECK(is_interface_name("..."));
    CHECK_FALSE(is_interface_name("a/b"));
    CHECK_FALSE(is_interface_name("a b"));
    CHECK_FALSE(is_interface_name("a\nb"));
    CHECK_FALSE(is_interface_name(std::string_view("a\0b", 3)));
    CHECK_FALSE(is_interface_name("0000:00:02.0"));  // an address is never a name
}
