// A reload of sriovd's configuration (SIGHUP) as data: the configuration it runs with, the file as
// it is now and the state file's run-time changes in, the VF updates, the count change and the
// lines for the log out (config_reload.hpp). The precedence is the state file's: a run-time value
// wins over the file, every other value becomes the file's.
#include "sriovd/config_reload.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <catch2/matchers/catch_matchers_vector.hpp>

#include <string>

using namespace sriov;
using namespace sriov::sriovd;
using Catch::Matchers::ContainsSubstring;

namespace {

constexpr const char* base = R"([daemon]
group = "sriov"

[[pf]]
pci = "0000:00:02.0"
num_vfs = 2

[[pf.vf]]
index = 0
mac = "02:11:22:33:44:55"
driver = "igbvf"

[[pf.vf]]
index = 1
mac = "02:11:22:33:44:66"
trust = true
driver = "igbvf"
)";

DaemonConfig parsed(const std::string& text) { return parse_config(text, "sriovd.toml"); }

// One running PF, as PfInstance keeps it: owner resolved, state from the file (and vfctl).
struct Running {
    DaemonConfig config;      // as the file was read at start
    DaemonConfig configured;  // its PF, owner resolved
    PfState state;

    explicit Running(const std::string& text, const std::string& owner = owner_sriovd)
        : config(parsed(text)), configured(all_pfs(config).front())
    {
        configured.owner = owner;
        if (configured.pf.empty())  // named by its interface: the address sriovd found for it
            configured.pf = "0000:03:00.0";
        state = state_of(configured);
    }

    ReloadPlan reload(const std::string& text) const
    {
        return plan_reload(config, {RunningPf{configured, state}}, parsed(text));
    }
};

std::string with(std::string text, const std::string& from, const std::string& to)
{
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

// The text plan_reload() refuses it with, "subject: cause".
std::string refusal(const Running& r, const std::string& text)
{
    try {
        r.reload(text);
    } catch (const Error& e) {
        return e.what();
    }
    return "not refused";
}

}  // namespace

TEST_CASE("a reload of the same file changes nothing")
{
    const Running r(base);
    const ReloadPlan plan = r.reload(base);
    CHECK(plan.restart.empty());
    REQUIRE(plan.pfs.size() == 1);
    CHECK(plan.pfs[0].updates.empty());
    CHECK(plan.pfs[0].changes.empty());
    CHECK(plan.pfs[0].kept.empty());
    CHECK_FALSE(plan.pfs[0].num_vfs);
    CHECK(plan.pfs[0].state == r.state);
}

TEST_CASE("a MAC and a VLAN changed in the file are applied to their VF, with origin config")
{
    const Running r(base);
    const std::string next = with(base, "mac = \"02:11:22:33:44:55\"", "mac = \"02:11:22:33:44:77\"\nvlan = 100");
    const ReloadPlan plan = r.reload(next);
    CHECK(plan.restart.empty());
    const PfReload& p = plan.pfs.at(0);
    REQUIRE(p.updates.size() == 1);
    CHECK(p.updates[0].vf == 0);
    CHECK(p.updates[0].admin.mac == MacAddress::parse("02:11:22:33:44:77"));
    CHECK(p.updates[0].admin.port_vlan == 100);
    CHECK_THAT(p.updates[0].keys, Catch::Matchers::UnorderedEquals(std::vector<std::string>{"mac", "vlan"}));
    REQUIRE(p.changes.size() == 1);
    CHECK_THAT(p.changes[0], ContainsSubstring("VF 0: ") &&
                                 ContainsSubstring("mac 02:11:22:33:44:55 -> 02:11:22:33:44:77") &&
                                 ContainsSubstring("vlan none -> 100"));
    CHECK(p.state.vfs[0].at("mac").value == "02:11:22:33:44:77");
    CHECK(p.state.vfs[0].at("vlan").origin == Origin::config);
    CHECK(p.effective.vfs[0].port_vlan == 100);
    CHECK(p.configured.vfs[0].port_vlan == 100);
}

