#include "sriov/error.hpp"
#include "vfio/vf_token.hpp"

#include <catch2/catch_test_macros.hpp>

using sriov::vfio::VfToken;

TEST_CASE("a VF token reads and prints in the kernel's UUID form")
{
    const auto t = VfToken::parse("2AB74924-c335-45f4-9b16-8569e5b08258");
    CHECK(t.bytes()[0] == 0x2a);
    CHECK(t.bytes()[15] == 0x58);
    CHECK(t.to_string() == "2ab74924-c335-45f4-9b16-8569e5b08258");
}

TEST_CASE("malformed VF tokens are refused with the text named")
{
    for (const char* bad : {"", "2ab74924c33545f49b168569e5b08258", "2ab74924-c335-45f4-9b16-8569e5b0825g",
                            "2ab74924-c335-45f4-9b16-8569e5b082588", "2ab74924+c335-45f4-9b16-8569e5b08258"}) {
        try {
            VfToken::parse(bad);
            FAIL("accepted " << bad);
        } catch (const sriov::Error& e) {
            CHECK(e.code() == sriov::Errc::invalid_argument);
            CHECK(e.subject() == bad);
        }
    }
}

TEST_CASE("generated VF tokens are version-4 UUIDs and differ")
{
    const auto a = VfToken::generate();
    const auto b = VfToken::generate();
    CHECK(a != b);
    CHECK(a.to_string()[14] == '4');
    CHECK(VfToken::parse(a.to_string()) == a);
}
