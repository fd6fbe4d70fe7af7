// Requests (VF to PF) and the Message buffer. Expected words come from the fact sheet (section 5)
// and from what Linux igbvf writes, worked out by hand; none is produced by our own encoder.
#include "mbx/request.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

using namespace sriov::mbx;
using sriov::MacAddress;

namespace {

using Words = std::vector<std::uint32_t>;

Words words_of(const Message& m) { return Words(m.words().begin(), m.words().end()); }

Decoded<Request> decode(const Words& w) { return decode_request(std::span<const std::uint32_t>(w)); }

template <class T>
T decode_as(const Words& w)
{
    auto d = decode(w);
    if (!d)
        FAIL("decode failed: " << describe(d.error()));
    REQUIRE(std::holds_alternative<T>(d.value()));
    return std::get<T>(d.value());
}

Defect defect_of(const Words& w)
{
    auto d = decode(w);
    REQUIRE_FALSE(d.ok());
    CHECK_FALSE(d.error().reason.empty());
    CHECK(d.error().length == w.size());
    return d.error().defect;
}

const MacAddress mac = MacAddress::parse("02:11:22:33:44:55");

}  // namespace

TEST_CASE("word-0 constants have the values Linux gives them")
{
    CHECK(E1000_VT_MSGTYPE_ACK == 0x80000000);
    CHECK(E1000_VT_MSGTYPE_NACK == 0x40000000);
    CHECK(E1000_VT_MSGTYPE_CTS == 0x20000000);
    CHECK(E1000_VT_MSGINFO_MASK == 0x00FF0000);
    CHECK(E1000_VF_MAC_FILTER_CLR == 0x00010000);
    CHECK(E1000_VF_MAC_FILTER_ADD == 0x00020000);
    CHECK(E1000_VF_SET_PROMISC_MULTICAST == 0x00020000);
    CHECK(E1000_PF_CONTROL_MSG == 0x0100);
    CHECK(message_id(0xA0010004) == E1000_VF_SET_VLAN);
    CHECK(msginfo(0xA0010004) == 1);
    CHECK(message_name(E1000_VF_SET_MULTICAST) == "SET_MULTICAST");
    CHECK(message_name(0x0007) == "unknown");
}

TEST_CASE("VF_RESET is the single word 0x00000001")
{
    CHECK(words_of(encode(VfReset{})) == Words{0x00000001});
    decode_as<VfReset>({0x00000001});
}

TEST_CASE("SET_MAC_ADDR carries the MAC in words 1-2, byte 0 lowest")
{
    SECTION("set the primary address: sub-command 0")
    {
        CHECK(words_of(encode(SetMac{mac})) == Words{0x00000002, 0x33221102, 0x00005544});
        CHECK(decode_as<SetMac>({0x00000002, 0x33221102, 0x00005544}).mac == mac);
    }
    SECTION("add a unicast filter: sub-command 2")
    {
        auto filter = MacAddress::parse("02:aa:bb:cc:dd:ee");
        CHECK(words_of(encode(AddMacFilter{filter})) == Words{0x00020002, 0xccbbaa02, 0x0000eedd});
        CHECK(decode_as<AddMacFilter>({0x00020002, 0xccbbaa02, 0x0000eedd}).mac == filter);
    }
    SECTION("clear the unicast filters: sub-command 1, no address (igbvf zeroes words 1-2)")
    {
        CHECK(words_of(encode(ClearMacFilters{})) == Words{0x00010002, 0, 0});
        decode_as<ClearMacFilters>({0x00010002, 0, 0});
    }
}

