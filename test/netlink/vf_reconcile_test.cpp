// vf_reconcile: which settings are sent to bring a VF from what the kernel reports to what is
// wanted, in the kernel's order, and how a refusal half way is put back. `send` is a recorder
// here, so each test reads as the list of requests the kernel would have seen.
#include "netlink/vf_reconcile.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <string>
#include <vector>

using namespace sriov;
using namespace sriov::nl;

namespace {

const MacAddress mac_a = MacAddress::parse("02:11:22:33:44:55");
const MacAddress mac_b = MacAddress::parse("02:aa:bb:cc:dd:ee");

// What an igb VF with nothing set reports: VF 1 of the capture in kernel_captures.hpp, but with no
// MAC, which igb reports as all zeros; query_rss is not reported.
const VfSettings igb_default{.mac = MacAddress{},
                             .vlan = VfVlan{},
                             .max_tx_rate = 0,
                             .min_tx_rate = 0,
                             .spoofchk = true,
                             .trust = false,
                             .link_state = VfLinkState::auto_};

// The requests as text, one per send, so that a failing check shows all of them.
std::vector<std::string> texts(const std::vector<VfSettings>& requests)
{
    std::vector<std::string> out;
    for (const auto& r : requests)
        out.push_back(to_string(r));
    return out;
}

// A `send` that records every request and refuses the ones `refuse` picks (like the kernel: a
// refused request changes nothing and is still recorded, as it was sent).
struct Kernel {
    std::vector<VfSettings> sent;
    std::function<bool(const VfSettings&)> refuse = [](const VfSettings&) { return false; };

    std::function<void(const VfSettings&)> send()
    {
        return [this](const VfSettings& s) {
            sent.push_back(s);
            if (refuse(s))
                throw Error(Errc::invalid_argument, "eth0 vf 0", "refused: " + to_string(s));
        };
    }
};

}  // namespace

TEST_CASE("nothing is sent when the kernel already has every desired setting")
{
    const VfSettings desired{.vlan = VfVlan{}, .max_tx_rate = 0, .spoofchk = true, .link_state = VfLinkState::auto_};
    CHECK(steps_to(desired, igb_default).empty());
    CHECK(differences(desired, igb_default).empty());

    Kernel kernel;
    CHECK(apply_all_or_none(desired, igb_default, kernel.send()) == 0);
    CHECK(kernel.sent.empty());
    CHECK(apply_all_or_none({}, igb_default, kernel.send()) == 0);
    CHECK(kernel.sent.empty());
}

TEST_CASE("only desired fields are sent, one per request, and a field not reported counts as different")
{
    // trust differs, spoofchk is already on, state is not desired (though found has it).
    CHECK(texts(steps_to({.spoofchk = true, .trust = true}, igb_default)) == std::vector<std::string>{"trust on"});
    // The kernel did not report query_rss: it is sent, to be sure of it.
    CHECK(texts(steps_to({.query_rss = false}, igb_default)) == std::vector<std::string>{"query_rss off"});
}

TEST_CASE("steps go in the kernel's order: mac, vlan, rate, spoofchk, state, query_rss, trust")
{
    const VfSettings desired{.mac = mac_a,
                             .vlan = VfVlan{10, 3},
                             .max_tx_rate = 100,
                             .min_tx_rate = 10,
                             .spoofchk = false,
                             .trust = true,
                             .link_state = VfLinkState::enable,
                             .query_rss = true};
    CHECK(texts(steps_to(desired, igb_default)) ==
          std::vector<std::string>{"mac 02:11:22:33:44:55", "vlan 10 qos 3", "max_tx_rate 100 min_tx_rate 10",
                                   "spoofchk off", "state enable", "query_rss on", "trust on"});
}

TEST_CASE("a differing rate makes one step with both rates, the other kept from the kernel's view")
{
    const VfSettings found{.max_tx_rate = 500, .min_tx_rate = 20};
    CHECK(texts(steps_to({.max_tx_rate = 100}, found)) == std::vector<std::string>{"max_tx_rate 100 min_tx_rate 20"});
    CHECK(texts(steps_to({.min_tx_rate = 50}, found)) == std::vector<std::string>{"max_tx_rate 500 min_tx_rate 50"});
    // Only min differs, but both desired: both are sent as desired, once.
    CHECK(texts(steps_to({.max_tx_rate = 500, .min_tx_rate = 50}, found)) ==
          std::vector<std::string>{"max_tx_rate 500 min_tx_rate 50"});
    CHECK(steps_to({.max_tx_rate = 500}, found).empty());

    // The other rate is needed and the kernel did not report it: refused before anything is sent.
    Kernel kernel;
    try {
        apply_all_or_none({.max_tx_rate = 100, .trust = true}, {.max_tx_rate = 500, .trust = false}, kernel.send());
        FAIL("a rate was made up");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::protocol);
    }
    CHECK(kernel.sent.empty());
}

