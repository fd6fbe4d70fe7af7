// sriovd's configuration file: what a valid file means, and that every mistake is reported with
// the file and line, the key and what is allowed.
#include "sriovd/config_file.hpp"
#include "sriovd/options.hpp"
#include "sriovd/state_file.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

using namespace sriov;
using sriov::sriovd::parse_config;

namespace {

constexpr const char* full = R"(# a comment
[daemon]
state_dir = "/run/sriovd-test"
remove_vfs_on_exit = true
timeout_s = 12

[[pf]]
pci = "0000:00:02.0"
num_vfs = 3

[[pf.vf]]
index = 0
mac = "02:11:22:33:44:55"
trust = true
spoof_check = false
link_state = "enable"
max_tx_rate = 100
driver = "igbvf"

[[pf.vf]]
index = 2
vlan = 100
qos = 5
)";

// The error parse_config() throws for text, as "subject: cause".
std::string error_of(const std::string& text)
{
    try {
        parse_config(text, "test.toml");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid_argument);
        return e.subject() + ": " + e.cause();
    }
    return "no error";
}

bool contains(const std::string& text, const std::string& part)
{
    INFO(text);
    return text.find(part) != std::string::npos;
}

std::string pf_with_vf(const std::string& vf_lines)
{
    return "[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 2\n\n[[pf.vf]]\nindex = 0\n" + vf_lines;
}

}  // namespace

TEST_CASE("a full configuration file becomes the PF, its VFs and the daemon's settings")
{
    const auto c = parse_config(full, "test.toml");
    CHECK(c.pf == "0000:00:02.0");
    CHECK(c.num_vfs == 3);
    CHECK(c.state_dir == "/run/sriovd-test");
    CHECK(c.remove_vfs_on_exit);
    CHECK(c.timeout_s == 12);
    REQUIRE(c.vfs.size() == 3);
    REQUIRE(c.drivers.size() == 3);
    CHECK(c.vfs[0].mac == MacAddress::parse("02:11:22:33:44:55"));
    CHECK(c.vfs[0].trusted);
    CHECK_FALSE(c.vfs[0].spoof_check);
    CHECK(c.vfs[0].link_state == pf::LinkMode::enable);
    CHECK(c.vfs[0].max_tx_rate_mbps == 100);
    CHECK(c.drivers[0] == "igbvf");
    CHECK(c.vfs[1] == pf::VfAdmin{});  // not mentioned: the defaults
    CHECK(c.drivers[1].empty());
    CHECK(c.vfs[2].port_vlan == 100);
    CHECK(c.vfs[2].port_vlan_qos == 5);
}

TEST_CASE("a minimal file takes the defaults; a PF may be named by vendor:device")
{
    const auto c = parse_config("[[pf]]\ndevice = \"8086:10c9\"\nnum_vfs = 0\n", "test.toml");
    CHECK(c.pf == "8086:10c9");
    CHECK(c.num_vfs == 0);
    CHECK(c.state_dir == "/var/lib/sriovd");
    CHECK_FALSE(c.remove_vfs_on_exit);
}

