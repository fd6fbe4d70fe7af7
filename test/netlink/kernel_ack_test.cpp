// decode_ack() and refusal_error(): the kernel's NLMSG_ERROR answers, as captured
// (iproute2_captures.hpp) and as built here with an extended ack on a capped message.
#include "netlink/kernel_ack.hpp"

#include "hex.hpp"
#include "iproute2_captures.hpp"
#include "netlink/nl_message.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>
#include <cstring>

using namespace sriov;
using namespace sriov::nl;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("a refusal with the kernel's own words: errno and NLMSGERR_ATTR_MSG")
{
    const auto ack = decode_ack(test_hex::bytes(captures::refused_with_message.hex));
    CHECK_FALSE(ack.ok());
    CHECK(ack.error == ELOOP);
    CHECK(ack.message == "Can not enslave a bridge to a bridge");
    CHECK(ack.seq == 0x6b160833);
    CHECK_FALSE(ack.attribute_offset.has_value());

    const Error e = refusal_error(ack, "nlbr0", "set master");
    CHECK(e.code() == Errc::io);
    CHECK(e.subject() == "nlbr0");
    CHECK(e.cause() == std::string("set master: ") + std::strerror(ELOOP) +
                           " (kernel: Can not enslave a bridge to a bridge)");
}

TEST_CASE("a VF setting the device does not have: EOPNOTSUPP without a message, Errc::unsupported")
{
    const auto ack = decode_ack(test_hex::bytes(captures::refused_trust.hex));
    CHECK(ack.error == EOPNOTSUPP);
    CHECK(ack.message.empty());

    const Error e = refusal_error(ack, "nl0 vf 0", "trust on");
    CHECK(e.code() == Errc::unsupported);
    CHECK_THAT(e.cause(), !ContainsSubstring("kernel:"));
}

TEST_CASE("EPROTONOSUPPORT, igb's refusal of an 802.1ad port VLAN, is Errc::unsupported too")
{
    KernelAck ack;
    ack.error = EPROTONOSUPPORT;
    CHECK(refusal_error(ack, "eth0 (igb) vf 0", "setting vlan 10 qos 0 proto 802.1ad").code() == Errc::unsupported);
}

TEST_CASE("a request done: error 0 on a capped answer")
{
    const auto ack = decode_ack(test_hex::bytes(captures::done.hex));
    CHECK(ack.ok());
    CHECK(ack.message.empty());
}

TEST_CASE("an extended ack on a capped answer: message and attribute offset after the request's header")
{
    auto msg = new_message(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
    nlmsgerr err{};
    err.error = -ERANGE;
    err.msg.nlmsg_len = 56;
    err.msg.nlmsg_type = 16;  // RTM_NEWLINK
    REQUIRE(nlmsg_append(msg.get(), &err, sizeof err, NLMSG_ALIGNTO) == 0);
    REQUIRE(nla_put_string(msg.get(), NLMSGERR_ATTR_MSG, "VF rate out of range") == 0);
    REQUIRE(nla_put_u32(msg.get(), NLMSGERR_ATTR_OFFS, 44) == 0);

    const auto ack = decode_ack(message_bytes(msg.get()));
    CHECK(ack.error == ERANGE);
    CHECK(ack.message == "VF rate out of range");
    CHECK(ack.attribute_offset == 44u);
    CHECK(refusal_error(ack, "eth0 vf 1", "max_tx_rate 100000").code() == Errc::invalid_argument);
}

TEST_CASE("what is not a whole NLMSG_ERROR is a protocol error")
{
    const auto is_protocol_error = [](std::span<const std::uint8_t> bytes) {
        try {
            decode_ack(bytes);
        } catch (const Error& e) {
            return e.code() == Errc::protocol;
        }
        return false;
    };
    const auto refused = test_hex::bytes(captures::refused_with_message.hex);
    CHECK(is_protocol_error(std::span(refused).first(refused.size() - 4)));  // shorter than nlmsg_len
    CHECK(is_protocol_error(std::span(refused).first(18)));                  // no room for nlmsgerr
    CHECK(is_protocol_error(test_hex::bytes(captures::trust_on.hex)));         // a request, not an answer

    // Uncapped, yet shorter than the request it says it echoes.
    auto lying = test_hex::bytes(captures::done.hex);
    lying[7] = 0;  // nlmsg_flags bytes 6-7: clear NLM_F_CAPPED (0x0100); the 40-byte request would have to follow
    CHECK(is_protocol_error(lying));
}
