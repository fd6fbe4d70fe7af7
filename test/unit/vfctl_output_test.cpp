// vfctl's tables, from answers that follow the control protocol's schema.
#include "output.hpp"
#include "sriov/control/protocol.hpp"
#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

using namespace sriov::vfctl;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::Equals;

namespace {

const char* show_result = R"({"pfs":[{"pf":"0000:00:02.0","num_vfs":2,"link":"up","vfs":[
  {"vf":0,"pci":"0000:00:12.0","driver":"igbvf","mac":"02:11:22:33:44:55","vlan":100,"qos":3,
   "max_tx_rate":0,"spoofchk":true,"trust":false,"state":"auto","quarantined":false,
   "max_vlans":2,"origin":{"mac":"config","vlan":"runtime","max_vlans":"runtime"}},
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
    CHECK_THAT(text, ContainsSubstring("    mac            02:11:22:33:44:55  (config)"));
    CHECK_THAT(text, ContainsSubstring("    vlan/qos       100/3              (runtime)"));
    CHECK_THAT(text, ContainsSubstring("    max_frame      chip limit         (default)"));
    CHECK_THAT(text, ContainsSubstring("    max_multicast  30                 (default)"));
    CHECK_THAT(text, ContainsSubstring("    max_vlans      2                  (runtime)"));
    CHECK_THAT(text, ContainsSubstring("    max_vlans      8                  (default)"));  // VF 1: the default
    CHECK_THAT(text, ContainsSubstring("    trust          off                (default)"));
    CHECK_THAT(text, ContainsSubstring("VF 1 at 0000:00:12.2, driver vfio-pci, QUARANTINED"));
}

TEST_CASE("vfctl: counters carry units")
{
    const auto text = stats_table(R"({"vfs":[{"pf":"0000:00:02.0","vf":0,"rx_packets":1234567,"rx_bytes":98765432,
        "tx_packets":12,"tx_bytes":1500,"mailbox_requests":40,"refused":1,"malformed":0}]})");
    CHECK_THAT(text, ContainsSubstring("1234.6k"));
    CHECK_THAT(text, ContainsSubstring("98.8 MB"));
    CHECK_THAT(text, ContainsSubstring("1500 B"));
    CHECK_THAT(stats_table(R"({"vfs":[{"pf":"0000:00:02.0","vf":0,"rx_packets":12345678901,
        "rx_bytes":123456789012}]})"),
               ContainsSubstring("12.35G      123.5 GB"));
}

TEST_CASE("vfctl: the counters say what was dropped and which VF is quarantined")
{
    // PF, VF and RX PACKETS stay the first three columns: scripts read them with awk.
    CHECK_THAT(stats_table(R"({"vfs":[
        {"pf":"0000:00:02.0","vf":0,"rx_packets":1234567,"rx_bytes":98765432,"tx_packets":12,"tx_bytes":1500,
         "rx_multicast":3,"mailbox_requests":40,"refused":1,"malformed":0,"dropped":0,"quarantines":0,
         "quarantined":false},
        {"pf":"0000:00:02.0","vf":1,"rx_packets":0,"rx_bytes":0,"tx_packets":20000,"tx_bytes":30000000,
         "rx_multicast":0,"mailbox_requests":120,"refused":31,"malformed":11,"dropped":64,"quarantines":2,
         "quarantined":true}]})"),
               Equals("PF            VF  RX PACKETS  RX BYTES  TX PACKETS  TX BYTES  MAILBOX REQUESTS  REFUSED  "
                      "MALFORMED  DROPPED  QUARANTINED\n"
                      "0000:00:02.0  0   1234.6k     98.8 MB   12          1500 B    40                1        "
                      "0          0        no\n"
                      "0000:00:02.0  1   0           0 B       20.0k       30.0 MB   120               31       "
                      "11         64       yes (2 times)\n"));
    const auto released = stats_table(R"({"vfs":[{"pf":"0000:00:02.0","vf":0,"quarantines":1,"quarantined":false},
        {"pf":"0000:00:02.0","vf":1,"quarantines":1,"quarantined":true}]})");
    CHECK_THAT(released, ContainsSubstring("  no (1 time)\n"));
    CHECK_THAT(released, ContainsSubstring("  yes\n"));
}