TEST_CASE("configuration mistakes name the file, the line, the key and what is allowed")
{
    SECTION("TOML syntax")
    {
        const auto e = error_of("[[pf]\npci = 1\n");
        CHECK(contains(e, "test.toml"));
        CHECK(contains(e, "not valid TOML"));
    }
    SECTION("an unknown key, with the keys allowed there")
    {
        const auto e = error_of(pf_with_vf("mac = \"02:11:22:33:44:55\"\ntrusted = true\n"));
        CHECK(contains(e, "test.toml:8"));
        CHECK(contains(e, "'trusted'"));
        CHECK(contains(e, "trust"));
    }
    SECTION("a MAC that is not one")
    {
        const auto e = error_of(pf_with_vf("mac = \"02:11:22\"\n"));
        CHECK(contains(e, "test.toml:7"));
        CHECK(contains(e, "'mac'"));
    }
    SECTION("a multicast MAC")
    {
        CHECK(contains(error_of(pf_with_vf("mac = \"01:00:5e:00:00:01\"\n")), "unicast"));
    }
    SECTION("a VLAN out of range")
    {
        const auto e = error_of(pf_with_vf("vlan = 4096\n"));
        CHECK(contains(e, "test.toml:7"));
        CHECK(contains(e, "1..4095"));
    }
    SECTION("QoS without a port VLAN")
    {
        CHECK(contains(error_of(pf_with_vf("qos = 3\n")), "needs a port VLAN"));
    }
    SECTION("a link state that is not one of the three")
    {
        CHECK(contains(error_of(pf_with_vf("link_state = \"up\"\n")), "auto, enable or disable"));
    }
    SECTION("a driver sriovd does not hand VFs to, on a PF it owns")
    {
        CHECK(contains(error_of("[[pf]]\npci = \"0000:00:02.0\"\nowner = \"sriovd\"\nnum_vfs = 1\n[[pf.vf]]\nindex = 0\n"
                                "driver = \"e1000e\"\n"),
                       "igbvf or vfio-pci"));
    }
    SECTION("a driver name that is not one")
    {
        CHECK(contains(error_of(pf_with_vf("driver = \"../igbvf\"\n")), "not a driver name"));
    }
    SECTION("a wrong type")
    {
        const auto e = error_of(pf_with_vf("trust = \"yes\"\n"));
        CHECK(contains(e, "'trust'"));
        CHECK(contains(e, "true or false"));
    }
    SECTION("a VF that does not exist")
    {
        const auto e = error_of("[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 2\n[[pf.vf]]\nindex = 2\n");
        CHECK(contains(e, "test.toml:5"));
        CHECK(contains(e, "outside 0..1"));
    }
    SECTION("the same VF twice")
    {
        CHECK(contains(error_of(pf_with_vf("[[pf.vf]]\nindex = 0\n")), "configured twice"));
    }
    SECTION("more VFs than an 82576 serves, on a PF sriovd owns")
    {
        CHECK(contains(error_of("[[pf]]\npci = \"0000:00:02.0\"\nowner = \"sriovd\"\nnum_vfs = 8\n"), "0..7"));
    }
    SECTION("more VFs than any PF has")
    {
        CHECK(contains(error_of("[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 257\n"), "0..256"));
    }
    SECTION("an owner that is not one of the two")
    {
        CHECK(contains(error_of("[[pf]]\npci = \"0000:00:02.0\"\nowner = \"igb\"\nnum_vfs = 1\n"),
                       "is not \"sriovd\""));
    }
    SECTION("an interface name that is not one")
    {
        CHECK(contains(error_of("[[pf]]\ninterface = \"eth/0\"\nnum_vfs = 1\n"), "not a network interface name"));
    }
    SECTION("an interface for a PF sriovd owns")
    {
        CHECK(contains(error_of("[[pf]]\ninterface = \"eth0\"\nowner = \"sriovd\"\nnum_vfs = 1\n"),
                       "has no network interface"));
    }
    SECTION("a setting only sriovd can enforce, on a kernel-owned PF")
    {
        const auto e = error_of("[[pf]]\ninterface = \"eth0\"\nowner = \"kernel\"\nnum_vfs = 2\n[[pf.vf]]\nindex = 1\n"
                                "max_frame = 9000\n");
        CHECK(contains(e, "VF 1"));
        CHECK(contains(e, "max_frame: only a PF sriovd owns from user space can enforce it"));
    }
    SECTION("a kernel-only setting on a PF sriovd owns")
    {
        const auto e = error_of("[[pf]]\npci = \"0000:00:02.0\"\nowner = \"sriovd\"\nnum_vfs = 1\n[[pf.vf]]\nindex = 0\n"
                                "min_tx_rate = 10\n");
        CHECK(contains(e, "min_tx_rate: only a PF its kernel driver keeps has it"));
    }
    SECTION("on_drift that is not restore or report")
    {
        CHECK(contains(error_of("[[pf]]\ninterface = \"eth0\"\non_drift = \"ignore\"\nnum_vfs = 1\n"),
                       "not restore or report"));
    }
    SECTION("a VLAN protocol without a VLAN")
    {
        CHECK(contains(error_of(pf_with_vf("vlan_protocol = \"802.1ad\"\n")), "needs a port VLAN"));
    }
    SECTION("no PF")
    {
        CHECK(contains(error_of("[daemon]\ntimeout_s = 3\n"), "no [[pf]]"));
    }
    SECTION("a PF named twice over")
    {
        CHECK(contains(error_of("[[pf]]\npci = \"0000:00:02.0\"\ndevice = \"8086:10c9\"\nnum_vfs = 1\n"),
                       "one of pci, device and interface"));
    }
    SECTION("a PCI address that is not one")
    {
        CHECK(contains(error_of("[[pf]]\npci = \"00:02\"\nnum_vfs = 1\n"), "not a PCI address"));
    }
    SECTION("a relative state directory")
    {
        const std::string text =
            "[daemon]\nstate_dir = \"state\"\n[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 1\n";
        CHECK(contains(error_of(text), "absolute path"));
    }
}

