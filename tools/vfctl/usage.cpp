#include "usage.hpp"

#include <algorithm>

namespace sriov::vfctl {

std::string_view usage()
{
    return R"(Usage: vfctl [-j] [-s] [--socket PATH] COMMAND
       vfctl [COMMAND] --help

Commands:
  show [PF [vf N]]                 PFs and VFs (a table), or one PF or VF in detail
  -s show [PF [vf N]]              per-VF counters
  set PF vf N SETTING...           change VF N; all settings apply or none:
        mac LLADDR                 the VF's MAC (given to it at every reset)
        vlan VID [qos PRIO] [proto 802.1Q|802.1ad]
                                   port VLAN 1..4095, priority 0..7, tag protocol
                                   (802.1Q unless said); vlan 0 removes it
        max_tx_rate MBPS           TX limit in Mb/s, 0..100000; 0 removes it
        min_tx_rate MBPS           TX rate kept for the VF, 0..100000 (kernel-owned PF)
        max_frame BYTES            largest frame the VF may ask for, 64..16383; 0: the chip's
        max_multicast N            multicast groups the VF may ask for, 0..30
        max_vlans N                VLANs the VF may join itself, 0..32
        spoofchk on|off            drop frames the VF sends from another MAC or VLAN
        trust on|off               may the VF change its MAC, add filters, go promiscuous
        query_rss on|off           may the VF read the PF's RSS key and table (kernel-owned PF)
        state auto|enable|disable  link as the VF sees it
  set PF numvfs N                  change the number of VFs
  reset PF [vf N]                  reset the PF (VFs keep their settings) or one VF
  release PF vf N                  let a quarantined VF run again
  monitor                          print events as they happen (VF resets, refusals, ...)
  status                           the daemon's version, uptime and mailbox counters

PF is a PCI address (0000:00:02.0 or 00:02.0) or, for a PF that stays with its kernel
driver, its network interface (eth0); N is a VF's index (from 0).

Options (before the command):
  -j, --json       print answers as JSON (schema: include/sriov/control/protocol.hpp)
  -s, --stats      with show: counters
  --socket PATH    sriovd's control socket (default /run/sriovd/sriovd.sock)
  -h, --help       this text

Exit status: 0 done, 1 sriovd refused or could not be reached, 2 the command line is wrong.
See vfctl(8).
)";
}

bool asks_for_help(std::span<const std::string> words)
{
    if (!words.empty() && words.front() == "help")
        return true;
    return std::any_of(words.begin(), words.end(), [](const std::string& w) { return w == "-h" || w == "--help"; });
}

}  // namespace sriov::vfctl