TEST_CASE("every VLAN with vid 0 is \"no port VLAN\", whatever its qos and protocol")
{
    CHECK(same_setting(VfVlan{0, 3, VlanProtocol::ieee_802_1ad}, VfVlan{}));
    CHECK_FALSE(same_setting(VfVlan{10, 3}, VfVlan{10, 0}));
    CHECK_FALSE(same_setting(VfVlan{10, 3}, VfVlan{10, 3, VlanProtocol::ieee_802_1ad}));
    CHECK(steps_to({.vlan = VfVlan{0, 5}}, igb_default).empty());

    // Clearing a port VLAN sends the plain form, vid 0 qos 0 802.1Q.
    const auto steps = steps_to({.vlan = VfVlan{0, 5, VlanProtocol::ieee_802_1ad}}, {.vlan = VfVlan{10, 3}});
    REQUIRE(steps.size() == 1);
    CHECK(steps[0].vlan == VfVlan{});
}

TEST_CASE("undo_of puts back found's values, and gives up where found has nothing to put back")
{
    CHECK(undo_of({.trust = true}, igb_default) == VfSettings{.trust = false});
    CHECK(undo_of({.max_tx_rate = 100, .min_tx_rate = 10}, {.max_tx_rate = 500, .min_tx_rate = 20}) ==
          VfSettings{.max_tx_rate = 500, .min_tx_rate = 20});
    CHECK(undo_of({.mac = mac_a}, {.mac = mac_b}) == VfSettings{.mac = mac_b});
    CHECK_FALSE(undo_of({.query_rss = true}, igb_default));  // not reported
    CHECK_FALSE(undo_of({.mac = mac_a}, igb_default));       // igb's "no MAC"
    CHECK_FALSE(undo_of({.max_tx_rate = 100, .min_tx_rate = 10}, {.max_tx_rate = 500}));
}

TEST_CASE("a refusal at the 3rd step puts back the 2nd then the 1st with found's values and rethrows")
{
    const VfSettings found{.mac = mac_b, .vlan = VfVlan{}, .spoofchk = true, .trust = false};
    const VfSettings desired{.mac = mac_a, .vlan = VfVlan{10, 3}, .spoofchk = false, .trust = true};
    Kernel kernel;
    kernel.refuse = [](const VfSettings& s) { return s.spoofchk.has_value(); };
    try {
        apply_all_or_none(desired, found, kernel.send());
        FAIL("the refusal was not rethrown");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid_argument);
        CHECK(e.cause() == "refused: spoofchk off");
    }
    CHECK(texts(kernel.sent) == std::vector<std::string>{"mac 02:11:22:33:44:55", "vlan 10 qos 3", "spoofchk off",
                                                         "vlan 0 qos 0", "mac 02:aa:bb:cc:dd:ee"});
}

TEST_CASE("an undo that fails, or cannot be made, is reported and the other undos still run")
{
    // mac cannot be put back (igb's all-zero MAC), the vlan undo is refused, the rate undo works,
    // and trust is the step refused.
    const VfSettings desired{.mac = mac_a, .vlan = VfVlan{10}, .max_tx_rate = 100, .trust = true};
    Kernel kernel;
    kernel.refuse = [](const VfSettings& s) { return s.trust || (s.vlan && s.vlan->vid == 0); };
    std::vector<std::string> reported;
    const auto undo_failed = [&reported](const VfSettings& undo, const std::exception& why) {
        reported.push_back(to_string(undo) + ": " + why.what());
    };
    CHECK_THROWS_AS(apply_all_or_none(desired, igb_default, kernel.send(), undo_failed), Error);
    CHECK(texts(kernel.sent) == std::vector<std::string>{"mac 02:11:22:33:44:55", "vlan 10 qos 0",
                                                         "max_tx_rate 100 min_tx_rate 0", "trust on",
                                                         "max_tx_rate 0 min_tx_rate 0", "vlan 0 qos 0"});
    REQUIRE(reported.size() == 2);
    CHECK(reported[0].starts_with("vlan 0 qos 0: "));
    CHECK(reported[0].find("refused: vlan 0 qos 0") != std::string::npos);
    CHECK(reported[1].starts_with("mac 02:11:22:33:44:55: "));

    // Without a callback the same happens, silently.
    Kernel quiet;
    quiet.refuse = kernel.refuse;
    CHECK_THROWS_AS(apply_all_or_none(desired, igb_default, quiet.send()), Error);
    CHECK(quiet.sent == kernel.sent);
}

TEST_CASE("differences name each setting as iproute2 does, with the kernel's value or \"not reported\"")
{
    const VfSettings desired{.mac = mac_a,
                             .vlan = VfVlan{10, 3, VlanProtocol::ieee_802_1ad},
                             .max_tx_rate = 100,
                             .min_tx_rate = 0,
                             .spoofchk = false,
                             .trust = true,
                             .link_state = VfLinkState::disable,
                             .query_rss = true};
    CHECK(differences(desired, igb_default) ==
          std::vector<Difference>{{"mac", "02:11:22:33:44:55", "00:00:00:00:00:00"},
                                  {"vlan", "10 qos 3 proto 802.1ad", "0"},
                                  {"max_tx_rate", "100", "0"},
                                  {"spoofchk", "off", "on"},
                                  {"trust", "on", "off"},
                                  {"state", "disable", "auto"},
                                  {"query_rss", "on", "not reported"}});
    CHECK(differences({.vlan = VfVlan{}}, {.vlan = VfVlan{10, 3}}) ==
          std::vector<Difference>{{"vlan", "0", "10 qos 3"}});
}