TEST_CASE("command-line options override the file, VF by VF")
{
    const std::string path = "/tmp/sriovd_config_test.toml";
    {
        FILE* f = std::fopen(path.c_str(), "w");
        REQUIRE(f);
        std::fputs(full, f);
        std::fclose(f);
    }
    sriovd::Options o;
    o.config = path;
    o.vf_macs = {"1=02:11:22:33:44:77"};
    o.vf_drivers = {"0=vfio-pci"};
    o.state_dir = "/tmp/elsewhere";
    const auto c = sriovd::daemon_config(o);
    CHECK(c.pf == "0000:00:02.0");
    CHECK(c.num_vfs == 3);
    CHECK(c.vfs[0].mac == MacAddress::parse("02:11:22:33:44:55"));  // from the file
    CHECK(c.vfs[1].mac == MacAddress::parse("02:11:22:33:44:77"));  // from the option
    CHECK(c.drivers[0] == "vfio-pci");
    CHECK(c.state_dir == "/tmp/elsewhere");
    CHECK(c.remove_vfs_on_exit);
    std::remove(path.c_str());
}

TEST_CASE("the example configuration shipped with sriovd is valid")
{
    const auto c = sriovd::load_config_file(SRIOVD_EXAMPLE_CONFIG);
    CHECK(c.num_vfs == 2);
    CHECK(c.drivers == std::vector<std::string>{"igbvf", "igbvf"});
    CHECK(c.vfs[1].port_vlan == 100);
}

TEST_CASE("the operators' group and the policing limits")
{
    const auto c = parse_config(R"([daemon]
group = "sriov"

[policing]
requests_per_s = 5
burst = 10
max_malformed = 0
max_refused = 7
max_dropped = 8
window_s = 30

[[pf]]
pci = "0000:00:02.0"
num_vfs = 1
)",
                                "test.toml");
    CHECK(c.group == "sriov");
    CHECK(c.policing.requests_per_s == 5);
    CHECK(c.policing.burst == 10);
    CHECK(c.policing.max_malformed == 0);
    CHECK(c.policing.max_refused == 7);
    CHECK(c.policing.max_dropped == 8);
    CHECK(c.policing.window == std::chrono::seconds(30));

    const auto defaults = parse_config("[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 1\n", "test.toml");
    CHECK(defaults.group.empty());
    CHECK(defaults.policing == pf::PolicingLimits{});

    CHECK(contains(error_of("[policing]\nburst = 0\n[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 1\n"),
                   "test.toml:2: [policing] key 'burst': 0 is outside 1..100000"));
    CHECK(contains(error_of("[policing]\nrate = 5\n[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 1\n"),
                   "requests_per_s, burst"));
    CHECK(contains(error_of("[daemon]\ngroup = \"\"\n[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 1\n"),
                   "must name a group"));
}

