// What sriovd decides when a kernel-owned PF's VF drifted (src/sriovd/kernel_drift.hpp).
#include "sriovd/kernel_drift.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace sriov;
using sriov::sriovd::drift_of;

namespace {

const MacAddress mine = MacAddress::parse("02:00:00:00:00:01");
const MacAddress theirs = MacAddress::parse("02:00:00:00:00:bb");

nl::VfSettings with_mac(const MacAddress& mac, std::uint16_t vid = 10)
{
    nl::VfSettings s;
    s.mac = mac;
    s.vlan = nl::VfVlan{vid, 0, nl::VlanProtocol::ieee_802_1q};
    return s;
}

}  // namespace

TEST_CASE("no drift: nothing reported, nothing put back")
{
    auto found = with_mac(mine);
    found.spoofchk = false;  // not declared: not sriovd's business
    const auto c = drift_of(with_mac(mine), found, false, true, "");
    CHECK(c.text.empty());
    CHECK_FALSE(c.report);
    CHECK_FALSE(c.restore);
    CHECK_FALSE(c.adopt_mac);
}

TEST_CASE("a drift is reported once and, with restore, put back at every check")
{
    const auto first = drift_of(with_mac(mine), with_mac(theirs, 7), false, true, "");
    CHECK(first.text == "mac 02:00:00:00:00:bb (desired 02:00:00:00:00:01), vlan 7 qos 0 (desired 10 qos 0)");
    CHECK(first.report);
    CHECK(first.restore);
    CHECK(first.want == with_mac(mine));

    const auto again = drift_of(with_mac(mine), with_mac(theirs, 7), false, true, first.text);
    CHECK_FALSE(again.report);
    CHECK(again.restore);

    // Another change on top: new differences, a new report.
    const auto other = drift_of(with_mac(mine), with_mac(theirs, 8), false, true, first.text);
    CHECK(other.report);
}

TEST_CASE("on_drift = report: reported, never put back")
{
    const auto c = drift_of(with_mac(mine), with_mac(theirs), false, false, "");
    CHECK(c.report);
    CHECK_FALSE(c.restore);
}

TEST_CASE("a trusted VF's own MAC is adopted, not put back; an untrusted VF's is")
{
    const auto trusted = drift_of(with_mac(mine), with_mac(theirs), true, true, "");
    REQUIRE(trusted.adopt_mac);
    CHECK(*trusted.adopt_mac == theirs);
    CHECK(trusted.text.empty());
    CHECK_FALSE(trusted.restore);

    // The MAC is adopted but a VLAN changed at the same time is still drift.
    const auto both = drift_of(with_mac(mine), with_mac(theirs, 7), true, true, "");
    CHECK(both.adopt_mac);
    CHECK(both.text == "vlan 7 qos 0 (desired 10 qos 0)");
    CHECK(both.want.mac == theirs);

    const auto untrusted = drift_of(with_mac(mine), with_mac(theirs), false, true, "");
    CHECK_FALSE(untrusted.adopt_mac);
    CHECK(untrusted.restore);

    // All zeros is no MAC a VF chose: put back.
    const auto zero = drift_of(with_mac(mine), with_mac(MacAddress{}), true, true, "");
    CHECK_FALSE(zero.adopt_mac);
    CHECK(zero.restore);
}