TEST_CASE("a value changed at run time keeps winning over the file; the file's other changes apply")
{
    Running r(base);
    // vfctl set PF vf 0 vlan 200: the keys set_vf records.
    record_runtime(r.state, 0, "vlan", 200u);
    record_runtime(r.state, 0, "qos", 0u);
    record_runtime(r.state, 0, "vlan_protocol", "802.1Q");
    const std::string next = with(base, "mac = \"02:11:22:33:44:55\"", "mac = \"02:11:22:33:44:77\"\nvlan = 100");
    const PfReload p = r.reload(next).pfs.at(0);
    REQUIRE(p.updates.size() == 1);
    CHECK(p.updates[0].keys == std::vector<std::string>{"mac"});
    CHECK(p.updates[0].admin.port_vlan == 200);
    CHECK(p.state.vfs[0].at("vlan") == StateValue{200u, Origin::runtime});
    CHECK(p.effective.vfs[0].port_vlan == 200);
    REQUIRE(p.kept.size() == 1);
    CHECK_THAT(p.kept[0], ContainsSubstring("VF 0: vlan stays 200") && ContainsSubstring("changed at run time") &&
                              ContainsSubstring("file's 100"));
}

TEST_CASE("a key removed from the file goes back to its default where the file was its origin")
{
    Running r(base);
    SECTION("from the file: back to the default")
    {
        const PfReload p = r.reload(with(base, "trust = true\n", "")).pfs.at(0);
        REQUIRE(p.updates.size() == 1);
        CHECK(p.updates[0].vf == 1);
        CHECK(p.updates[0].keys == std::vector<std::string>{"trust"});
        CHECK_FALSE(p.updates[0].admin.trusted);
        CHECK_THAT(p.changes.at(0), ContainsSubstring("VF 1: trust true -> false"));
    }
    SECTION("changed at run time: kept")
    {
        record_runtime(r.state, 1, "trust", true);
        const PfReload p = r.reload(with(base, "trust = true\n", "")).pfs.at(0);
        CHECK(p.updates.empty());
        CHECK(p.effective.vfs[1].trusted);
        CHECK_THAT(p.kept.at(0), ContainsSubstring("VF 1: trust stays true"));
    }
}

TEST_CASE("on a kernel-owned PF, an undeclared key is written once with its default, a VF left unmanaged is left alone")
{
    constexpr const char* kernel = R"([[pf]]
interface = "eth0"
owner = "kernel"
num_vfs = 2

[[pf.vf]]
index = 0
vlan = 10
trust = true

[[pf.vf]]
index = 1
mac = "02:11:22:33:44:66"
)";
    const Running r(kernel, owner_kernel);
    REQUIRE(r.state.vfs[0].count("vlan"));
    REQUIRE_FALSE(r.state.vfs[0].count("spoof_check"));

    SECTION("a key no longer declared")
    {
        const PfReload p = r.reload(with(kernel, "vlan = 10\n", "")).pfs.at(0);
        REQUIRE(p.updates.size() == 1);
        CHECK(p.updates[0].vf == 0);
        // A port VLAN is declared with its priority.
        CHECK_THAT(p.updates[0].keys, Catch::Matchers::UnorderedEquals(std::vector<std::string>{"vlan", "qos"}));
        CHECK_FALSE(p.updates[0].admin.port_vlan);
        CHECK_FALSE(p.state.vfs[0].count("vlan"));
        CHECK_THAT(p.changes.at(0), ContainsSubstring("vlan back to its default none"));
        CHECK(p.effective.pf == "0000:03:00.0");
    }
    SECTION("a key newly declared, even at its default value, is written")
    {
        const PfReload p = r.reload(with(kernel, "trust = true\n", "trust = true\nspoof_check = true\n")).pfs.at(0);
        REQUIRE(p.updates.size() == 1);
        CHECK(p.updates[0].keys == std::vector<std::string>{"spoof_check"});
        CHECK_THAT(p.changes.at(0), ContainsSubstring("spoof_check true (now managed)"));
    }
    SECTION("a VF whose table is gone is not written")
    {
        const PfReload p = r.reload(with(kernel, "[[pf.vf]]\nindex = 1\nmac = \"02:11:22:33:44:66\"\n", "")).pfs.at(0);
        CHECK(p.updates.empty());
        CHECK_THAT(p.changes.at(0), ContainsSubstring("VF 1: no longer managed, left as it is"));
        CHECK(p.state.vfs[1].empty());
    }
}