namespace {

// A kernel-owned PF as sriovd shows it: VF 0 managed, with a MAC found other than desired; VF 1
// not managed, and its driver reported neither its link state nor its rate; VF 2 with a null MAC.
// None has the keys only the user-space PF has (max_frame, quarantined, granted, ...).
const char* kernel_show = R"({"pfs":[{"pf":"0000:03:00.0","interface":"eth0","driver":"igb","owner":"kernel",
  "num_vfs":3,"link":"up","vfs":[
  {"vf":0,"pci":"0000:03:10.0","driver":"igbvf","mac":"02:11:22:33:44:66","vlan":10,"qos":3,
   "vlan_protocol":"802.1ad","max_tx_rate":1000,"min_tx_rate":100,"spoofchk":true,"trust":false,"query_rss":false,
   "state":"auto","managed":true,"origin":{"mac":"config","vlan":"config","min_tx_rate":"runtime"},
   "drift":[{"setting":"mac","desired":"02:11:22:33:44:55","found":"02:11:22:33:44:66"},
            {"setting":"spoofchk","desired":false,"found":true}]},
  {"vf":1,"pci":"0000:03:10.4","driver":"vfio-pci","mac":"02:aa:bb:cc:dd:ee","vlan":0,"spoofchk":true,
   "trust":null,"managed":false},
  {"vf":2,"pci":null,"mac":null,"managed":true}]}]})";

}  // namespace

TEST_CASE("vfctl: a kernel-owned PF's table: who owns it, a dash for what is not there, drift and unmanaged")
{
    CHECK_THAT(show_table(kernel_show),
               Equals("PF 0000:03:00.0: interface eth0, driver igb, owned by the kernel\n"
                      "PF            VF  PCI           DRIVER    MAC                VLAN/QOS      RATE            "
                      "SPOOFCHK  TRUST  STATE  QUARANTINED\n"
                      "0000:03:00.0  0   0000:03:10.0  igbvf     02:11:22:33:44:66  10/3 802.1ad  100..1000 Mb/s  "
                      "on        off    auto   -\n"
                      "  drift: mac 02:11:22:33:44:66 (desired 02:11:22:33:44:55), spoofchk on (desired off)\n"
                      "0000:03:00.0  1   0000:03:10.4  vfio-pci  02:aa:bb:cc:dd:ee  -             -               "
                      "on        -      -      -            unmanaged\n"
                      "0000:03:00.0  2   -             -         -                  -             -               "
                      "-         -      -      -\n"));
    // A PF sriovd drives itself says nothing more than before.
    CHECK_THAT(show_table(show_result), !ContainsSubstring("owned by") && !ContainsSubstring("drift"));
    CHECK_THAT(show_table(R"({"pfs":[{"pf":"0000:00:02.0","owner":"sriovd","vfs":[]}]})"),
               ContainsSubstring("PF 0000:00:02.0: owned by sriovd\n"));
}

TEST_CASE("vfctl: a kernel-owned PF's VF in detail: its own settings, no 82576 limits, drift line by line")
{
    const auto text = show_detail(kernel_show);
    CHECK_THAT(text, ContainsSubstring("PF 0000:03:00.0: 3 VFs, link up, interface eth0, driver igb, owned by the kernel\n"));
    CHECK_THAT(text, ContainsSubstring("  VF 0 at 0000:03:10.0, driver igbvf\n"));
    CHECK_THAT(text, ContainsSubstring("    vlan/qos     10/3 802.1ad       (config)\n"));
    CHECK_THAT(text, ContainsSubstring("    max_tx_rate  1000 Mb/s          (default)\n"));
    CHECK_THAT(text, ContainsSubstring("    min_tx_rate  100 Mb/s           (runtime)\n"));
    CHECK_THAT(text, ContainsSubstring("    query_rss    off                (default)\n"));
    CHECK_THAT(text, ContainsSubstring("    drift: mac 02:11:22:33:44:66 (desired 02:11:22:33:44:55)\n"
                                       "    drift: spoofchk on (desired off)\n"));
    // An unmanaged VF has no origin to show; what was not reported is a dash.
    CHECK_THAT(text, ContainsSubstring("  VF 1 at 0000:03:10.4, driver vfio-pci, unmanaged\n"
                                       "    mac          02:aa:bb:cc:dd:ee\n"));
    CHECK_THAT(text, ContainsSubstring("    trust        -\n"));
    CHECK_THAT(text, ContainsSubstring("  VF 2 at -, driver -\n"
                                       "    mac          -  (default)\n"));
    for (const char* limit : {"max_frame", "max_multicast", "max_vlans", "QUARANTINED"}) {
        INFO(limit);
        CHECK_THAT(text, !ContainsSubstring(limit));
    }
}