TEST_CASE("several PFs: each [[pf]] with its own VFs and the daemon-wide settings; a PF given twice is refused")
{
    const auto c = parse_config(R"([daemon]
state_dir = "/tmp/several"

[policing]
burst = 5

[[pf]]
pci = "0000:00:02.0"
num_vfs = 2

[[pf.vf]]
index = 1
trust = true

[[pf]]
pci = "0000:00:04.0"
num_vfs = 3

[[pf.vf]]
index = 2
mac = "02:11:22:33:44:99"
)",
                                "test.toml");
    const auto pfs = sriovd::all_pfs(c);
    REQUIRE(pfs.size() == 2);
    CHECK(pfs[0].pf == "0000:00:02.0");
    CHECK(pfs[0].num_vfs == 2);
    CHECK(pfs[0].vfs[1].trusted);
    CHECK(pfs[0].other_pfs.empty());
    CHECK(pfs[1].pf == "0000:00:04.0");
    CHECK(pfs[1].num_vfs == 3);
    CHECK(pfs[1].vfs[2].mac == MacAddress::parse("02:11:22:33:44:99"));
    CHECK_FALSE(pfs[1].vfs[1].trusted);  // VF settings stay with their PF
    CHECK(pfs[1].state_dir == "/tmp/several");
    CHECK(pfs[1].policing.burst == 5);

    CHECK(contains(error_of("[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 1\n[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 2\n"),
                   "test.toml:4: the top level key 'pf': PF 0000:00:02.0 is given twice"));
}

TEST_CASE("a generated MAC, frame size and multicast limits from the configuration, and their mistakes")
{
    const auto c = parse_config(pf_with_vf("mac = \"auto\"\nmax_frame = 1522\nmax_multicast = 4\n"), "test.toml");
    CHECK(c.vfs[0].generated_mac);
    CHECK_FALSE(c.vfs[0].mac.has_value());
    CHECK(c.vfs[0].max_frame == 1522);
    CHECK(c.vfs[0].max_multicast == 4);
    CHECK(c.vfs[1].max_multicast == 30);  // the default: all the mailbox can carry
    CHECK(contains(error_of(pf_with_vf("max_frame = 20\n")), "must be 0 (the chip's limit) or 64..16383 bytes"));
    CHECK(contains(error_of(pf_with_vf("max_multicast = 31\n")), "31 is outside 0..30"));
    CHECK(contains(error_of(pf_with_vf("mac = \"automatic\"\n")), "or \"auto\""));
}

TEST_CASE("a VLAN limit from the configuration, 8 by default, and one beyond the chip's 32 entries")
{
    const auto c = parse_config(pf_with_vf("max_vlans = 2\n"), "test.toml");
    CHECK(c.vfs[0].max_vlans == 2);
    CHECK(c.vfs[1].max_vlans == 8);  // the default: room for every VF in the 32 entries
    CHECK(parse_config(pf_with_vf("max_vlans = 0\n"), "test.toml").vfs[0].max_vlans == 0);
    CHECK(contains(error_of(pf_with_vf("max_vlans = 33\n")), "33 is outside 0..32"));
    CHECK(sriovd::load_config_file(SRIOVD_EXAMPLE_CONFIG).vfs[0].max_vlans == 8);
}

