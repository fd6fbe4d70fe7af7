// Generated VF MACs: the same for the same PF and VF, different otherwise, always locally
// administered unicast. The expected values were computed apart, with a few lines of Python
// implementing FNV-1a 64 over the PF's six bytes and the VF's number.
#include "pf/generated_mac.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace sriov;

TEST_CASE("a generated VF MAC is stable, per VF and per PF, locally administered and unicast")
{
    const auto pf = MacAddress::parse("52:54:00:5a:00:00");
    CHECK(pf::generated_mac(pf, 0) == MacAddress::parse("9e:8c:bd:77:88:83"));
    CHECK(pf::generated_mac(pf, 1) == MacAddress::parse("9e:8c:bd:77:86:d0"));
    CHECK(pf::generated_mac(MacAddress::parse("52:54:00:5a:00:01"), 0) == MacAddress::parse("3a:8c:bd:74:a5:5a"));
    for (unsigned vf = 0; vf < 7; ++vf) {
        const MacAddress m = pf::generated_mac(pf, vf);
        CHECK(m.is_valid_unicast());
        CHECK((m.bytes()[0] & 0x02) != 0);  // locally administered
        CHECK(m == pf::generated_mac(pf, vf));
    }
}