TEST_CASE("vfctl: counters a kernel-owned PF's driver does not give are said not to be reported")
{
    CHECK_THAT(stats_table(R"({"vfs":[
        {"pf":"0000:00:02.0","vf":0,"rx_packets":12,"rx_bytes":1500,"tx_packets":3,"tx_bytes":180,
         "mailbox_requests":40,"refused":1,"malformed":0,"dropped":0,"quarantines":0,"quarantined":false},
        {"pf":"0000:03:00.0","vf":0,"traffic":"not_reported","traffic_driver":"igb"},
        {"pf":"0000:03:00.0","vf":1,"traffic":"not_reported"}]})"),
               Equals("PF            VF  RX PACKETS  RX BYTES  TX PACKETS  TX BYTES  MAILBOX REQUESTS  REFUSED  "
                      "MALFORMED  DROPPED  QUARANTINED\n"
                      "0000:00:02.0  0   12          1500 B    3           180 B     40                1        "
                      "0          0        no\n"
                      "0000:03:00.0  0   not reported by igb\n"
                      "0000:03:00.0  1   not reported by the driver\n"));
}

TEST_CASE("vfctl: a kernel-owned PF's counters: what the driver gives, a dash for the mailbox's")
{
    CHECK_THAT(stats_table(R"({"vfs":[
        {"pf":"0000:03:00.0","vf":0,"rx_packets":1234567,"tx_packets":20,"rx_bytes":98765432,"tx_bytes":3000,
         "broadcast":5,"multicast":70,"rx_dropped":2,"tx_dropped":0},
        {"pf":"0000:03:00.0","vf":1,"rx_packets":1,"tx_packets":0,"rx_bytes":60,"tx_bytes":0,"multicast":null}]})"),
               Equals("PF            VF  RX PACKETS  RX BYTES  TX PACKETS  TX BYTES  MAILBOX REQUESTS  REFUSED  "
                      "MALFORMED  DROPPED  QUARANTINED  RX DROPPED  TX DROPPED  MULTICAST  BROADCAST\n"
                      "0000:03:00.0  0   1234.6k     98.8 MB   20          3000 B    -                 -        "
                      "-          -        -            2           0           70         5\n"
                      "0000:03:00.0  1   1           60 B      0           0 B       -                 -        "
                      "-          -        -            -           -           -          -\n"));
}

TEST_CASE("vfctl: the status names the mailbox counters in words")
{
    CHECK_THAT(status_text(R"({"version":"0.1.0","pfs":1,"uptime_s":3725,"mailbox":{"interrupts":812,
        "vf_resets":4,"requests":560,"nacks":31,"acks":529,"control_messages":6,"errors":2,"dropped":64,
        "quarantines":1,"log_suppressed":17,"new_counter":9}})"),
               Equals("sriovd 0.1.0, up 1 h 2 min, 1 PF\n"
                      "mailbox:\n"
                      "  interrupts                    812\n"
                      "  VF resets                     4\n"
                      "  requests from VFs             560\n"
                      "  requests refused (NACK)       31\n"
                      "  acknowledgements from VFs     529\n"
                      "  control messages to VFs       6\n"
                      "  mailbox errors                2\n"
                      "  requests dropped (over rate)  64\n"
                      "  quarantines                   1\n"
                      "  log lines suppressed          17\n"
                      "  new_counter                   9\n"));
    CHECK_THAT(status_text(R"({"version":"0.1.0","pfs":2,"uptime_s":42})"), Equals("sriovd 0.1.0, up 42 s, 2 PFs\n"));
    CHECK_THAT(status_text(R"({"version":"0.1.0","pfs":1,"uptime_s":200000})"), ContainsSubstring("up 2 d 7 h,"));
    CHECK_THAT(status_text(R"({"version":"0.1.0","pfs":1,"uptime_s":125})"), ContainsSubstring("up 2 min 5 s,"));
    CHECK_THROWS_AS(status_text("[1,2]"), sriov::Error);
}

namespace {

// Sets the time zone for one test and puts the previous one back.
class TimeZone {
public:
    explicit TimeZone(const char* tz)
    {
        if (const char* old = std::getenv("TZ"))
            old_ = old;
        ::setenv("TZ", tz, 1);
        ::tzset();
    }
    ~TimeZone()
    {
        if (old_)
            ::setenv("TZ", old_->c_str(), 1);
        else
            ::unsetenv("TZ");
        ::tzset();
    }
    TimeZone(const TimeZone&) = delete;
    TimeZone& operator=(const TimeZone&) = delete;

private:
    std::optional<std::string> old_;
};

const auto arrival = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours{3} +
                     std::chrono::minutes{15} + std::chrono::seconds{32};

}  // namespace

