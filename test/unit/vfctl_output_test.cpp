// vfctl's tables, from answers that follow the control protocol's schema.
#include "output.hpp"
#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using namespace sriov::vfctl;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::Equals;

namespace {

const char* show_result = R"({"pfs":[{"pf":"0000:00:02.0","num_vfs":2,"link":"up","vfs":[
  {"vf":0,"pci":"0000:00:12.0","driver":"igbvf","mac":"02:11:22:33:44:55","vlan":100,"qos":3,
   "max_tx_rate":0,"spoofchk":true,"trust":false,"state":"auto","quarantined":false,
   "origin":{"mac":"config","vlan":"runtime"}},
  {"vf":1,"pci":"0000:00:12.2","driver":"vfio-pci","mac":"02:11:22:33:44:66","vlan":0,"qos":0,
   "max_tx_rate":100,"spoofchk":false,"trust":true,"state":"disable","quarantined":true}]}]})";

}  // namespace

TEST_CASE("vfctl: the table of VFs reads at a glance")
{
    CHECK_THAT(show_table(show_result),
               Equals("PF            VF  PCI           DRIVER    MAC                VLAN/QOS  RATE      SPOOFCHK  TRUST  "
                      "STATE    QUARANTINED\n"
                      "0000:00:02.0  0   0000:00:12.0  igbvf     02:11:22:33:44:55  100/3     -         on        off    "
                      "auto     no\n"
                      "0000:00:02.0  1   0000:00:12.2  vfio-pci  02:11:22:33:44:66  -         100 Mb/s  off       on     "
                      "disable  yes\n"));
}

TEST_CASE("vfctl: the detail of a VF says where each setting comes from")
{
    const auto text = show_detail(show_result);
    CHECK_THAT(text, ContainsSubstring("PF 0000:00:02.0: 2 VFs, link up"));
    CHECK_THAT(text, ContainsSubstring("    mac          02:11:22:33:44:55  (config)"));
    CHECK_THAT(text, ContainsSubstring("    vlan/qos     100/3              (runtime)"));
    CHECK_THAT(text, ContainsSubstring("    trust        off                (default)"));
    CHECK_THAT(text, ContainsSubstring("VF 1 at 0000:00:12.2, driver vfio-pci, QUARANTINED"));
}

TEST_CASE("vfctl: counters carry units")
{
    const auto text = stats_table(R"({"vfs":[{"pf":"0000:00:02.0","vf":0,"rx_packets":1234567,"rx_bytes":98765432,
        "tx_packets":12,"tx_bytes":1500,"mailbox_requests":40,"refused":1,"malformed":0}]})");
    CHECK_THAT(text, ContainsSubstring("1234.6k"));
    CHECK_THAT(text, ContainsSubstring("98.8 MB"));
    CHECK_THAT(text, ContainsSubstring("1500 B"));
}

TEST_CASE("vfctl: an answer that is not the schema is an error, not a crash")
{
    CHECK_THROWS_AS(show_table("not json"), sriov::Error);
    CHECK_THROWS_AS(show_table("[]"), sriov::Error);
}
