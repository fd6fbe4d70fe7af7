// sriovd's command line turned into a PF configuration and VF drivers.
#include "sriovd/options.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace sriov;
using sriov::sriovd::Options;

namespace {

Options two_vfs()
{
    Options o;
    o.pf = "0000:00:02.0";
    o.vfs = 2;
    return o;
}

std::string error_of(const Options& o)
{
    try {
        sriovd::make_config(o);
        sriovd::vf_drivers(o);
    } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid_argument);
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("N=MAC, N=DRIVER and --vf-trust become per-VF settings")
{
    Options o = two_vfs();
    o.vf_macs = {"0=02:11:22:33:44:55"};
    o.vf_drivers = {"0=igbvf"};
    o.trusted = {1};
    const pf::PfConfig config = sriovd::make_config(o);
    CHECK(config.pf.to_string() == "0000:00:02.0");
    CHECK(config.num_vfs == 2);
    REQUIRE(config.vfs.size() == 2);
    CHECK(config.vfs[0].mac == MacAddress::parse("02:11:22:33:44:55"));
    CHECK_FALSE(config.vfs[0].trusted);
    CHECK_FALSE(config.vfs[1].mac.has_value());
    CHECK(config.vfs[1].trusted);
    CHECK(sriovd::vf_drivers(o) == std::vector<std::string>{"igbvf", ""});
}

TEST_CASE("more than 7 VFs is refused, saying why")
{
    Options o = two_vfs();
    o.vfs = 8;
    const std::string e = error_of(o);
    CHECK(e.find("at most 7 VFs") != std::string::npos);
    CHECK(e.find("pool 7") != std::string::npos);
}

TEST_CASE("malformed per-VF options are refused, naming the option")
{
    Options o = two_vfs();
    SECTION("no VF number")
    {
        o.vf_drivers = {"igbvf"};
        CHECK(error_of(o).find("--vf-driver igbvf") != std::string::npos);
    }
    SECTION("a VF that does not exist")
    {
        o.vf_macs = {"2=02:11:22:33:44:55"};
        CHECK(error_of(o).find("there is no VF 2") != std::string::npos);
    }
    SECTION("a driver sriovd does not hand VFs to")
    {
        o.vf_drivers = {"0=e1000e"};
        CHECK(error_of(o).find("vfio-pci or igbvf") != std::string::npos);
    }
    SECTION("twice the same VF")
    {
        o.vf_macs = {"0=02:11:22:33:44:55", "0=02:11:22:33:44:66"};
        CHECK(error_of(o).find("twice") != std::string::npos);
    }
    SECTION("a multicast MAC")
    {
        o.vf_macs = {"0=01:00:5e:00:00:01"};
        CHECK(error_of(o).find("unicast") != std::string::npos);
    }
    SECTION("not a number")
    {
        o.vf_macs = {"x=02:11:22:33:44:55"};
        CHECK(error_of(o).find("'x' is not a VF number") != std::string::npos);
    }
}

TEST_CASE("with several PFs in the file, per-PF options are refused and daemon-wide ones apply to all")
{
    const auto path = std::filesystem::temp_directory_path() / ("sriovd_options_test." + std::to_string(::getpid()));
    {
        std::ofstream out(path);
        out << "[[pf]]\npci = \"0000:00:02.0\"\nnum_vfs = 1\n[[pf]]\npci = \"0000:00:04.0\"\nnum_vfs = 2\n";
    }
    Options o;
    o.config = path.string();
    o.state_dir = "/tmp/elsewhere";
    const auto c = sriovd::daemon_config(o);
    REQUIRE(c.other_pfs.size() == 1);
    CHECK(c.state_dir == "/tmp/elsewhere");
    CHECK(c.other_pfs[0].state_dir == "/tmp/elsewhere");

    o.vfs = 3;
    const std::string e = error_of(o);
    CHECK(e.find("the configuration has 2 PFs") != std::string::npos);
    CHECK(e.find("--vfs") != std::string::npos);
    std::filesystem::remove(path);
}

TEST_CASE("the --pf option takes a network interface too: a name has no ':', an address and vendor:device do")
{
    Options o = two_vfs();
    o.pf = "enp3s0f0";
    const auto by_name = sriovd::daemon_config(o);
    CHECK(by_name.interface == "enp3s0f0");
    CHECK(by_name.pf.empty());
    o.pf = "8086:10c9";
    const auto by_id = sriovd::daemon_config(o);
    CHECK(by_id.pf == "8086:10c9");
    CHECK(by_id.interface.empty());
}
