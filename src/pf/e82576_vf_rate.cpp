// E82576Pf: the per-VF TX rate limiter (fact sheet section 2.9). QEMU does not implement it, so
// only real hardware shows its effect; unit tests check the values written against the model.
//
// How this compares with Linux's igb, which offers the limiter only on the 82576:
// - igb refuses a rate above the link speed, and refuses any rate while the link is down or at
//   10 Mb/s; it has no lower bound other than 0 (a rate of 1 Mb/s is accepted). Here the device
//   layer refuses nothing: a rate above the link speed, or no link, turns the limiter off, since
//   the caller keeps the configured rate across link changes and calls again on each one. A rate
//   equal to the link speed is programmed as a factor of 1, as igb does. At 10 Mb/s the factor is
//   worked out as at any other speed (igb never programs one there, so that case is untested).
// - When the link speed changes, igb drops every VF's limit; sriovd instead re-applies the rate it
//   keeps in Mb/s (issue 4).
#include "pf/e82576_pf.hpp"

#include "sriov/e82576_regs.hpp"

#include <algorithm>

namespace sriov::pf {

namespace e = e82576;

namespace {

// The RTTBCNRC value limiting a queue to rate_mbps of link_mbps, or 0 for no limit. The factor
// link / rate in 14.14 fixed point is one truncating division of link scaled by 2^14: its integer
// part lands in RF_INT and its fraction in RF_DEC. The 82576's links (10 to 1000 Mb/s) keep the
// integer part within RF_INT's 14 bits; a faster link is clamped to the slowest rate expressible.
std::uint32_t rate_control(unsigned rate_mbps, unsigned link_mbps)
{
    if (rate_mbps == 0 || link_mbps == 0 || rate_mbps > link_mbps)
        return 0;
    constexpr std::uint64_t factor_mask = e::rttbcnrc::RF_INT_MASK | e::rttbcnrc::RF_DEC_MASK;
    const std::uint64_t factor = (std::uint64_t{link_mbps} << e::rttbcnrc::RF_INT_SHIFT) / rate_mbps;
    return e::rttbcnrc::RS_ENA | static_cast<std::uint32_t>(std::min(factor, factor_mask));
}

}  // namespace

// VF n transmits on PF queue n (section 3.2): select that queue, then write its rate control.
// RTTDQSEL is shared by all queues, so the three writes must not interleave with another VF's;
// E82576Pf is driven from one thread. The VF's second queue (n + 8) is left unlimited, as igb
// does: igbvf and libvf transmit on queue 0 only.
void E82576Pf::set_vf_tx_rate(unsigned vf, unsigned rate_mbps, unsigned link_mbps)
{
    regs_.write32(e::RTTDQSEL.offset, vf);
    regs_.write32(e::RTTBCNRM.offset, e::rttbcnrm::MMW_SIZE_JUMBO);
    regs_.write32(e::RTTBCNRC.offset, rate_control(rate_mbps, link_mbps));
}

}  // namespace sriov::pf
