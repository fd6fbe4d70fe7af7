// E82576Pf against the 82576 register model. Expected register values are worked out by hand
// from the fact sheet (sections 2.1 to 2.9, 3.1 and 5.4), not read back from our own code.
#include "pf/e82576_pf.hpp"
#include "pf/vf_counters.hpp"
#include "pf/vf_supervisor.hpp"

#include "admin.hpp"
#include "model/e82576_model.hpp"
#include "model/register_spy.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <vector>

using namespace sriov;
using namespace sriov::pf;
using namespace sriov::e82576;
using sriov::model::E82576Model;

namespace {

const MacAddress vf0_mac = MacAddress::parse("02:11:22:33:44:55");
const auto now = VfSupervisor::Clock::time_point{};

E82576Pf::Delays no_pauses()
{
    E82576Pf::Delays d;
    d.quiesce = d.after_reset = std::chrono::microseconds(0);
    return d;
}

struct Up {
    Up()
    {
        mac = chip.bring_up(2);
        m.set_num_vfs(2);
        policy.set_admin(0, test::Admin().mac(vf0_mac));
    }
    std::uint32_t peek(std::uint32_t offset) const { return m.peek(offset); }
    Outcome send(unsigned vf, std::vector<std::uint32_t> words) { return sup.on_message(vf, words, now); }

    E82576Model m;  // NVM MAC 52:54:00:12:34:56
    E82576Pf chip{m.pf(), "model", no_pauses()};
    MacAddress mac;
    VfPolicy policy{2};
    VfSupervisor sup{chip, policy};
};

}  // namespace

TEST_CASE("bring-up for 2 VFs programs pools, switch, RX/TX and interrupts as Linux igb does")
{
    Up up;
    CHECK(up.mac == model::default_nvm_mac);
    // The PF's MAC in RAR0, in the PF's pool 2: bytes 0-3, then 4-5 | POOLSEL(2) = bit 20 | AV.
    CHECK(up.peek(RAL(0)) == 0x12005452);
    CHECK(up.peek(RAH(0)) == 0x80105634);
    CHECK(up.peek(VT_CTL.offset) == 0x40000100);  // VM_REPL_EN | DEF_PL 2 (bits 9:7)
    CHECK(up.peek(MRQC.offset) == 3);
    CHECK(up.peek(DTXSWC.offset) == 0x80000000);  // loopback; spoof bits come with each VF
    CHECK(up.peek(VFRE.offset) == 0x4);           // only the PF's pool
    CHECK(up.peek(VFTE.offset) == 0x4);
    CHECK(up.peek(VMOLR.at(2)) == 0x89000000);  // STRCRC | BAM | AUPE
    CHECK(up.peek(RCTL.offset) == 0x04048022);  // SECRC | VFE | BAM | LPE | EN
    CHECK(up.peek(TCTL.offset) == 0x0000000A);  // PSP | EN
    CHECK(up.peek(GPIE.offset) == 0x00000011);  // MSIX_MODE | NSICR
    CHECK(up.peek(IVAR_MISC.offset) == 0x00008000);
    CHECK(up.peek(IMS.offset) == 0x00000104);  // VMMB | LSC
    CHECK((up.peek(EIMS.offset) & 1) == 1);
    CHECK(up.peek(CTRL_EXT.offset) & ctrl_ext::PFRSTD);
    CHECK(up.peek(CTRL.offset) & ctrl::SLU);
    CHECK((up.m.phy_register(phy::BMCR) & phy::BMCR_ANENABLE) != 0);
    CHECK(up.chip.link() == LinkState{true, 1000, true});
    // 5.4 step 1: the VFs see RSTD, not RSTI.
    CHECK(up.m.vf_mailbox_bits(0) & vfmailbox::RSTD);
    CHECK_FALSE(up.m.vf_mailbox_bits(0) & vfmailbox::RSTI);
}

TEST_CASE("more VFs than pools allow is refused before touching the device")
{
    E82576Model m;
    E82576Pf chip(m.pf(), "model", no_pauses());
    CHECK_THROWS_AS(chip.bring_up(8), Error);
    CHECK(m.peek(CTRL_EXT.offset) == 0);
}

