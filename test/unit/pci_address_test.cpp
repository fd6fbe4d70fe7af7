#include "sriov/error.hpp"
#include "vfio/pci_address.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using sriov::pci::Address;

TEST_CASE("a full PCI address parses into its fields and prints back the same")
{
    Address a = Address::parse("0000:00:12.6");
    CHECK(a.domain == 0);
    CHECK(a.bus == 0x00);
    CHECK(a.device == 0x12);
    CHECK(a.function == 6);
    CHECK(a.to_string() == "0000:00:12.6");
    CHECK(fmt::format("{}", a) == "0000:00:12.6");
}

TEST_CASE("the short form means domain 0 and prints in the canonical long form")
{
    Address a = Address::parse("3b:1f.7");
    CHECK(a.domain == 0);
    CHECK(a.bus == 0x3b);
    CHECK(a.device == 0x1f);
    CHECK(a.function == 7);
    CHECK(a.to_string() == "0000:3b:1f.7");
}

TEST_CASE("upper-case hex and wide domains are accepted and printed in lower case")
{
    CHECK(Address::parse("0000:AF:0A.1").to_string() == "0000:af:0a.1");
    CHECK(Address::parse("10000:e0:00.0").to_string() == "10000:e0:00.0");
}

TEST_CASE("text that is not a PCI address is rejected with the text as subject")
{
    auto text =
        GENERATE(as<std::string>{}, "", "0000:00:02", "00:02.8", "00:20.0", "0000:00:02.0 ", " 0000:00:02.0",
                 "g000:00:02.0", "000:00:02.0", "0000:000:02.0", "0000:00:2.0", "0000:00:02.0.1",
                 "0000::02.0", "0000:00:02:0", "1:2:3:4.0", "0000:00:02.0\n", "0000:00:-2.0", "0000:00:+2.0");
    CAPTURE(text);
    CHECK_FALSE(Address::try_parse(text).has_value());
    try {
        Address::parse(text);
        FAIL("parse accepted \"" << text << "\"");
    } catch (const sriov::Error& e) {
        CHECK(e.code() == sriov::Errc::invalid_argument);
        CHECK(e.subject() == text);
        CHECK(e.cause() == "not a PCI address (expected DDDD:BB:DD.F)");
    }
}

TEST_CASE("addresses order by domain, then bus, device and function")
{
    CHECK(Address::parse("0000:00:02.0") < Address::parse("0000:00:02.1"));
    CHECK(Address::parse("0000:00:02.7") < Address::parse("0000:00:12.0"));
    CHECK(Address::parse("0000:00:1f.7") < Address::parse("0000:01:00.0"));
    CHECK(Address::parse("0000:ff:1f.7") < Address::parse("0001:00:00.0"));
    CHECK(Address::parse("00:02.0") == Address::parse("0000:00:02.0"));
    CHECK(Address::parse("0000:00:02.0") != Address::parse("0000:00:02.1"));
}

TEST_CASE("the routing id packs bus, device and function and unpacks again")
{
    Address a = Address::parse("0000:03:10.2");
    CHECK(a.routing_id() == 0x0382);
    CHECK(Address::from_routing_id(0, 0x0382) == a);
    CHECK(Address::from_routing_id(2, 0x0090).to_string() == "0002:00:12.0");
}