TEST_CASE("vfctl: monitor prints an event as one line with the local time it arrived")
{
    const TimeZone utc("UTC0");
    const char* quarantine = R"j({"event":"quarantine","message":"11 malformed requests within 60 s (limit 10)",
                                  "pf":"0000:00:02.0","vf":0})j";
    CHECK_THAT(event_line(quarantine, arrival),
               Equals("2026-11-22T03:15:32 0000:00:02.0 vf 0 quarantine: 11 malformed requests within 60 s (limit 10)"));
    // A PF-wide event has no VF.
    CHECK_THAT(event_line(R"({"event":"pf_reset","message":"the PF was reset","pf":"0000:00:02.0"})", arrival),
               Equals("2026-11-22T03:15:32 0000:00:02.0 pf_reset: the PF was reset"));
    CHECK_THAT(event_line(R"({"event":"vf_reset","pf":"0000:00:02.0","vf":3})", arrival),
               Equals("2026-11-22T03:15:32 0000:00:02.0 vf 3 vf_reset"));
    // The kinds a kernel-owned PF adds, and any kind this vfctl does not know, come out the same way.
    CHECK_THAT(event_line(R"({"event":"drift","pf":"0000:03:00.0","vf":1,
                              "message":"mac is 02:11:22:33:44:66, desired 02:11:22:33:44:55"})", arrival),
               Equals("2026-11-22T03:15:32 0000:03:00.0 vf 1 drift: mac is 02:11:22:33:44:66, desired "
                      "02:11:22:33:44:55"));
    CHECK_THAT(event_line(R"({"event":"pf_reloaded","pf":"0000:03:00.0","message":"igb is back; 4 VFs applied"})",
                          arrival),
               Equals("2026-11-22T03:15:32 0000:03:00.0 pf_reloaded: igb is back; 4 VFs applied"));
    CHECK_THAT(event_line(R"({"event":"vf_applied","pf":"0000:03:00.0","vf":0,"message":"mac vlan"})", arrival),
               Equals("2026-11-22T03:15:32 0000:03:00.0 vf 0 vf_applied: mac vlan"));
    CHECK_THAT(event_line(R"({"event":"something_new","pf":"eth0"})", arrival),
               Equals("2026-11-22T03:15:32 eth0 something_new"));
    // What is not an event is printed as it came, and monitor goes on.
    CHECK_THAT(event_line("not json {", arrival), Equals("not json {"));
}

TEST_CASE("vfctl: monitor says how many events sriovd dropped while it did not read")
{
    const TimeZone utc("UTC0");
    CHECK_THAT(event_line(sriov::control::encode_events_missed(1234), arrival),
               Equals("2026-11-22T03:15:32 - events_missed: 1234 events dropped: this connection did not read them "
                      "in time"));
}

TEST_CASE("vfctl: monitor's time is the local time")
{
    const TimeZone two_hours_east("XYZ-2");
    CHECK_THAT(event_line(R"({"event":"link_change","message":"link up","pf":"0000:00:02.0"})", arrival),
               Equals("2026-11-22T05:15:32 0000:00:02.0 link_change: link up"));
}

TEST_CASE("vfctl: an answer that is not the schema is an error, not a crash")
{
    CHECK_THROWS_AS(show_table("not json"), sriov::Error);
    CHECK_THROWS_AS(show_table("[]"), sriov::Error);
    // Fields of the wrong type are shown as they came or as a dash, never a crash.
    CHECK_NOTHROW(show_table(R"({"pfs":[{"pf":7,"vfs":[{"vf":"x","vlan":"ten","drift":[{"setting":1}]}]},
                                         {"pfs":null},{"vfs":{}}]})"));
    CHECK_NOTHROW(show_detail(R"({"pfs":[{"vfs":[{"origin":null,"max_vlans":"many","drift":"mac"}]},3]})"));
    CHECK_NOTHROW(stats_table(R"({"vfs":[{"rx_packets":-1,"quarantined":"yes"},null,7]})"));
    CHECK_THAT(show_table(R"({"pfs":null})"), ContainsSubstring("QUARANTINED"));
}