TEST_CASE("VF 0's reset: MAC in RAR 23 with POOLSEL 0, VFRE/VFTE bit 0, VLAN 0, VMOLR")
{
    Up up;
    up.sup.restore_all(now);
    // The administrator's MAC is in place at once, but the pool may not receive yet.
    CHECK(up.peek(RAL(23)) == 0x33221102);
    CHECK(up.peek(RAH(23)) == 0x80045544);  // AV | POOLSEL(0) = bit 18 | bytes 4-5
    CHECK(up.peek(RAH(22)) == 0);           // VF 1 has no MAC
    CHECK(up.peek(VFRE.offset) == 0x4);
    CHECK(up.peek(DTXSWC.offset) == 0x80000303);  // + MAC and VLAN anti-spoof of pools 0 and 1

    const Outcome o = up.send(0, {0x00000001});
    CHECK(o.verdict == Verdict::ack);
    CHECK(up.peek(VFRE.offset) == 0x5);
    CHECK(up.peek(VFTE.offset) == 0x5);
    CHECK(up.peek(VLVF.at(0)) == 0x80003000);  // VI_EN | POOLSEL 0 and 1 (both VFs reset) | VID 0
    CHECK(up.peek(VFTA.at(0)) == 0x00000001);
    CHECK(up.peek(VMOLR.at(0)) == 0x89000000);
}

TEST_CASE("VLAN, multicast and frame size requests land in VLVF/VFTA, MTA and VMOLR")
{
    Up up;
    up.sup.restore_all(now);
    up.send(0, {0x00000001});
    up.send(1, {0x00000001});

    // VID 100 = dword 3, bit 4 of VFTA; Linux puts VIDs other than 0 in VLVF entries 1..31.
    up.send(0, {0x00010004, 100});
    CHECK(up.peek(VLVF.at(1)) == 0x80001064);
    CHECK(up.peek(VFTA.at(3)) == 0x00000010);
    CHECK(up.peek(VMOLR.at(0)) == 0xC9000000);  // + STRVLAN
    up.send(1, {0x00010004, 100});
    CHECK(up.peek(VLVF.at(1)) == 0x80003064);
    up.send(0, {0x00000004, 100});
    CHECK(up.peek(VLVF.at(1)) == 0x80002064);
    CHECK(up.peek(VFTA.at(3)) == 0x00000010);
    up.send(1, {0x00000004, 100});
    CHECK(up.peek(VLVF.at(1)) == 0);
    CHECK(up.peek(VFTA.at(3)) == 0);

    // Hash 0x123 = MTA dword 9, bit 3; the pool accepts hash hits (ROMPE).
    up.send(0, {0x00010003, 0x00000123});
    CHECK(up.peek(MTA.at(9)) == 0x00000008);
    CHECK(up.peek(VMOLR.at(0)) == 0x8B000000);
    // SET_LPE 1522: LPE | RLPML 0x5F2.
    up.send(0, {0x00000005, 1522});
    CHECK(up.peek(VMOLR.at(0)) == 0x8B0105F2);
}


TEST_CASE("filter requests write only the table words that change, and a reset starts the tables afresh")
{
    E82576Model m;
    sriov::model::RegisterSpy regs(m.pf(), true);
    E82576Pf chip(regs, "model", no_pauses());
    chip.bring_up(2);
    m.set_num_vfs(2);
    regs.clear();
    const std::vector<std::uint16_t> hashes{0x123};

    // Hash 0x123 (MTA dword 9): one MTA write and no read; the same list again writes nothing.
    chip.set_multicast_hashes(hashes);
    CHECK(m.peek(MTA.at(9)) == 0x00000008);
    chip.set_multicast_hashes(hashes);
    CHECK(sriov::model::RegisterSpy::in(regs.written, MTA) == 1);
    // VID 100 joined by both VFs, then left by one: VLVF and VFTA are written, never read.
    chip.set_vf_vlan(0, 100, true);
    chip.set_vf_vlan(1, 100, true);
    chip.set_vf_vlan(0, 100, false);
    CHECK(m.peek(VLVF.at(1)) == 0x80002064);
    CHECK(m.peek(VFTA.at(3)) == 0x00000010);
    CHECK(sriov::model::RegisterSpy::in(regs.read_offsets, VLVF) == 0);
    CHECK(sriov::model::RegisterSpy::in(regs.read_offsets, VFTA) == 0);
    CHECK(sriov::model::RegisterSpy::in(regs.read_offsets, MTA) == 0);
    CHECK(sriov::model::RegisterSpy::in(regs.written, VFTA) == 1);

    // A PF reset clears the chip's tables (CTRL.RST), so the same requests are written again.
    chip.bring_up(2);
    CHECK(m.peek(MTA.at(9)) == 0);
    chip.set_multicast_hashes(hashes);
    CHECK(m.peek(MTA.at(9)) == 0x00000008);
    chip.set_vf_vlan(1, 100, true);
    CHECK(m.peek(VLVF.at(1)) == 0x80002064);
    CHECK(m.peek(VFTA.at(3)) == 0x00000010);
}