TEST_CASE("SET_MULTICAST packs 16-bit hashes two a word, low half first")
{
    // igbvf's hash with RCTL.MO = 0: ((mac[4] >> 4) | (mac[5] << 4)) & 0xFFF.
    CHECK(multicast_hash(MacAddress::parse("01:00:5e:00:00:01")) == 0x010);
    CHECK(multicast_hash(MacAddress::parse("33:33:00:00:00:01")) == 0x010);
    CHECK(multicast_hash(MacAddress::parse("01:00:5e:7f:ff:fa")) == 0xFAF);
    CHECK(multicast_hash(MacAddress::parse("33:33:ff:aa:bb:cc")) == 0xCCB);

    SECTION("as igbvf builds it: count in MSGINFO, 16 words, stale words after the hashes")
    {
        Words w(16, 0xDEADBEEF);
        w[0] = 0x00040003;
        w[1] = 0x00100010;
        w[2] = 0x0CCB0FAF;
        auto m = decode_as<SetMulticast>(w);
        CHECK(Words(m.hashes().begin(), m.hashes().end()) == Words{0x010, 0x010, 0xFAF, 0xCCB});
        CHECK_FALSE(m.overflow());
    }
    SECTION("an odd count leaves the upper half of the last word unused")
    {
        auto m = decode_as<SetMulticast>({0x00030003, 0x00100010, 0xDEAD0FAF});
        CHECK(Words(m.hashes().begin(), m.hashes().end()) == Words{0x010, 0x010, 0xFAF});
        std::array<std::uint16_t, 3> hashes{0x010, 0x010, 0xFAF};
        CHECK(words_of(encode(SetMulticast(hashes))) == Words{0x00030003, 0x00100010, 0x00000FAF});
    }
    SECTION("an empty list is word 0 alone")
    {
        CHECK(words_of(encode(SetMulticast{})) == Words{0x00000003});
        CHECK(decode_as<SetMulticast>({0x00000003}).hashes().empty());
    }
    SECTION("the overflow flag of Intel's shared VF code is bit 23")
    {
        std::array<std::uint16_t, 1> hashes{0x123};
        CHECK(words_of(encode(SetMulticast(hashes, true))) == Words{0x00810003, 0x00000123});
        CHECK(decode_as<SetMulticast>({0x00810003, 0x00000123}).overflow());
    }
    SECTION("30 hashes fill all 16 words")
    {
        Words w(16, 0x0ABC0123);
        w[0] = 0x001E0003;
        auto m = decode_as<SetMulticast>(w);
        REQUIRE(m.hashes().size() == 30);
        CHECK(m.hashes()[28] == 0x0123);
        CHECK(m.hashes()[29] == 0x0ABC);
    }
}

TEST_CASE("SET_VLAN: MSGINFO 1 adds, 0 removes, VID in word 1")
{
    CHECK(words_of(encode(SetVlan{100, true})) == Words{0x00010004, 0x00000064});
    CHECK(words_of(encode(SetVlan{100, false})) == Words{0x00000004, 0x00000064});
    CHECK(decode_as<SetVlan>({0x00010004, 0x00000064}) == SetVlan{100, true});
    CHECK(decode_as<SetVlan>({0x00000004, 0x00000064}) == SetVlan{100, false});
    CHECK(decode_as<SetVlan>({0x00010004, 4095}) == SetVlan{4095, true});
}

TEST_CASE("SET_LPE: word 1 is the max frame size; igbvf sends 1522 for MTU 1500")
{
    CHECK(words_of(encode(SetLpe{1522})) == Words{0x00000005, 0x000005F2});
    CHECK(decode_as<SetLpe>({0x00000005, 0x000005F2}).max_frame == 1522);
    CHECK(decode_as<SetLpe>({0x00000005, 0x3FFF}).max_frame == 0x3FFF);
}

TEST_CASE("SET_PROMISC: flags in MSGINFO")
{
    CHECK(words_of(encode(SetPromisc{.multicast = true})) == Words{0x00020006});
    CHECK(words_of(encode(SetPromisc{})) == Words{0x00000006});
    CHECK(words_of(encode(SetPromisc{.multicast = true, .unicast = true})) == Words{0x00030006});
    CHECK(decode_as<SetPromisc>({0x00020006}) == SetPromisc{.multicast = true});
    CHECK(decode_as<SetPromisc>({0x00000006}) == SetPromisc{});
    CHECK(decode_as<SetPromisc>({0x00010006}) == SetPromisc{.unicast = true});
}

TEST_CASE("words after those a request needs are stale buffer contents and are ignored")
{
    CHECK(decode_as<VfReset>({0x00000001, 0x12345678, 0x9abcdef0}) == VfReset{});
    CHECK(decode_as<SetVlan>({0x00010004, 0x00000064, 0xFFFFFFFF}) == SetVlan{100, true});
}

