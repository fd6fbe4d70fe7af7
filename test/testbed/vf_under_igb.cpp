// Runs in the testbed guest: our VF side of the mailbox against the Linux kernel's igb as PF.
//
// The scenario script (vf_under_igb.sh) puts the PF on igb, gives VF 0 an administrative MAC with
// `ip link set PF vf 0 mac X`, binds VF 0 to vfio-pci, and runs this program twice: once with the
// VF untrusted ("[untrusted]") and once after `ip link set PF vf 0 trust on` ("[trusted]").
// TB_VF names the VF's address and TB_MAC the MAC the administrator set.
#include "sriov/error.hpp"
#include "sriov/mac_address.hpp"
#include "vf/open_vf.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <cstdlib>
#include <string>

using namespace sriov;
using namespace std::chrono_literals;

namespace {

std::string env(const char* name)
{
    const char* v = std::getenv(name);
    REQUIRE(v != nullptr);
    return v;
}

// The kernel's PF answers from its interrupt handler; under the emulator on a loaded machine it
// can take longer than igbvf's 1 s, which is not what this test is about.
constexpr mbx::Timing patient{std::chrono::milliseconds(5000), std::chrono::microseconds(100)};

// The VF TB_VF names, opened through VFIO with its registers mapped.
vf::OpenVf open_vf()
{
    vf::OpenVf::Options options;
    options.timing = patient;
    return vf::OpenVf(pci::Address::parse(env("TB_VF")), options);
}

// Expects `request` to be refused by the PF.
template <class F>
void check_refused(F&& request)
{
    try {
        request();
        FAIL("the PF accepted a request it should refuse");
    } catch (const Error& err) {
        INFO(err.what());
        CHECK(err.code() == Errc::permission);
    }
}

}  // namespace

TEST_CASE("an untrusted VF gets the administrator's MAC and may not change it", "[untrusted]")
{
    vf::OpenVf vf = open_vf();
    const auto admin_mac = MacAddress::parse(env("TB_MAC"));

    // Enabling VFs resets the kernel's PF; the handshake waits until it is ready again.
    const auto mac = vf.control.reset(20s);
    REQUIRE(mac.has_value());
    CHECK(*mac == admin_mac);
    CHECK(vf.control.clear_to_send());

    vf.control.set_vlan(100, true);   // ACKed
    vf.control.set_vlan(100, false);  // ACKed
    // Linux's igb refuses any set-MAC from an untrusted VF whose MAC the administrator set, even
    // its own MAC (sriovd will ACK that one; igbvf asks for it on every start).
    check_refused([&] { vf.control.set_mac(admin_mac); });
    check_refused([&] { vf.control.set_mac(MacAddress::parse("02:aa:bb:cc:dd:ee")); });
    check_refused([&] { vf.control.set_promisc(false, true); });  // unicast promiscuous: never
}

TEST_CASE("a trusted VF may change its MAC", "[trusted]")
{
    vf::OpenVf vf = open_vf();
    const auto mac = vf.control.reset(20s);
    REQUIRE(mac.has_value());
    CHECK(*mac == MacAddress::parse(env("TB_MAC")));
    vf.control.set_mac(MacAddress::parse("02:aa:bb:cc:dd:ee"));
    vf.control.set_max_frame(1522);
}
