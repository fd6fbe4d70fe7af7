// E82576Pf against the 82576 register model. Expected register values are worked out by hand
// from the fact sheet (sections 2.1 to 2.7 and 5.4), not read back from our own code.
#include "pf/e82576_pf.hpp"
#include "pf/vf_supervisor.hpp"

#include "admin.hpp"
#include "model/e82576_model.hpp"
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