TEST_CASE("each interrupt's causes are cleared, so the next VF event interrupts again")
{
    Up up;
    const auto before = up.m.pf_other_interrupts();
    up.m.vf(0).write32(VTCTRL.offset, vtctrl::RST);
    CHECK(up.m.pf_other_interrupts() == before + 1);
    const InterruptCauses causes = up.chip.take_interrupt_causes();
    CHECK(causes.mailbox);
    CHECK_FALSE(causes.link_change);
    CHECK(up.peek(VFLRE.offset) == 0x1);  // the mailbox's to clear, not the interrupt's
    up.m.vf(1).write32(VTCTRL.offset, vtctrl::RST);
    CHECK(up.m.pf_other_interrupts() == before + 2);
}

// --- TX rate limiter (section 2.9). QEMU ignores it; the model keeps RTTBCNRC per queue. ---
//
// RTTBCNRC = RS_ENA (bit 31) | factor, the factor being link / rate in 14.14 fixed point: its
// integer part shifted to bit 14, its fraction times 2^14 (truncated) in bits 13:0.

TEST_CASE("100 Mb/s of 1000 selects the VF's queue and writes RTTBCNRC 0x80028000")
{
    E82576Model m;
    E82576Pf chip(m.pf(), "model", no_pauses());
    chip.bring_up(7);
    chip.set_vf_tx_rate(3, 100, 1000);
    CHECK(m.peek(RTTDQSEL.offset) == 3);  // VF 3 transmits on queue 3
    CHECK(m.peek(RTTBCNRM.offset) == 0x14);
    CHECK(m.tx_rate_control(3) == 0x80028000);  // factor 10: 0xA << 14 = 0x28000
    for (unsigned q : {0u, 1u, 2u, 4u, 11u})
        CHECK(m.tx_rate_control(q) == 0);  // nor VF 3's second queue (11) nor any other
}

TEST_CASE("RTTBCNRC for rates and links worked out by hand")
{
    struct Case {
        unsigned rate, link;
        std::uint32_t rttbcnrc;
    };
    const Case cases[] = {
        {300, 1000, 0x8000D555},  // 3 + 1/3: 3 << 14 = 0xC000; 16384 / 3 = 5461.3 -> 0x1555
        {700, 1000, 0x80005B6D},  // 1 + 3/7: 1 << 14 = 0x4000; 3 * 16384 / 7 = 7021.7 -> 0x1B6D
        {10, 100, 0x80028000},    // factor 10, as 100 of 1000
        {1000, 1000, 0x80004000}, // factor 1: the whole link, still limited as Linux does
        {1, 1000, 0x80FA0000},    // factor 1000 (0x3E8) << 14
        {5, 10, 0x80008000},      // factor 2 on a 10 Mb/s link
        {0, 1000, 0},             // no limit
        {1001, 1000, 0},          // above the link: the link is the limit
        {100, 0, 0},              // link down
    };
    E82576Model m;
    E82576Pf chip(m.pf(), "model", no_pauses());
    chip.bring_up(2);
    for (const Case& c : cases) {
        CAPTURE(c.rate, c.link);
        chip.set_vf_tx_rate(1, c.rate, c.link);
        CHECK(m.tx_rate_control(1) == c.rttbcnrc);
    }
}

TEST_CASE("each VF keeps its own limit, and a new link speed or link down rewrites it")
{
    E82576Model m;
    E82576Pf chip(m.pf(), "model", no_pauses());
    chip.bring_up(3);
    chip.set_vf_tx_rate(0, 100, 1000);
    chip.set_vf_tx_rate(2, 300, 1000);
    CHECK(m.tx_rate_control(0) == 0x80028000);
    CHECK(m.tx_rate_control(2) == 0x8000D555);
    // The link renegotiated at 100 Mb/s: sriovd calls again with the same Mb/s.
    chip.set_vf_tx_rate(0, 100, 100);
    chip.set_vf_tx_rate(2, 300, 100);
    CHECK(m.tx_rate_control(0) == 0x80004000);  // factor 1
    CHECK(m.tx_rate_control(2) == 0);           // 300 > 100: no limit
    chip.set_vf_tx_rate(0, 100, 0);
    CHECK(m.tx_rate_control(0) == 0);
}

// --- VF counters through the PF's mirror of each VF (sections 2.1 and 3.1) ---

