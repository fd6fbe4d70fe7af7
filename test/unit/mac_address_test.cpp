#include "sriov/mac_address.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

using sriov::MacAddress;

TEST_CASE("a MAC address parses from and prints to colon-separated hex")
{
    auto mac = MacAddress::parse("02:11:22:33:44:55");
    CHECK(mac.bytes() == MacAddress::Bytes{0x02, 0x11, 0x22, 0x33, 0x44, 0x55});
    CHECK(mac.to_string() == "02:11:22:33:44:55");
    CHECK(MacAddress::parse("AA:bb:Cc:0d:E0:ff").to_string() == "aa:bb:cc:0d:e0:ff");
    CHECK(fmt::format("{}", mac) == "02:11:22:33:44:55");
}

TEST_CASE("text that is not a MAC address is refused")
{
    for (const char* text : {"", "02:11:22:33:44", "02:11:22:33:44:55:66", "02-11-22-33-44-55",
                             "02:11:22:33:44:5", "02:11:22:33:44:5g", " 02:11:22:33:44:55",
                             "02:11:22:33:44:55 ", "0211:22:33:44:55:", "02:11:22:33:4:455"}) {
        CAPTURE(text);
        CHECK_FALSE(MacAddress::try_parse(text).has_value());
        CHECK_THROWS_AS(MacAddress::parse(text), sriov::Error);
    }
    try {
        MacAddress::parse("nonsense");
        FAIL("parse accepted nonsense");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::invalid_argument);
        CHECK(e.subject() == "nonsense");
    }
}

TEST_CASE("a MAC address knows its kind")
{
    auto unicast = MacAddress::parse("02:11:22:33:44:55");
    CHECK(unicast.is_valid_unicast());
    CHECK(unicast.is_locally_administered());
    CHECK_FALSE(unicast.is_multicast());
    CHECK_FALSE(MacAddress::parse("00:1b:21:00:00:01").is_locally_administered());

    auto group = MacAddress::parse("01:00:5e:00:00:01");
    CHECK(group.is_multicast());
    CHECK_FALSE(group.is_valid_unicast());
    CHECK_FALSE(group.is_broadcast());

    auto broadcast = MacAddress::parse("ff:ff:ff:ff:ff:ff");
    CHECK(broadcast.is_broadcast());
    CHECK(broadcast.is_multicast());
    CHECK_FALSE(broadcast.is_valid_unicast());

    CHECK(MacAddress().is_zero());
    CHECK_FALSE(MacAddress().is_valid_unicast());
    CHECK_FALSE(unicast.is_zero());
    CHECK(MacAddress() == MacAddress::parse("00:00:00:00:00:00"));
}