TEST_CASE("what sriovd cannot change while it runs is reported, one line per key, and stays")
{
    const Running r(base);
    SECTION("daemon-wide keys")
    {
        const std::string daemon = with(base, "group = \"sriov\"", "group = \"wheel\"\nstate_dir = \"/tmp/x\"");
        const std::string next =
            with(daemon, "[[pf]]", "[metrics]\nlisten = \"127.0.0.1:9469\"\n\n[policing]\nburst = 5\n\n[[pf]]");
        const ReloadPlan plan = r.reload(next);
        REQUIRE(plan.restart.size() == 4);
        const auto has = [&](const std::string& part) {
            for (const auto& line : plan.restart)
                if (line.find(part) != std::string::npos)
                    return line.find("restart sriovd") != std::string::npos;
            return false;
        };
        CHECK(has("[daemon] state_dir changed from /var/lib/sriovd to /tmp/x"));
        CHECK(has("[daemon] group changed from sriov to wheel"));
        CHECK(has("[metrics] listen changed from none to 127.0.0.1:9469"));
        CHECK(has("[policing] changed from none to requests_per_s"));
        const PfReload& p = plan.pfs.at(0);
        CHECK(p.updates.empty());
        CHECK(p.effective.group == "sriov");
        CHECK(p.effective.state_dir == "/var/lib/sriovd");
        CHECK(p.effective.metrics_listen.empty());
        CHECK_FALSE(p.effective.policing_given);
    }
    SECTION("a VF's driver, while its other changes apply")
    {
        const std::string next = with(base, "driver = \"igbvf\"\n", "driver = \"vfio-pci\"\nvlan = 7\n");
        const ReloadPlan plan = r.reload(next);
        REQUIRE(plan.restart.size() == 1);
        CHECK_THAT(plan.restart[0], ContainsSubstring("PF 0000:00:02.0 VF 0 driver changed from igbvf to vfio-pci") &&
                                        ContainsSubstring("igbvf stays in force"));
        const PfReload& p = plan.pfs.at(0);
        REQUIRE(p.updates.size() == 1);
        CHECK(p.updates[0].keys == std::vector<std::string>{"vlan"});
        CHECK(p.effective.drivers[0] == "igbvf");
        CHECK(p.configured.drivers[0] == "igbvf");
        CHECK(p.state.vfs[0].at("driver").value == "igbvf");

        // Reloaded again: still reported (not yet in force); and not once the file has it back.
        const ReloadPlan again = plan_reload(r.config, {RunningPf{p.configured, p.state}}, parsed(next));
        REQUIRE(again.restart.size() == 1);
        CHECK(again.restart[0] == plan.restart[0]);
        CHECK(again.pfs.at(0).updates.empty());
        const ReloadPlan back = plan_reload(r.config, {RunningPf{p.configured, p.state}}, parsed(base));
        CHECK(back.restart.empty());
        REQUIRE(back.pfs.at(0).updates.size() == 1);
        CHECK(back.pfs.at(0).updates[0].keys == std::vector<std::string>{"vlan"});
    }
    SECTION("the PF list and a PF's owner")
    {
        const std::string other = "\n[[pf]]\npci = \"0000:00:03.0\"\nnum_vfs = 1\n";
        const ReloadPlan added = r.reload(std::string(base) + other);
        REQUIRE(added.restart.size() == 1);
        CHECK_THAT(added.restart[0], ContainsSubstring("[[pf]] 0000:00:03.0 is new in the file") &&
                                         ContainsSubstring("restart sriovd"));
        CHECK(added.pfs.size() == 1);

        const ReloadPlan gone = r.reload(with(base, "pci = \"0000:00:02.0\"", "pci = \"0000:00:03.0\""));
        REQUIRE(gone.restart.size() == 2);
        CHECK_THAT(gone.restart[1], ContainsSubstring("[[pf]] 0000:00:02.0 is no longer in the file"));
        CHECK(gone.pfs.empty());

        const ReloadPlan owner = r.reload(with(base, "num_vfs = 2", "num_vfs = 2\nowner = \"kernel\""));
        REQUIRE(owner.restart.size() == 1);
        CHECK_THAT(owner.restart[0], ContainsSubstring("PF 0000:00:02.0 owner changed from sriovd to kernel"));
        CHECK(owner.pfs.empty());
    }
}

