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
    s.max_tx_rate = 100;
    s.max_frame = 1522;
    s.max_multicast = 4;
    s.max_vlans = 32;
    s.spoofchk = false;
    s.trust = true;
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
          "\"set_vf\" needs \"pf\" (the PF's PCI address)");
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
