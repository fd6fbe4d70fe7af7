// E82576Pf: a VF's traffic counters, read through the PF's mirror of the VF's registers (fact
// sheet sections 2.1 and 3.1). They count only while VMDq is on (MRQC), and received octets
// include the 4 CRC bytes. A PF reset sets them back to 0 in QEMU (the fact sheet does not say
// for silicon); VfCounters::rebase is for that.
#include "pf/e82576_pf.hpp"

#include "sriov/e82576_regs.hpp"

namespace sriov::pf {

namespace e = e82576;

VfCounterReading E82576Pf::read_vf_counters(unsigned vf)
{
    VfCounterReading r;
    r.rx_packets = regs_.read32(e::PVFGPRC(vf));
    r.rx_bytes = regs_.read32(e::PVFGORC(vf));
    r.tx_packets = regs_.read32(e::PVFGPTC(vf));
    r.tx_bytes = regs_.read32(e::PVFGOTC(vf));
    r.rx_multicast = regs_.read32(e::PVFMPRC(vf));
    return r;
}

}  // namespace sriov::pf