TEST_CASE("the VF count follows the file unless it was changed at run time")
{
    Running r(base);
    SECTION("from the file: changed, VFs that stay get the file's settings")
    {
        const PfReload p = r.reload(with(with(base, "num_vfs = 2", "num_vfs = 3"), "trust = true\n", "")).pfs.at(0);
        CHECK(p.num_vfs == 3u);
        CHECK(p.changes.at(0) == "num_vfs 2 -> 3");
        CHECK(p.effective.num_vfs == 2);  // until the change is made
        REQUIRE(p.updates.size() == 1);
        CHECK(p.updates[0].vf == 1);
    }
    SECTION("fewer VFs: those going keep what they have until they go")
    {
        const std::string one = with(base, "num_vfs = 2", "num_vfs = 1");
        const PfReload p = r.reload(one.substr(0, one.find("[[pf.vf]]\nindex = 1"))).pfs.at(0);
        CHECK(p.num_vfs == 1u);
        CHECK(p.updates.empty());
        CHECK(p.effective.vfs[1].trusted);
        CHECK(p.state.vfs.size() == 2);
    }
    SECTION("changed at run time: kept")
    {
        DaemonConfig effective = r.configured;
        record_runtime_num_vfs(r.state, effective, 4, r.configured);
        const PfReload p = r.reload(with(base, "num_vfs = 2", "num_vfs = 3")).pfs.at(0);
        CHECK_FALSE(p.num_vfs);
        CHECK_THAT(p.kept.at(0), ContainsSubstring("num_vfs stays 4"));
        CHECK(p.effective.num_vfs == 4);
        CHECK(p.state.num_vfs_origin == Origin::runtime);
    }
}

TEST_CASE("a file whose values sriovd would refuse refuses the whole reload, naming why")
{
    Running r(base);
    SECTION("a key the PF's owner cannot take (owner decided at start)")
    {
        CHECK_THAT(refusal(r, with(base, "trust = true\n", "trust = true\nquery_rss = true\n")),
                   ContainsSubstring("PF 0000:00:02.0, VF 1") && ContainsSubstring("query_rss"));
    }
    SECTION("the file with the run-time values laid over it")
    {
        // vfctl set vf 0 qos 3 under the file's port VLAN; the file then drops the VLAN.
        const std::string vlan = with(base, "driver = \"igbvf\"\n", "driver = \"igbvf\"\nvlan = 100\n");
        Running v(vlan);
        record_runtime(v.state, 0, "qos", 3u);
        CHECK_THAT(refusal(v, base), ContainsSubstring("VF 0") && ContainsSubstring("QoS needs a port VLAN"));
    }
    SECTION("[policing] where every PF is kernel-owned")
    {
        const std::string kernel = "[[pf]]\ninterface = \"eth0\"\nowner = \"kernel\"\nnum_vfs = 1\n";
        const Running k(kernel, owner_kernel);
        CHECK_THAT(refusal(k, kernel + "\n[policing]\nburst = 5\n"), ContainsSubstring("[policing]"));
    }
}

TEST_CASE("what sriovd reads at run time anyway is changed and said: remove_vfs_on_exit, on_drift, managed")
{
    const Running r(base);
    const ReloadPlan plan = r.reload(with(base, "group = \"sriov\"", "group = \"sriov\"\nremove_vfs_on_exit = true"));
    CHECK(plan.remove_vfs_on_exit);
    CHECK(plan.changes == std::vector<std::string>{"[daemon] remove_vfs_on_exit false -> true"});
    CHECK(plan.restart.empty());
    CHECK(plan.pfs.at(0).effective.remove_vfs_on_exit);

    constexpr const char* kernel = R"([[pf]]
interface = "eth0"
owner = "kernel"
num_vfs = 1

[[pf.vf]]
index = 0
vlan = 10
)";
    const Running k(kernel, owner_kernel);
    const std::string report = with(kernel, "num_vfs = 1", "num_vfs = 1\non_drift = \"report\"");
    const PfReload p = k.reload(with(report, "vlan = 10", "vlan = 10\nmanaged = false")).pfs.at(0);
    CHECK(p.updates.empty());
    CHECK(p.effective.on_drift == "report");
    CHECK_FALSE(p.effective.declared[0].managed);
    CHECK(p.changes == std::vector<std::string>{"on_drift restore -> report", "VF 0: managed true -> false"});

    // Managed again: what it declares is written, though the file did not change it.
    const Running again(with(kernel, "vlan = 10", "vlan = 10\nmanaged = false"), owner_kernel);
    const PfReload back = again.reload(kernel).pfs.at(0);
    REQUIRE(back.updates.size() == 1);
    CHECK_THAT(back.updates[0].keys, Catch::Matchers::UnorderedEquals(std::vector<std::string>{"vlan", "qos"}));
    CHECK(back.updates[0].admin.port_vlan == 10);
}