TEST_CASE("read_vf_counters reads PVFGPRC, PVFGORC, PVFGPTC, PVFGOTC and PVFMPRC of that VF")
{
    E82576Model m;
    E82576Pf chip(m.pf(), "model", no_pauses());
    chip.bring_up(2);
    m.set_num_vfs(2);
    m.poke(PVFGPRC(1), 11);
    m.poke(PVFGORC(1), 0x1100);
    m.poke(PVFGPTC(1), 22);
    m.poke(PVFGOTC(1), 0x2200);
    m.poke(PVFMPRC(1), 3);
    CHECK(chip.read_vf_counters(1) == VfCounterReading{11, 0x1100, 22, 0x2200, 3});
    CHECK(chip.read_vf_counters(0) == VfCounterReading{});
    // The VF sees the same counters in its own BAR (3.1), and reading does not clear them.
    CHECK(m.vf(1).read32(VFGORC.offset) == 0x1100);
    CHECK(chip.read_vf_counters(1) == VfCounterReading{11, 0x1100, 22, 0x2200, 3});
}

TEST_CASE("VF counters through the model: a wrap, then a PF reset that sets them back to 0")
{
    E82576Model m;
    E82576Pf chip(m.pf(), "model", no_pauses());
    chip.bring_up(1);
    m.poke(PVFGORC(0), 0xFFFFFFF0);
    m.poke(PVFGPRC(0), 5);
    VfCounters c(chip.read_vf_counters(0));
    m.poke(PVFGORC(0), 0x10);
    m.poke(PVFGPRC(0), 6);
    c.sample(chip.read_vf_counters(0));
    CHECK(c.totals().rx_bytes == 0x20);
    CHECK(c.totals().rx_packets == 1);

    chip.bring_up(1);  // CTRL.RST: the counters start over (as in QEMU)
    REQUIRE(chip.read_vf_counters(0) == VfCounterReading{});
    c.rebase(chip.read_vf_counters(0));
    m.poke(PVFGORC(0), 0x40);
    c.sample(chip.read_vf_counters(0));
    CHECK(c.totals().rx_bytes == 0x60);
    CHECK(c.totals().rx_packets == 1);
}

TEST_CASE("resume after a restart: no CTRL.RST, so the VFs' rings survive, and their filters come back")
{
    Up up;
    up.sup.restore_all(now);
    up.send(0, {0x00000001});              // VF_RESET
    up.send(0, {0x00010004, 100});         // VLAN 100
    up.send(0, {0x00010003, 0x00000123});  // multicast hash 0x123
    up.send(0, {0x00000005, 1522});        // SET_LPE 1522
    // VF 0's driver set up its first RX ring (queue 0 is pool 0's); a chip reset would clear it.
    up.m.poke(RDBAL(0), 0x12345000);
    const std::vector<VfState> granted = up.sup.states();
    while (up.m.vf_mailbox_bits(0) & vfmailbox::RSTD)
        up.m.vf(0).read32(VFMAILBOX.offset);  // reading clears RSTD (the VF saw the bring-up)
    const std::uint32_t vlvf = up.peek(VLVF.at(1)), vmolr = up.peek(VMOLR.at(0));

    // sriovd restarts: a new E82576Pf and VfSupervisor on the same chip.
    E82576Pf chip{up.m.pf(), "model", no_pauses()};
    VfSupervisor sup{chip, up.policy};
    CHECK(chip.resume(2) == model::default_nvm_mac);
    CHECK(sup.resume_all(granted, now) == 1);  // VF 1 never reset: it must

    CHECK(up.peek(RDBAL(0)) == 0x12345000);
    CHECK((up.m.vf_mailbox_bits(0) & (vfmailbox::RSTD | vfmailbox::RSTI)) == 0);  // no "PF reset" seen
    CHECK(up.peek(RAH(23)) == 0x80045544);
    CHECK(up.peek(VFRE.offset) == 0x5);  // VF 0 and the PF's pool 2
    CHECK(up.peek(VFTE.offset) == 0x5);
    CHECK(up.peek(VLVF.at(1)) == vlvf);
    CHECK(vlvf == 0x80001064);
    CHECK(up.peek(MTA.at(9)) == 0x00000008);
    CHECK(up.peek(VMOLR.at(0)) == vmolr);
    CHECK(vmolr == 0xCB0105F2);  // STRVLAN, ROMPE, AUPE, BAM, LPE with RLPML 1522
    CHECK(sup.state(0).clear_to_send);
    CHECK(!sup.state(1).clear_to_send);
    CHECK(up.peek(RCTL.offset) & rctl::EN);
}