TEST_CASE("malformed requests give a reason, never a crash")
{
    SECTION("length")
    {
        CHECK(defect_of({}) == Defect::empty);
        CHECK(defect_of(Words(17, 0x00000001)) == Defect::too_long);
        CHECK(defect_of(Words(1000, 0x00000006)) == Defect::too_long);
        CHECK(defect_of({0x00000002}) == Defect::too_short);
        CHECK(defect_of({0x00020002, 0x33221102}) == Defect::too_short);
        CHECK(defect_of({0x00000004}) == Defect::too_short);
        CHECK(defect_of({0x00000005}) == Defect::too_short);
        CHECK(defect_of({0x00040003, 0x00100010}) == Defect::too_short);   // 4 hashes need 3 words
        CHECK(defect_of(Words(15, 0x001E0003)) == Defect::too_short);      // 30 hashes need 16
    }
    SECTION("word 0 type and reserved bits")
    {
        CHECK(defect_of({0x80000002, 0x33221102, 0x00005544}) == Defect::already_answered);
        CHECK(defect_of({0x40000004, 0x00000064}) == Defect::already_answered);
        CHECK(defect_of({0xA0010004, 0x00000064}) == Defect::already_answered);
        CHECK(defect_of({0x80000001}) == Defect::already_answered);
        CHECK(defect_of({0x20000001}) == Defect::unexpected_cts);
        CHECK(defect_of({0x01000001}) == Defect::reserved_bits);
        CHECK(defect_of({0x10000006}) == Defect::reserved_bits);
    }
    SECTION("unknown IDs")
    {
        CHECK(defect_of({0x00000000}) == Defect::unknown_id);
        CHECK(defect_of({0x00000007}) == Defect::unknown_id);
        CHECK(defect_of({0x00000008}) == Defect::unknown_id);  // API negotiation of Intel's 2.0 API
        CHECK(defect_of({0x00000100}) == Defect::unknown_id);  // PF_CONTROL_MSG goes PF to VF only
        CHECK(defect_of({0x0000FFFF}) == Defect::unknown_id);
    }
    SECTION("MSGINFO")
    {
        CHECK(defect_of({0x00010001}) == Defect::bad_msginfo);
        CHECK(defect_of({0x00030002, 0x33221102, 0x00005544}) == Defect::bad_msginfo);
        CHECK(defect_of({0x00FF0002, 0x33221102, 0x00005544}) == Defect::bad_msginfo);
        CHECK(defect_of({0x00020004, 0x00000064}) == Defect::bad_msginfo);
        CHECK(defect_of({0x00010005, 0x000005F2}) == Defect::bad_msginfo);
        CHECK(defect_of({0x00040006}) == Defect::bad_msginfo);
        CHECK(defect_of({0x00800006}) == Defect::bad_msginfo);
        CHECK(defect_of({0x00200003}) == Defect::reserved_bits);
        CHECK(defect_of({0x00400003}) == Defect::reserved_bits);
    }
    SECTION("fields out of range")
    {
        CHECK(defect_of(Words(16, 0x001F0003)) == Defect::too_many_hashes);  // 31
        CHECK(defect_of({0x00010003, 0x00001000}) == Defect::hash_out_of_range);
        CHECK(defect_of({0x00020003, 0x10000010}) == Defect::hash_out_of_range);
        CHECK(defect_of({0x00010004, 0x00001000}) == Defect::vlan_out_of_range);
        CHECK(defect_of({0x00000004, 0xFFFFFFFF}) == Defect::vlan_out_of_range);
        CHECK(defect_of({0x00000005, 0x00000000}) == Defect::frame_out_of_range);
        CHECK(defect_of({0x00000005, 0x00004000}) == Defect::frame_out_of_range);
        CHECK(defect_of({0x00000002, 0x33221102, 0x00015544}) == Defect::reserved_bits);
        CHECK(defect_of({0x00010002, 0x33221102, 0x00005544}) == Defect::reserved_bits);
    }
}

TEST_CASE("a malformed request is described, and value() throws a protocol error")
{
    auto d = decode({0x00010004, 0x00001000});
    REQUIRE_FALSE(d.ok());
    CHECK(describe(d.error()) == "SET_VLAN 0x00010004 (2 words): VLAN ID above 4095");
    CHECK(to_string(d.error().defect) == "vlan_out_of_range");
    try {
        (void)d.value();
        FAIL("value() of a malformed message returned");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::protocol);
    }
    CHECK(describe(decode({}).error()) == "no words");
}

