// Messages from the PF to a VF. Expected words come from the fact sheet (section 5) and from what
// Linux's igb PF writes, worked out by hand; none is produced by our own encoder.
#include "mbx/reply.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <random>
#include <vector>

using namespace sriov::mbx;
using sriov::MacAddress;

namespace {

using Words = std::vector<std::uint32_t>;

Words words_of(const Message& m) { return Words(m.words().begin(), m.words().end()); }

Decoded<Reply> decode(const Words& w) { return decode_reply(std::span<const std::uint32_t>(w)); }

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
    return d.error().defect;
}

sriov::Errc encode_error(const Reply& r)
{
    try {
        encode(r);
    } catch (const sriov::Error& e) {
        return e.code();
    }
    return sriov::Errc::io;  // "did not throw"
}

const MacAddress mac = MacAddress::parse("02:11:22:33:44:55");

}  // namespace

TEST_CASE("the VF_RESET ACK is 0x80000001 and the MAC, no CTS and no filter-type word")
{
    CHECK(words_of(encode(ResetReply{mac})) == Words{0x80000001, 0x33221102, 0x00005544});
    CHECK(decode_as<ResetReply>({0x80000001, 0x33221102, 0x00005544}).mac == mac);
}

TEST_CASE("the VF reads the MAC from words 1-2 and ignores the rest of word 2")
{
    // Linux's PF leaves bits 31:16 of word 2 uninitialised.
    CHECK(decode_as<ResetReply>({0x80000001, 0x33221102, 0xABCD5544}).mac == mac);
    CHECK(decode_as<ResetReply>({0x80000001, 0x33221102, 0x00005544, 0x77777777}).mac == mac);
}

TEST_CASE("the VF_RESET NACK says the PF has no MAC for the VF")
{
    CHECK(words_of(encode(ResetReply{})) == Words{0x40000001, 0, 0});
    CHECK_FALSE(decode_as<ResetReply>({0x40000001}).mac.has_value());
    CHECK_FALSE(decode_as<ResetReply>({0x40000001, 0xDEADBEEF, 0xDEADBEEF}).mac.has_value());
}

TEST_CASE("the generic reply is the request word with ACK or NACK, and CTS once the VF is reset")
{
    struct Case {
        std::uint32_t request;
        bool ack;
        bool cts;
        std::uint32_t word;
    };
    const Case cases[] = {
        {0x00000002, true, true, 0xA0000002},   // SET_MAC_ADDR
        {0x00000002, false, true, 0x60000002},
        {0x00010002, true, true, 0xA0010002},   // clear filters
        {0x00020002, false, true, 0x60020002},  // add filter refused
        {0x00040003, true, true, 0xA0040003},   // SET_MULTICAST, 4 hashes
        {0x00010004, true, true, 0xA0010004},   // SET_VLAN add
        {0x00010004, false, true, 0x60010004},  // refused, e.g. a port VLAN is set
        {0x00000004, true, true, 0xA0000004},   // SET_VLAN remove
        {0x00000005, true, true, 0xA0000005},   // SET_LPE
        {0x00020006, true, true, 0xA0020006},   // SET_PROMISC multicast
        {0x00010006, false, true, 0x60010006},  // SET_PROMISC unicast: Linux refuses
        {0x00010004, false, false, 0x40010004}, // request before VF_RESET: NACK without CTS
        {0x00000007, false, true, 0x60000007},  // unknown ID
    };
    for (const auto& c : cases) {
        CAPTURE(c.request, c.ack, c.cts);
        GenericReply reply{c.request, c.ack, c.cts};
        CHECK(words_of(encode(reply)) == Words{c.word});
        CHECK(decode_as<GenericReply>({c.word}) == reply);
        // igbvf reads 2 or 3 words of a 1-word reply; the rest is stale.
        CHECK(decode_as<GenericReply>({c.word, 0x00000064, 0x12345678}) == reply);
    }
    CHECK(decode_as<GenericReply>({0xA0010004}).request_id() == E1000_VF_SET_VLAN);
    CHECK(decode_as<GenericReply>({0xA0010004}).answers(0x00010004));
    CHECK_FALSE(decode_as<GenericReply>({0xA0010004}).answers(0x00000004));
}

TEST_CASE("PF_CONTROL_MSG is 0x0100, with CTS when the VF has completed its reset")
{
    CHECK(words_of(encode(ControlMessage{false})) == Words{0x00000100});
    CHECK(words_of(encode(ControlMessage{true})) == Words{0x20000100});
    CHECK(decode_as<ControlMessage>({0x00000100}) == ControlMessage{false});
    CHECK(decode_as<ControlMessage>({0x20000100}) == ControlMessage{true});
}

TEST_CASE("a bare NACK is 0x40000000")
{
    CHECK(words_of(encode(BareNack{})) == Words{0x40000000});
    decode_as<BareNack>({0x40000000});
    decode_as<BareNack>({0x40000000, 0x00000001});
}

TEST_CASE("malformed PF messages give a reason, never a crash")
{
    CHECK(defect_of({}) == Defect::empty);
    CHECK(defect_of(Words(17, 0x40000000)) == Defect::too_long);
    CHECK(defect_of({0xC0000004}) == Defect::ack_and_nack);
    CHECK(defect_of({0xC0000000}) == Defect::ack_and_nack);
    CHECK(defect_of({0x00000001}) == Defect::not_a_reply);  // the VF's own VF_RESET, still there
    CHECK(defect_of({0xA0000001, 0x33221102, 0x00005544}) == Defect::not_a_reply);
    CHECK(defect_of({0x80010001, 0x33221102, 0x00005544}) == Defect::not_a_reply);
    CHECK(defect_of({0x80000001}) == Defect::too_short);
    CHECK(defect_of({0x80000001, 0x33221102}) == Defect::too_short);
    CHECK(defect_of({0x80000100}) == Defect::reserved_bits);
    CHECK(defect_of({0x40000100}) == Defect::reserved_bits);
    CHECK(defect_of({0x00010100}) == Defect::reserved_bits);
    CHECK(defect_of({0x01000100}) == Defect::reserved_bits);
    CHECK(defect_of({0x00010004, 0x00000064}) == Defect::not_a_reply);  // a request
    CHECK(defect_of({0x20000004}) == Defect::not_a_reply);              // CTS alone answers nothing
}

TEST_CASE("encode refuses a generic reply that is not one")
{
    CHECK(encode_error(GenericReply{0x80000004, true, true}) == sriov::Errc::invalid_argument);
    CHECK(encode_error(GenericReply{0x20000004, true, true}) == sriov::Errc::invalid_argument);
    CHECK(encode_error(GenericReply{0x00000001, true, true}) == sriov::Errc::invalid_argument);
    CHECK(encode_error(GenericReply{0x00000100, true, false}) == sriov::Errc::invalid_argument);
}

TEST_CASE("random words never crash the reply decoder")
{
    std::mt19937 rng(10);
    std::uniform_int_distribution<std::uint32_t> any;
    int decoded = 0;
    for (int i = 0; i < 20000; ++i) {
        Words w(i % 20);
        for (auto& x : w)
            x = any(rng);
        if (!w.empty() && i % 2 == 0)
            w[0] &= 0xE0000107;  // plausible word 0, to reach the per-ID checks
        auto d = decode(w);
        if (d) {
            ++decoded;
            auto again = decode(words_of(encode(d.value())));
            REQUIRE(again.ok());
            CHECK(again.value() == d.value());
        } else {
            CHECK_FALSE(d.error().reason.empty());
        }
    }
    CHECK(decoded > 0);
}