TEST_CASE("a kernel-owned PF by interface: only what its [[pf.vf]] tables say is declared, and kept in the state")
{
    const auto config = parse_config(R"([[pf]]
interface = "enp1s0f0"
owner = "kernel"
on_drift = "report"
num_vfs = 3

[[pf.vf]]
index = 0
mac = "02:11:22:33:44:55"
vlan = 10
vlan_protocol = "802.1ad"
min_tx_rate = 50
query_rss = true
driver = "iavf"

[[pf.vf]]
index = 2
managed = false
)",
                                     "test.toml");
    CHECK(config.pf.empty());
    CHECK(config.interface == "enp1s0f0");
    CHECK(config.owner == "kernel");
    CHECK(config.on_drift == "report");
    REQUIRE(config.declared.size() == 3);
    CHECK(config.declared[0].listed);
    CHECK(config.declared[0].keys ==
          std::set<std::string>{"mac", "vlan", "qos", "vlan_protocol", "min_tx_rate", "query_rss", "driver"});
    CHECK_FALSE(config.declared[1].listed);
    CHECK(config.declared[2].listed);
    CHECK_FALSE(config.declared[2].managed);
    CHECK(config.vfs[0].port_vlan_802_1ad);
    CHECK(config.vfs[0].min_tx_rate_mbps == 50);
    CHECK(config.vfs[0].query_rss);
    CHECK(config.drivers[0] == "iavf");

    // Nothing beyond the declared keys goes into the state: no defaults pushed into the kernel.
    const sriovd::PfState state = sriovd::state_of(config);
    REQUIRE(state.vfs.size() == 3);
    std::set<std::string> keys;
    for (const auto& [key, value] : state.vfs[0])
        keys.insert(key);
    CHECK(keys == config.declared[0].keys);
    CHECK(state.vfs[0].at("vlan_protocol").value == "802.1ad");
    CHECK(state.vfs[1].empty());
    CHECK(state.vfs[2].empty());
}

TEST_CASE("[policing] with only kernel-owned PFs is refused: it would police nothing")
{
    const std::string kernel_pf = "[[pf]]\ninterface = \"eth0\"\nowner = \"kernel\"\nnum_vfs = 1\n";
    try {
        parse_config("[policing]\nrequests_per_s = 10\n" + kernel_pf, "test.toml");
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("every PF here is kept by its kernel driver") != std::string::npos);
    }
    // Without it, or with a PF sriovd owns beside, it is fine.
    CHECK_NOTHROW(parse_config(kernel_pf, "test.toml"));
    CHECK_NOTHROW(parse_config("[policing]\nrequests_per_s = 10\n" + kernel_pf +
                                   "[[pf]]\npci = \"0000:00:04.0\"\nowner = \"sriovd\"\nnum_vfs = 1\n",
                               "test.toml"));
    // An owner left to the PF's driver is checked once sriovd knows it.
    CHECK_NOTHROW(parse_config("[policing]\nrequests_per_s = 10\n[[pf]]\ninterface = \"eth0\"\nnum_vfs = 1\n",
                               "test.toml"));
    const auto config = parse_config("[policing]\nrequests_per_s = 10\n[[pf]]\ninterface = \"eth0\"\nnum_vfs = 1\n",
                                     "test.toml");
    CHECK_THROWS_AS(sriov::sriovd::check_policing(config, {"kernel"}), Error);
    CHECK_NOTHROW(sriov::sriovd::check_policing(config, {"sriovd"}));
}

TEST_CASE("[metrics] listen: off by default, a loopback address, and --metrics over it")
{
    const std::string pf = "[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 1\n";
    CHECK(parse_config(pf, "test.toml").metrics_listen.empty());
    const auto c = parse_config("[metrics]\nlisten = \"127.0.0.1:9469\"\n" + pf, "test.toml");
    CHECK(c.metrics_listen == "127.0.0.1:9469");
    CHECK(contains(error_of("[metrics]\nlisten = \"0.0.0.0:9469\"\n" + pf),
                   "test.toml:2: [metrics] key 'listen': not a loopback address"));
    CHECK(contains(error_of("[metrics]\nport = 9469\n" + pf), "test.toml:2: [metrics] key 'port': unknown key"));
    CHECK(contains(error_of("metrics = 1\n" + pf), "must be a table: write [metrics]"));

    sriovd::Options o;
    o.pf = "0000:00:02.0";
    o.metrics = "[::1]:9470";
    CHECK(sriovd::daemon_config(o).metrics_listen == "[::1]:9470");
    o.metrics = "10.0.0.1:9470";
    CHECK_THROWS_AS(sriovd::daemon_config(o), Error);
}