TEST_CASE("random words never crash the request decoder")
{
    std::mt19937 rng(82576);
    std::uniform_int_distribution<std::uint32_t> any;
    int decoded = 0;
    for (int i = 0; i < 20000; ++i) {
        Words w(i % 20);
        for (auto& x : w)
            x = any(rng);
        if (!w.empty() && i % 2 == 0)
            w[0] &= 0x00FF0007;  // plausible word 0, to reach the per-ID checks
        auto d = decode(w);
        if (d) {
            ++decoded;
            // What decodes re-encodes to its own leading words (odd multicast halves aside).
            auto again = decode(words_of(encode(d.value())));
            REQUIRE(again.ok());
            CHECK(again.value() == d.value());
        } else {
            CHECK_FALSE(d.error().reason.empty());
        }
    }
    CHECK(decoded > 0);
}

TEST_CASE("encode refuses fields that do not fit the message")
{
    auto code = [](auto&& f) {
        try {
            f();
        } catch (const sriov::Error& e) {
            return e.code();
        }
        return sriov::Errc::io;  // "did not throw"
    };
    CHECK(code([] { encode(SetVlan{4096, true}); }) == sriov::Errc::invalid_argument);
    CHECK(code([] { encode(SetLpe{0}); }) == sriov::Errc::invalid_argument);
    CHECK(code([] { encode(SetLpe{0x4000}); }) == sriov::Errc::invalid_argument);
    std::array<std::uint16_t, 31> too_many{};
    CHECK(code([&] { SetMulticast m(too_many); }) == sriov::Errc::invalid_argument);
    std::array<std::uint16_t, 1> wide{0x1000};
    CHECK(code([&] { SetMulticast m(wide); }) == sriov::Errc::invalid_argument);
}

TEST_CASE("a Message holds at most 16 words")
{
    Message m;
    CHECK(m.empty());
    for (std::uint32_t i = 0; i < Message::capacity; ++i)
        m.push_back(i);
    CHECK(m.size() == 16);
    CHECK(m.at(15) == 15);
    CHECK_THROWS_AS(m.push_back(16), sriov::Error);
    CHECK_THROWS_AS(m.at(16), sriov::Error);
    Words seventeen(17, 0);
    CHECK_THROWS_AS(Message(std::span<const std::uint32_t>(seventeen)), sriov::Error);
    CHECK(Message{1, 2} == Message{1, 2});
    CHECK_FALSE(Message{1, 2} == Message{1, 2, 0});
}

TEST_CASE("the PF reads only the words a request fills, and decoding them gives what the whole buffer gives")
{
    // Each kind of request fills exactly the words its encoding has.
    const std::array<std::uint16_t, 3> three{0x010, 0x020, 0x030};
    for (const Request& r : {Request{VfReset{}}, Request{SetMac{MacAddress::parse("02:00:00:00:00:01")}},
                             Request{ClearMacFilters{}}, Request{AddMacFilter{MacAddress::parse("02:00:00:00:00:02")}},
                             Request{SetMulticast{}}, Request{SetMulticast(three)}, Request{SetVlan{100, true}},
                             Request{SetLpe{1522}}, Request{SetPromisc{true, false}}}) {
        const Message m = encode(r);
        CHECK(request_length(m.words()[0]) == m.words().size());
    }
    CHECK(request_length(E1000_VF_SET_MULTICAST | 30u << E1000_VT_MSGINFO_SHIFT) == 16);
    // A word 0 that is not a request's: the whole buffer, so the decoder sees what the VF wrote.
    CHECK(request_length(E1000_VF_SET_MULTICAST | 31u << E1000_VT_MSGINFO_SHIFT) == 16);
    CHECK(request_length(0x0000BEEF) == 16);
    CHECK(request_length(E1000_VF_SET_VLAN | E1000_VT_MSGTYPE_ACK) == 16);
    CHECK(request_length(E1000_VF_RESET | 0x01000000u) == 16);

    // Random buffers: the words the PF reads decode exactly as the whole buffer does.
    std::mt19937 rng(10);
    std::uniform_int_distribution<std::uint32_t> any;
    for (int i = 0; i < 20000; ++i) {
        Words w(16);
        for (auto& x : w)
            x = any(rng);
        w[0] &= i % 2 ? 0x00FF0007 : 0x1F7F0007;  // plausible word 0s, and some with reserved bits
        const Words read(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(request_length(w[0])));
        const auto whole = decode(w);
        const auto part = decode(read);
        REQUIRE(whole.ok() == part.ok());
        if (whole.ok())
            CHECK(whole.value() == part.value());
        else
            CHECK(whole.error().defect == part.error().defect);
    }
}
