// The administrator's rules for VFs (Linux igb's behaviour for trusted and untrusted VFs).
#include "pf/vf_policy.hpp"

#include "admin.hpp"
#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace sriov;
using namespace sriov::pf;
using sriov::pf::test::Admin;

namespace {

const MacAddress admin_mac = MacAddress::parse("02:11:22:33:44:55");
const MacAddress other_mac = MacAddress::parse("02:aa:bb:cc:dd:ee");

VfPolicy one_vf(VfAdmin admin)
{
    VfPolicy policy(1);
    policy.set_admin(0, std::move(admin));
    return policy;
}

}  // namespace

TEST_CASE("an untrusted VF may set again the MAC it has, and no other")
{
    const VfPolicy policy = one_vf(Admin().mac(admin_mac));
    CHECK(policy.set_mac(0, admin_mac, admin_mac).allowed);
    const Decision d = policy.set_mac(0, admin_mac, other_mac);
    CHECK_FALSE(d.allowed);
    CHECK(d.reason == "the administrator assigned 02:11:22:33:44:55 and the VF is not trusted");
}

TEST_CASE("a trusted VF may set any unicast MAC")
{
    const VfPolicy policy = one_vf(Admin().mac(admin_mac).trusted());
    CHECK(policy.set_mac(0, admin_mac, other_mac).allowed);
    CHECK_FALSE(policy.set_mac(0, admin_mac, MacAddress::parse("01:00:5e:00:00:01")).allowed);
    CHECK_FALSE(policy.set_mac(0, admin_mac, MacAddress()).allowed);
}

TEST_CASE("a VF that was assigned no MAC may use one it made up, as under Linux")
{
    const VfPolicy policy(1);
    CHECK(policy.set_mac(0, std::nullopt, other_mac).allowed);
}

TEST_CASE("a port VLAN forbids every VLAN request; allowed VLANs limit joining")
{
    const VfPolicy port = one_vf(Admin().port_vlan(10));
    const Decision d = port.set_vlan(0, 100, true);
    CHECK_FALSE(d.allowed);
    CHECK(d.reason == "port VLAN 10 is set; the VF may not choose VLANs");
    CHECK_FALSE(port.set_vlan(0, 100, false).allowed);

    const VfPolicy listed = one_vf(Admin().allowed_vlans({100, 200}));
    CHECK(listed.set_vlan(0, 100, true).allowed);
    CHECK_FALSE(listed.set_vlan(0, 300, true).allowed);
    CHECK(listed.set_vlan(0, 0, true).allowed);     // VLAN 0 always
    CHECK(listed.set_vlan(0, 300, false).allowed);  // leaving is always fine

    CHECK(VfPolicy(1).set_vlan(0, 4000, true).allowed);
}

TEST_CASE("a VF may hold up to max_vlans VLANs of its own, 8 unless the administrator says otherwise")
{
    const VfPolicy defaults(1);
    CHECK(defaults.vlan_count(0, 8).allowed);
    const Decision ninth = defaults.vlan_count(0, 9);
    CHECK_FALSE(ninth.allowed);
    CHECK(ninth.reason == "9 VLANs is more than the 8 the administrator allows");

    VfAdmin none = Admin();
    none.max_vlans = 0;
    CHECK_FALSE(one_vf(none).vlan_count(0, 1).allowed);
    VfAdmin all = Admin();
    all.max_vlans = 32;
    CHECK(one_vf(all).vlan_count(0, 32).allowed);

    VfAdmin too_many = Admin();
    too_many.max_vlans = 33;
    try {
        VfPolicy(1).set_admin(0, too_many);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.subject() == "VF 0");
        CHECK(e.cause() == "max_vlans 33 is above the 32 VLAN filter entries of the chip");
    }
}

TEST_CASE("only a trusted VF may receive all multicast")
{
    CHECK_FALSE(VfPolicy(1).multicast_promisc(0).allowed);
    CHECK(one_vf(Admin().trusted()).multicast_promisc(0).allowed);
}

TEST_CASE("bad administrator settings are refused with the VF named")
{
    VfPolicy policy(2);
    CHECK_THROWS_AS(policy.set_admin(2, {}), Error);
    CHECK_THROWS_AS(policy.set_admin(0, Admin().mac(MacAddress::parse("01:00:5e:00:00:01"))), Error);
    CHECK_THROWS_AS(policy.set_admin(0, Admin().port_vlan(0)), Error);
    CHECK_THROWS_AS(policy.set_admin(0, Admin().port_vlan(4096)), Error);
    try {
        policy.set_admin(1, Admin().allowed_vlans({5000}));
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid_argument);
        CHECK(e.subject() == "VF 1");
    }
}
