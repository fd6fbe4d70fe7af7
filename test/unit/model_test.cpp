// The 82576 register model behaves as the fact sheet (../shared/reference/igb-82576.md) says the
// device does. Expected values are written out from the fact sheet, not read back from the model.
#include "model/e82576_model.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

using namespace sriov::e82576;
using sriov::MacAddress;
using sriov::model::Autoneg;
using sriov::model::E82576Model;
using sriov::model::Interrupt;

namespace {

std::uint32_t read_mailbox(E82576Model& m, unsigned vf)
{
    return m.vf(vf).read32(VFMAILBOX.offset);
}

// The PF has said it is ready (5.4 step 1) and every VF has consumed RSTD: mailboxes read 0.
void pf_ready(E82576Model& m)
{
    m.pf().write32(CTRL_EXT.offset, ctrl_ext::PFRSTD);
    for (unsigned vf = 0; vf < m.num_vfs(); ++vf)
        read_mailbox(m, vf);
}

// Linux's "other" interrupt set-up (2.7): MSI-X mode, other causes on vector 0, LSC and VMMB
// enabled, vector 0 enabled and (with auto_clear) auto-cleared by EIAC.
void linux_other_interrupt(E82576Model& m, bool auto_clear = true)
{
    m.pf().write32(GPIE.offset, gpie::MSIX_MODE | gpie::PBA | gpie::EIAME | gpie::NSICR);
    m.pf().write32(IVAR_MISC.offset, ivar::misc_other(0));
    if (auto_clear)
        m.pf().write32(EIAC.offset, 1u << 0);
    m.pf().write32(EIMS.offset, 1u << 0);
    m.pf().write32(IMS.offset, icr::LSC | icr::VMMB);
}

std::uint32_t nvm_word(E82576Model& m, unsigned word)
{
    m.pf().write32(EERD.offset, word << eerd::ADDR_SHIFT | eerd::START);
    return m.pf().read32(EERD.offset);
}

void restart_autoneg(E82576Model& m)
{
    m.pf().write32(MDIC.offset, mdic::PHY_ADDR << mdic::PHY_SHIFT | phy::BMCR << mdic::REG_SHIFT
                                    | mdic::OP_WRITE | phy::BMCR_ANENABLE | phy::BMCR_ANRESTART);
}

}  // namespace

TEST_CASE("model: registers come out of reset with the fact sheet's values")
{
    E82576Model m;
    auto& pf = m.pf();
    CHECK(pf.read32(VFRE.offset) == 0xFF);
    CHECK(pf.read32(VFTE.offset) == 0xFF);
    CHECK(pf.read32(MBVFIMR.offset) == 0xFF);
    for (unsigned pool = 0; pool < num_pools; ++pool)
        CHECK(pf.read32(VMOLR.at(pool)) == 0x80002600);
    CHECK(pf.read32(RLPML.offset) == 0x2600);
    CHECK(pf.read32(RPLOLR.offset) == 0x80000000);
    CHECK(pf.read32(VET.offset) == 0x81008100);
    CHECK(pf.read32(RXDCTL(0)) == 0x02010000);  // ENABLE, WTHRESH 1
    CHECK(pf.read32(TXDCTL(0)) == 0x02000000);
    CHECK(pf.read32(RXDCTL(1)) == 0x00010000);
    CHECK(pf.read32(TXDCTL(1)) == 0);
    CHECK((pf.read32(STATUS.offset) & status::LU) == 0);
    CHECK(pf.read32(RCTL.offset) == 0);
    CHECK(pf.read32(CTRL.offset) == 0);
    for (unsigned vf = 0; vf < total_vfs; ++vf)
        CHECK(m.vf_mailbox_bits(vf) == 0x40);  // RSTI
}

TEST_CASE("model: registers QEMU ignores are stored, so tests can see what the PF wrote")
{
    E82576Model m;
    auto& pf = m.pf();
    pf.write32(DTXSWC.offset, 0x8000FF7F);
    pf.write32(RTTDQSEL.offset, 3);
    pf.write32(RTTBCNRM.offset, 0x14);
    pf.write32(RTTBCNRC.offset, 0x80028000);
    pf.write32(VMOLR.at(2), 0x5F000600);  // AUPE|ROMPE|ROPE|BAM|MPME|STRVLAN, RLPML 0x600
    pf.write32(QDE.offset, 0xFFFF);
    CHECK(pf.read32(DTXSWC.offset) == 0x8000FF7F);
    CHECK(pf.read32(RTTDQSEL.offset) == 3);
    CHECK(pf.read32(RTTBCNRM.offset) == 0x14);
    CHECK(pf.read32(RTTBCNRC.offset) == 0x80028000);
    CHECK(pf.read32(VMOLR.at(2)) == 0x5F000600);
    CHECK(pf.read32(QDE.offset) == 0xFFFF);
    // EITR reads back without CNT_IGNR (2.8).
    pf.write32(EITR.at(1), 0x80000188);
    CHECK(pf.read32(EITR.at(1)) == 0x188);
    // WVBR is never set and reads 0 (2.10).
    pf.write32(WVBR.offset, 0xFFFF);
    CHECK(pf.read32(WVBR.offset) == 0);
}

TEST_CASE("model: queue registers, their 0x2800/0x3800 aliases and QEMU's masks")
{
    E82576Model m;
    auto& pf = m.pf();
    pf.write32(RX_QUEUE_ALIAS_BASE + 1 * QUEUE_ALIAS_STRIDE + 0x28, 0x02000000);
    CHECK(m.peek(RXDCTL(1)) == 0x02000000);
    pf.write32(TDT(3), 7);
    CHECK(pf.read32(TX_QUEUE_ALIAS_BASE + 3 * QUEUE_ALIAS_STRIDE + 0x18) == 7);
    pf.write32(RDBAL(4), 0x1234567F);
    CHECK(pf.read32(RDBAL(4)) == 0x12345660);  // b4:0 ignored
    pf.write32(TDLEN(4), 0xFFFFFFFF);
    CHECK(pf.read32(TDLEN(4)) == 0x000FFFF0);  // b19:4
    pf.write32(RDT(4), 0x12345);
    CHECK(pf.read32(RDT(4)) == 0x2345);  // 16 bits
}

TEST_CASE("model: accesses outside the BAR or unaligned are refused")
{
    E82576Model m;
    CHECK_THROWS_AS(m.pf().read32(0x20000), sriov::Error);
    CHECK_THROWS_AS(m.pf().write32(0x0002, 0), sriov::Error);
    m.set_num_vfs(1);
    CHECK_THROWS_AS(m.vf(0).read32(0x4000), sriov::Error);
    CHECK_THROWS_AS(m.vf(8), sriov::Error);
    CHECK_THROWS_AS(m.set_num_vfs(9), sriov::Error);
}

TEST_CASE("model: the mailbox lock goes to one side at a time")
{
    E82576Model m;
    m.set_num_vfs(2);
    pf_ready(m);
    auto& pf = m.pf();
    auto& vf = m.vf(1);

    SECTION("VF first: PFU is refused while VFU is held")
    {
        vf.write32(VFMAILBOX.offset, vfmailbox::VFU);
        CHECK(read_mailbox(m, 1) == 0x04);
        CHECK(pf.read32(P2VMAILBOX.at(1)) == 0x04);  // VFU mirror
        pf.write32(P2VMAILBOX.at(1), p2vmailbox::PFU);
        CHECK(pf.read32(P2VMAILBOX.at(1)) == 0x04);
        CHECK(read_mailbox(m, 1) == 0x04);
        vf.write32(VFMAILBOX.offset, 0);
        CHECK(pf.read32(P2VMAILBOX.at(1)) == 0);
        pf.write32(P2VMAILBOX.at(1), p2vmailbox::PFU);
        CHECK(pf.read32(P2VMAILBOX.at(1)) == 0x08);
    }
    SECTION("PF first: VFU is refused while PFU is held")
    {
        pf.write32(P2VMAILBOX.at(1), p2vmailbox::PFU);
        CHECK(pf.read32(P2VMAILBOX.at(1)) == 0x08);
        vf.write32(VFMAILBOX.offset, vfmailbox::VFU);
        CHECK(read_mailbox(m, 1) == 0x08);  // PFU shown, VFU not granted
        pf.write32(P2VMAILBOX.at(1), 0);
        vf.write32(VFMAILBOX.offset, vfmailbox::VFU);
        CHECK(read_mailbox(m, 1) == 0x04);
    }
    SECTION("each VF has its own lock")
    {
        pf.write32(P2VMAILBOX.at(1), p2vmailbox::PFU);
        m.vf(0).write32(VFMAILBOX.offset, vfmailbox::VFU);
        CHECK(read_mailbox(m, 0) == 0x04);
    }
}

TEST_CASE("model: a write without the lock bit releases the lock")
{
    E82576Model m;
    m.set_num_vfs(1);
    pf_ready(m);
    auto& pf = m.pf();
    auto& vf = m.vf(0);

    vf.write32(VFMAILBOX.offset, vfmailbox::VFU);
    vf.write32(VFMAILBOX.offset, vfmailbox::REQ);  // send: REQ drops VFU
    CHECK((read_mailbox(m, 0) & vfmailbox::VFU) == 0);

    pf.write32(P2VMAILBOX.at(0), p2vmailbox::PFU);
    pf.write32(P2VMAILBOX.at(0), p2vmailbox::ACK | p2vmailbox::PFU);  // read, keep the lock
    CHECK(pf.read32(P2VMAILBOX.at(0)) == 0x08);
    pf.write32(P2VMAILBOX.at(0), p2vmailbox::STS);  // reply: STS drops PFU
    CHECK(pf.read32(P2VMAILBOX.at(0)) == 0);
    CHECK(read_mailbox(m, 0) == 0x30);  // PFSTS | PFACK, no lock held
}

TEST_CASE("model: PFSTS, PFACK and RSTD clear when the VF reads them, RSTI does not")
{
    E82576Model m;
    m.set_num_vfs(1);
    auto& pf = m.pf();

    CHECK(read_mailbox(m, 0) == 0x40);
    CHECK(read_mailbox(m, 0) == 0x40);

    pf.write32(CTRL_EXT.offset, ctrl_ext::PFRSTD);
    CHECK(read_mailbox(m, 0) == 0x80);
    CHECK(read_mailbox(m, 0) == 0);

    pf.write32(P2VMAILBOX.at(0), p2vmailbox::STS);
    CHECK(m.vf_mailbox_bits(0) == 0x10);  // the test hook does not consume it
    CHECK(m.vf_mailbox_bits(0) == 0x10);
    CHECK(read_mailbox(m, 0) == 0x10);
    CHECK(read_mailbox(m, 0) == 0);

    pf.write32(P2VMAILBOX.at(0), p2vmailbox::ACK);
    CHECK(read_mailbox(m, 0) == 0x20);
    CHECK(read_mailbox(m, 0) == 0);
}

TEST_CASE("model: VF REQ and ACK set MBVFICR bits and VMMB; MBVFICR and VFLRE clear by writing 1")
{
    E82576Model m;
    m.set_num_vfs(3);
    pf_ready(m);
    auto& pf = m.pf();

    m.vf(2).write32(VFMAILBOX.offset, vfmailbox::REQ);
    CHECK(pf.read32(MBVFICR.offset) == 0x00000004);
    CHECK((m.peek(ICR.offset) & icr::VMMB) != 0);
    m.vf(1).write32(VFMAILBOX.offset, vfmailbox::ACK);
    CHECK(pf.read32(MBVFICR.offset) == 0x00020004);

    pf.write32(MBVFICR.offset, 0x00000004);
    CHECK(pf.read32(MBVFICR.offset) == 0x00020000);
    pf.write32(MBVFICR.offset, 0);
    CHECK(pf.read32(MBVFICR.offset) == 0x00020000);
    pf.write32(MBVFICR.offset, 0x00020000);
    CHECK(pf.read32(MBVFICR.offset) == 0);

    m.vf_function_level_reset(1);
    m.vf_function_level_reset(2);
    CHECK(pf.read32(VFLRE.offset) == 0x6);
    pf.write32(VFLRE.offset, 0x2);
    CHECK(pf.read32(VFLRE.offset) == 0x4);
}

TEST_CASE("model: RVFU takes a stuck lock from the VF and forgets its request and ack")
{
    E82576Model m;
    m.set_num_vfs(2);
    pf_ready(m);
    auto& pf = m.pf();

    m.vf(0).write32(VFMAILBOX.offset, vfmailbox::REQ);
    m.vf(0).write32(VFMAILBOX.offset, vfmailbox::ACK);
    m.vf(0).write32(VFMAILBOX.offset, vfmailbox::VFU);  // and then it hangs on to the buffer
    m.vf(1).write32(VFMAILBOX.offset, vfmailbox::REQ);
    CHECK(pf.read32(MBVFICR.offset) == 0x00010003);
    pf.write32(P2VMAILBOX.at(0), p2vmailbox::PFU);
    CHECK(pf.read32(P2VMAILBOX.at(0)) == 0x04);

    pf.write32(P2VMAILBOX.at(0), p2vmailbox::RVFU);
    CHECK(read_mailbox(m, 0) == 0);
    CHECK(pf.read32(P2VMAILBOX.at(0)) == 0);
    CHECK(pf.read32(MBVFICR.offset) == 0x00000002);  // VF 1's request stays
    pf.write32(P2VMAILBOX.at(0), p2vmailbox::PFU);
    CHECK(pf.read32(P2VMAILBOX.at(0)) == 0x08);
}

TEST_CASE("model: a PF software reset restores reset values and holds the VFs in RSTI until PFRSTD")
{
    E82576Model m;
    m.set_num_vfs(3);
    pf_ready(m);
    auto& pf = m.pf();
    restart_autoneg(m);
    REQUIRE((pf.read32(STATUS.offset) & status::LU) != 0);

    pf.write32(VFRE.offset, 0x7);
    pf.write32(VFTE.offset, 0x7);
    pf.write32(VMOLR.at(0), 0x0B000000);
    pf.write32(RLPML.offset, 0x3F00);
    pf.write32(RCTL.offset, rctl::EN);
    pf.write32(VMBMEM.at(0), 0x1234);
    pf.write32(RAL(0), 0);
    pf.write32(RXPBS.offset, 0x20);
    pf.write32(TXPBS.offset, 0x10);
    pf.write32(EITR.at(0), 0x188);
    pf.write32(CTRL_EXT.offset, ctrl_ext::PFRSTD | ctrl_ext::DRV_LOAD);
    for (unsigned vf = 0; vf < 3; ++vf)
        read_mailbox(m, vf);

    pf.write32(CTRL.offset, pf.read32(CTRL.offset) | ctrl::RST);

    CHECK(pf.read32(CTRL.offset) == 0);  // RST self-clears, CTRL is back at reset
    CHECK(pf.read32(VFRE.offset) == 0xFF);
    CHECK(pf.read32(VFTE.offset) == 0xFF);
    CHECK(pf.read32(VMOLR.at(0)) == 0x80002600);
    CHECK(pf.read32(RLPML.offset) == 0x2600);
    CHECK(pf.read32(RCTL.offset) == 0);
    CHECK(pf.read32(VMBMEM.at(0)) == 0);
    CHECK(pf.read32(CTRL_EXT.offset) == 0);
    CHECK(pf.read32(RAL(0)) == 0x12005452);  // the NVM MAC again
    CHECK(pf.read32(RXPBS.offset) == 0x20);  // kept by a software reset
    CHECK(pf.read32(TXPBS.offset) == 0x10);
    CHECK(pf.read32(EITR.at(0)) == 0x188);
    const std::uint32_t status = pf.read32(STATUS.offset);
    CHECK((status & status::LU) == 0);
    CHECK((status & status::NUM_VFS_MASK) == 3u << 14);  // the VFs are still enabled
    CHECK((status & status::IOV_MODE) != 0);

    for (unsigned vf = 0; vf < 3; ++vf) {
        CHECK(read_mailbox(m, vf) == 0x40);
        CHECK(read_mailbox(m, vf) == 0x40);
    }
    pf.write32(CTRL_EXT.offset, ctrl_ext::PFRSTD);
    for (unsigned vf = 0; vf < 3; ++vf) {
        CHECK(read_mailbox(m, vf) == 0x80);
        CHECK(read_mailbox(m, vf) == 0);
    }
    // Every CTRL_EXT write with PFRSTD set signals RSTD again.
    pf.write32(CTRL_EXT.offset, ctrl_ext::PFRSTD | ctrl_ext::DRV_LOAD);
    CHECK(read_mailbox(m, 1) == 0x80);
}

TEST_CASE("model: a VF reset stops the VF's queues and pools and tells the PF")
{
    E82576Model m;
    m.set_num_vfs(3);
    pf_ready(m);
    auto& pf = m.pf();
    for (unsigned queue = 0; queue < num_queues; ++queue) {
        pf.write32(RXDCTL(queue), 0x02010000);
        pf.write32(TXDCTL(queue), 0x02010000);
    }
    pf.write32(VFRE.offset, 0xFF);
    pf.write32(VFTE.offset, 0xFF);

    unsigned vf = 0;
    SECTION("VTCTRL.RST from the VF")
    {
        vf = 1;
        m.vf(1).write32(VTCTRL.offset, vtctrl::RST);
        CHECK(m.vf(1).read32(VTCTRL.offset) == 0);
    }
    SECTION("PVTCTRL(n).RST from the PF")
    {
        vf = 2;
        pf.write32(PVTCTRL(2), vtctrl::RST);
        CHECK(pf.read32(PVTCTRL(2)) == 0);
    }

    for (unsigned queue = 0; queue < num_queues; ++queue) {
        CAPTURE(queue);
        const bool stopped = queue == vf || queue == vf + 8;
        CHECK(pf.read32(RXDCTL(queue)) == (stopped ? 0x00010000u : 0x02010000u));
        CHECK(pf.read32(TXDCTL(queue)) == (stopped ? 0x00010000u : 0x02010000u));
    }
    CHECK(pf.read32(VFRE.offset) == (0xFFu & ~(1u << vf)));
    CHECK(pf.read32(VFTE.offset) == (0xFFu & ~(1u << vf)));
    CHECK(pf.read32(VFLRE.offset) == 1u << vf);
    CHECK((m.peek(ICR.offset) & icr::VMMB) != 0);
    CHECK(m.vf_mailbox_bits(vf) == 0);  // neither RSTI nor RSTD
}

TEST_CASE("model: EERD reads the NVM at once: the MAC in words 0..2 and a valid checksum")
{
    SECTION("QEMU's default MAC 52:54:00:12:34:56")
    {
        E82576Model m;
        const std::uint32_t word0 = nvm_word(m, 0);
        CHECK((word0 & eerd::DONE) != 0);
        CHECK((word0 & eerd::ADDR_MASK) == 0);
        CHECK(word0 >> eerd::DATA_SHIFT == 0x5452);
        CHECK(nvm_word(m, 1) >> eerd::DATA_SHIFT == 0x1200);
        CHECK(nvm_word(m, 2) >> eerd::DATA_SHIFT == 0x5634);
        CHECK(m.pf().read32(RAL(0)) == 0x12005452);
        CHECK(m.pf().read32(RAH(0)) == 0x80005634);  // AV, pool 0
    }
    SECTION("a MAC the test chooses")
    {
        E82576Model m(MacAddress::parse("02:11:22:33:44:55"));
        CHECK(nvm_word(m, 0) >> 16 == 0x1102);
        CHECK(nvm_word(m, 1) >> 16 == 0x3322);
        CHECK(nvm_word(m, 2) >> 16 == 0x5544);
        CHECK(m.pf().read32(RAL(0)) == 0x33221102);
        CHECK(m.pf().read32(RAH(0)) == 0x80005544);

        std::uint16_t sum = 0;
        for (unsigned word = 0; word <= 0x3F; ++word)
            sum = static_cast<std::uint16_t>(sum + (nvm_word(m, word) >> 16));
        CHECK(sum == 0xBABA);
        CHECK(nvm_word(m, 11) >> 16 == 0x10C9);
        CHECK(nvm_word(m, 13) >> 16 == 0x10C9);
        CHECK(nvm_word(m, 0x37) >> 16 == 0xFFFF);
        CHECK(nvm_word(m, 0x37) == (0xFFFFu << 16 | 0x37u << 2 | eerd::DONE));
    }
    SECTION("a new NVM MAC reaches RAL0/RAH0 at the next reset")
    {
        E82576Model m;
        m.set_nvm_mac(MacAddress::parse("02:00:00:00:00:01"));
        CHECK(nvm_word(m, 2) >> 16 == 0x0100);
        CHECK(m.pf().read32(RAH(0)) == 0x80005634);
        m.pf().write32(CTRL.offset, ctrl::RST);
        CHECK(m.pf().read32(RAL(0)) == 0x00000002);
        CHECK(m.pf().read32(RAH(0)) == 0x80000100);
    }
    SECTION("without START nothing is read")
    {
        E82576Model m;
        m.pf().write32(EERD.offset, 1u << eerd::ADDR_SHIFT);
        CHECK(m.pf().read32(EERD.offset) == 1u << eerd::ADDR_SHIFT);
    }
}

TEST_CASE("model: MDIC answers PHY address 1 only, and an autoneg restart brings the link up")
{
    E82576Model m;
    auto& pf = m.pf();
    pf.write32(MDIC.offset, 2u << mdic::PHY_SHIFT | phy::BMCR << mdic::REG_SHIFT | mdic::OP_READ);
    CHECK((pf.read32(MDIC.offset) & (mdic::READY | mdic::ERROR)) == (mdic::READY | mdic::ERROR));

    restart_autoneg(m);
    const std::uint32_t mdic_value = pf.read32(MDIC.offset);
    CHECK((mdic_value & mdic::READY) != 0);
    CHECK((mdic_value & mdic::ERROR) == 0);
    CHECK((pf.read32(STATUS.offset) & 0xC3) == (status::LU | status::FD | status::SPEED_1000));
    CHECK((m.peek(ICR.offset) & icr::LSC) != 0);

    // ANRESTART is self-clearing; AN enable stays.
    pf.write32(MDIC.offset, 1u << mdic::PHY_SHIFT | phy::BMCR << mdic::REG_SHIFT | mdic::OP_READ);
    CHECK((pf.read32(MDIC.offset) & mdic::DATA_MASK) == 0x1000);
    CHECK(m.phy_register(phy::BMCR) == 0x1000);

    // Other PHY registers read back what was written.
    pf.write32(MDIC.offset, 1u << mdic::PHY_SHIFT | 4u << mdic::REG_SHIFT | mdic::OP_WRITE | 0x01E1);
    pf.write32(MDIC.offset, 1u << mdic::PHY_SHIFT | 4u << mdic::REG_SHIFT | mdic::OP_READ);
    CHECK((pf.read32(MDIC.offset) & mdic::DATA_MASK) == 0x01E1);

    // A restart without AN enable does nothing to the link.
    E82576Model other;
    other.pf().write32(MDIC.offset, 1u << mdic::PHY_SHIFT | mdic::OP_WRITE | phy::BMCR_ANRESTART);
    CHECK((other.pf().read32(STATUS.offset) & status::LU) == 0);
}

TEST_CASE("model: the link follows autoneg and the cable, with LSC on each change")
{
    E82576Model m;
    auto& pf = m.pf();
    m.set_autoneg(Autoneg::on_demand);
    restart_autoneg(m);
    CHECK((pf.read32(STATUS.offset) & status::LU) == 0);
    CHECK((m.peek(ICR.offset) & icr::LSC) == 0);
    m.complete_autoneg();
    CHECK((pf.read32(STATUS.offset) & status::LU) != 0);
    CHECK((m.peek(ICR.offset) & icr::LSC) != 0);

    pf.write32(ICR.offset, 0xFFFFFFFF);
    m.set_link(false);
    CHECK((pf.read32(STATUS.offset) & status::LU) == 0);
    CHECK((m.peek(ICR.offset) & icr::LSC) != 0);

    pf.write32(ICR.offset, 0xFFFFFFFF);
    m.set_link(true);
    m.complete_autoneg();
    CHECK((pf.read32(STATUS.offset) & status::LU) != 0);
    CHECK((m.peek(ICR.offset) & icr::LSC) != 0);

    // Negotiating without a cable leaves the link down.
    m.set_link(false);
    restart_autoneg(m);
    m.complete_autoneg();
    CHECK((pf.read32(STATUS.offset) & status::LU) == 0);
}

TEST_CASE("model: a new VMMB interrupts the PF once; while VMMB stays set, nothing more comes")
{
    E82576Model m;
    m.set_num_vfs(2);
    pf_ready(m);
    linux_other_interrupt(m);
    auto& pf = m.pf();

    m.vf(0).write32(VFMAILBOX.offset, vfmailbox::REQ);
    CHECK(m.pf_other_interrupts() == 1);
    CHECK(m.pf_interrupts(0) == 1);
    CHECK(pf.read32(EICR.offset) == 0);  // EIAC auto-cleared vector 0

    // The trap: the PF has not cleared ICR.VMMB, so the ACK of VF 1 raises no interrupt.
    m.vf(1).write32(VFMAILBOX.offset, vfmailbox::ACK);
    CHECK(pf.read32(MBVFICR.offset) == 0x00020001);
    CHECK(m.pf_other_interrupts() == 1);

    CHECK((pf.read32(ICR.offset) & icr::VMMB) != 0);  // GPIE.NSICR: this read clears ICR
    CHECK(m.peek(ICR.offset) == 0);
    m.vf(0).write32(VFMAILBOX.offset, vfmailbox::REQ);
    CHECK(m.pf_other_interrupts() == 2);

    // A VF reset raises the same cause.
    pf.read32(ICR.offset);
    m.vf(1).write32(VTCTRL.offset, vtctrl::RST);
    CHECK(m.pf_other_interrupts() == 3);
}

TEST_CASE("model: an EICR bit left set also blocks the next PF interrupt")
{
    E82576Model m;
    m.set_num_vfs(1);
    pf_ready(m);
    linux_other_interrupt(m, false);  // no EIAC auto-clear
    auto& pf = m.pf();

    m.vf(0).write32(VFMAILBOX.offset, vfmailbox::REQ);
    CHECK(m.pf_other_interrupts() == 1);
    pf.read32(ICR.offset);
    m.vf(0).write32(VFMAILBOX.offset, vfmailbox::REQ);
    CHECK(m.pf_other_interrupts() == 1);  // EICR bit 0 still set

    CHECK(pf.read32(EICR.offset) == 0x1);
    pf.read32(ICR.offset);
    m.vf(0).write32(VFMAILBOX.offset, vfmailbox::REQ);
    CHECK(m.pf_other_interrupts() == 2);
}

TEST_CASE("model: a pending cause interrupts when IMS enables it; an invalid IVAR_MISC sends nothing")
{
    E82576Model m;
    m.set_num_vfs(1);
    pf_ready(m);
    auto& pf = m.pf();
    pf.write32(GPIE.offset, gpie::MSIX_MODE);
    pf.write32(IVAR_MISC.offset, ivar::misc_other(3));
    pf.write32(EIMS.offset, 1u << 3);

    m.vf(0).write32(VFMAILBOX.offset, vfmailbox::REQ);
    CHECK(m.pf_interrupts(3) == 0);
    pf.write32(IMS.offset, icr::VMMB);
    CHECK(m.pf_interrupts(3) == 1);
    CHECK(m.pf_other_interrupts() == 1);
    CHECK(pf.read32(EICR.offset) == 1u << 3);

    E82576Model invalid;
    invalid.set_num_vfs(1);
    invalid.pf().write32(GPIE.offset, gpie::MSIX_MODE | gpie::NSICR);
    invalid.pf().write32(IVAR_MISC.offset, 0 << 8);  // vector 0, not VALID
    invalid.pf().write32(EIMS.offset, 0x1);
    invalid.pf().write32(IMS.offset, icr::VMMB);
    invalid.vf(0).write32(VFMAILBOX.offset, vfmailbox::REQ);
    CHECK(invalid.pf_interrupts(0) == 0);
    CHECK(invalid.peek(EICR.offset) == 0);
    CHECK((invalid.peek(ICR.offset) & icr::VMMB) != 0);
}

TEST_CASE("model: ICR clears on read with NSICR or outside MSI-X mode, else by writing 1s")
{
    E82576Model m;
    auto& pf = m.pf();
    SECTION("GPIE.NSICR: a read clears")
    {
        pf.write32(GPIE.offset, gpie::MSIX_MODE | gpie::NSICR);
        pf.write32(IMS.offset, icr::VMMB);
        pf.write32(ICS.offset, icr::VMMB);
        CHECK(pf.read32(ICR.offset) == icr::VMMB);
        CHECK(pf.read32(ICR.offset) == 0);
    }
    SECTION("MSI-X mode without NSICR: a read does not clear, writing 1s does")
    {
        pf.write32(GPIE.offset, gpie::MSIX_MODE);
        pf.write32(IMS.offset, icr::VMMB);
        pf.write32(ICS.offset, icr::VMMB | icr::LSC);
        CHECK(pf.read32(ICR.offset) == (icr::VMMB | icr::LSC));
        CHECK(pf.read32(ICR.offset) == (icr::VMMB | icr::LSC));
        pf.write32(ICR.offset, icr::VMMB);
        CHECK(pf.read32(ICR.offset) == icr::LSC);
    }
    SECTION("outside MSI-X mode: INT_ASSERTED, one interrupt, and a read clears")
    {
        pf.write32(IMS.offset, icr::VMMB);
        pf.write32(ICS.offset, icr::VMMB);
        CHECK(m.pf_interrupts(0) == 1);
        CHECK(m.pf_other_interrupts() == 1);
        CHECK(pf.read32(ICR.offset) == (icr::VMMB | icr::INT_ASSERTED));
        CHECK(pf.read32(ICR.offset) == 0);
    }
    SECTION("IMC disables causes; reading IMC shows IMS")
    {
        pf.write32(IMS.offset, icr::VMMB | icr::LSC);
        pf.write32(IMC.offset, icr::LSC);
        CHECK(pf.read32(IMS.offset) == icr::VMMB);
        CHECK(pf.read32(IMC.offset) == icr::VMMB);
    }
}

TEST_CASE("model: EICR clears entirely on read and bit by bit on write")
{
    E82576Model m;
    auto& pf = m.pf();
    pf.write32(GPIE.offset, gpie::MSIX_MODE);
    pf.write32(EICS.offset, 0x5);
    CHECK(m.peek(EICR.offset) == 0x5);
    pf.write32(EICR.offset, 0x1);
    CHECK(m.peek(EICR.offset) == 0x4);
    CHECK(pf.read32(EICR.offset) == 0x4);
    CHECK(pf.read32(EICR.offset) == 0);
    CHECK(m.pf_interrupts(0) == 0);  // nothing enabled in EIMS
}

TEST_CASE("model: the VF is notified of each STS and ACK, on the vector QEMU's quirk picks")
{
    E82576Model m;
    m.set_num_vfs(2);
    pf_ready(m);
    auto& pf = m.pf();
    auto& vf = m.vf(1);
    std::vector<Interrupt> hooked;
    m.set_interrupt_hook([&](const Interrupt& i) {
        hooked.push_back(i);
        m.vf_mailbox_bits(1);  // the hook runs outside the model's lock
    });

    pf.write32(GPIE.offset, gpie::MSIX_MODE);
    vf.write32(VTIVAR_MISC.offset, 2 | ivar::VALID);  // igbvf: mailbox on vector 2
    vf.write32(VTEIAC.offset, 0x7);
    vf.write32(VTEIMS.offset, 0x7);
    CHECK(m.peek(EIMS.offset) == 0x7u << 19);  // VF 1 owns causes 19..21
    CHECK(vf.read32(VTEIMS.offset) == 0x7);

    pf.write32(P2VMAILBOX.at(1), p2vmailbox::STS);
    CHECK(m.vf_mailbox_notifications(1) == 1);
    CHECK(m.vf_interrupts(1, 1) == 1);  // vector 2 used as a mask: bit 1
    CHECK(m.vf_interrupts(1, 2) == 0);
    REQUIRE(hooked.size() == 1);
    CHECK(hooked[0] == Interrupt{false, 1, 1});

    pf.write32(P2VMAILBOX.at(1), p2vmailbox::ACK);
    CHECK(m.vf_mailbox_notifications(1) == 2);
    CHECK(m.vf_interrupts(1) == 2);

    vf.write32(VTIVAR_MISC.offset, 0 | ivar::VALID);  // vector 0: no bit at all
    pf.write32(P2VMAILBOX.at(1), p2vmailbox::STS);
    CHECK(m.vf_mailbox_notifications(1) == 3);
    CHECK(m.vf_interrupts(1) == 2);
    CHECK(m.vf_interrupts(0) == 0);
    CHECK(m.pf_interrupts(0) == 0);
}

TEST_CASE("model: a VF's BAR0 maps onto its PF queues, mailbox memory, STATUS and counters")
{
    E82576Model m;
    m.set_num_vfs(3);
    pf_ready(m);
    auto& pf = m.pf();
    auto& vf = m.vf(2);

    vf.write32(VF_RDBAL(0), 0x12345000);
    CHECK(m.peek(RDBAL(2)) == 0x12345000);
    vf.write32(VF_TDLEN(1), 0x1000);
    CHECK(m.peek(TDLEN(10)) == 0x1000);
    pf.write32(RDH(2), 5);
    CHECK(vf.read32(VF_RDH(0)) == 5);
    vf.write32(VF_TXDCTL(0), xdctl::ENABLE);
    CHECK(m.peek(TXDCTL(2)) == xdctl::ENABLE);

    vf.write32(VF_VMBMEM.at(3), 0xCAFE);
    CHECK(m.peek(VMBMEM.at(2) + 12) == 0xCAFE);
    pf.write32(VMBMEM.at(2), 0x80000001);
    CHECK(vf.read32(VF_VMBMEM.at(0)) == 0x80000001);

    restart_autoneg(m);
    const std::uint32_t status = vf.read32(VTSTATUS.offset);
    CHECK(status == pf.read32(STATUS.offset));
    CHECK((status & status::LU) != 0);
    CHECK((status & status::NUM_VFS_MASK) == 3u << 14);
    vf.write32(VTSTATUS.offset, 0);
    CHECK(vf.read32(VTSTATUS.offset) == status);

    m.poke(PVFGPRC(2), 77);
    CHECK(vf.read32(VFGPRC.offset) == 77);
    vf.write32(VFGPRC.offset, 0);  // read-only
    CHECK(vf.read32(VFGPRC.offset) == 77);

    vf.write32(VTEITR.at(1), 0x188);
    CHECK(m.peek(EITR.at(16 + 1)) == 0x188);  // VF 2's causes start at 22 - 3 * 2 = 16

    // Offsets outside the VF's register list read 0 and ignore writes.
    vf.write32(QDE.offset, 0xFFFF);
    CHECK(m.peek(QDE.offset) == 0);
    CHECK(vf.read32(QDE.offset) == 0);
    vf.write32(RCTL.offset, rctl::EN);
    CHECK(m.peek(RCTL.offset) == 0);
    CHECK(vf.read32(VTFRTIMER.offset) == 0);

    // A VF that is not enabled is not there.
    CHECK(m.vf(3).read32(VTSTATUS.offset) == 0xFFFFFFFF);
    m.vf(3).write32(VF_VMBMEM.offset, 1);
    CHECK(m.peek(VMBMEM.at(3)) == 0);
}

TEST_CASE("model: a PF thread and a VF thread contending for the mailbox never both hold it")
{
    E82576Model m;
    m.set_num_vfs(1);
    pf_ready(m);
    std::atomic<bool> stop{false};
    std::atomic<bool> pf_holds{false};
    std::atomic<bool> vf_holds{false};
    std::atomic<int> overlaps{0};
    std::atomic<long> pf_grants{0};
    std::atomic<long> vf_grants{0};

    // Each side takes the lock, does a little work while holding it, and releases it; the pauses
    // differ so the two threads do not fall into a lockstep in which one side always loses.
    std::thread pf_thread([&] {
        auto& pf = m.pf();
        for (long i = 0; !stop; ++i) {
            pf.write32(P2VMAILBOX.at(0), p2vmailbox::PFU);
            if (pf.read32(P2VMAILBOX.at(0)) & p2vmailbox::PFU) {
                pf_holds = true;
                pf.read32(VMBMEM.at(0));
                if (vf_holds)
                    ++overlaps;
                ++pf_grants;
                pf_holds = false;
            }
            pf.write32(P2VMAILBOX.at(0), 0);
            if (i % 3 == 0)
                std::this_thread::yield();
        }
    });
    std::thread vf_thread([&] {
        auto& vf = m.vf(0);
        for (long i = 0; !stop; ++i) {
            vf.write32(VFMAILBOX.offset, vfmailbox::VFU);
            if (vf.read32(VFMAILBOX.offset) & vfmailbox::VFU) {
                vf_holds = true;
                vf.read32(VF_VMBMEM.offset);
                if (pf_holds)
                    ++overlaps;
                ++vf_grants;
                vf_holds = false;
            }
            vf.write32(VFMAILBOX.offset, 0);
            if (i % 5 == 0)
                std::this_thread::yield();
        }
    });
    // Enough grants on both sides to make an overlap likely if arbitration were wrong. The deadline
    // only stops a hang: on a loaded machine the threads may get little time, so it is generous.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((pf_grants < 5000 || vf_grants < 5000) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    stop = true;
    pf_thread.join();
    vf_thread.join();

    CAPTURE(pf_grants.load(), vf_grants.load());
    CHECK(overlaps == 0);
    CHECK(pf_grants >= 5000);
    CHECK(vf_grants >= 5000);
}

namespace {

// VF 1's queue 0 as a driver leaves it for traffic, rings of 8 descriptors in `mem` at IOVA
// 0x10000 (RX ring), 0x10080 (TX ring) and 2 KiB buffers from 0x11000, link up, RCTL.EN with
// SECRC, TCTL.EN (sections 2.3, 4.1-4.5). The descriptors are written out from the fact sheet.
struct VfQueues {
    static constexpr unsigned vf = 1;
    static constexpr std::uint32_t ring = 8;
    static constexpr std::uint64_t rx_ring = 0x10000, tx_ring = 0x10080, buffers = 0x11000;
    E82576Model& m;
    std::vector<std::uint64_t> mem = std::vector<std::uint64_t>((0x1000 + ring * 2048) / 8);

    explicit VfQueues(E82576Model& model) : m(model)
    {
        m.set_num_vfs(2);
        restart_autoneg(m);
        m.pf().write32(RCTL.offset, rctl::EN | rctl::SECRC);
        m.pf().write32(TCTL.offset, tctl::EN);
        m.attach_dma(rx_ring, mem.data(), mem.size() * 8);
        auto& v = m.vf(vf);
        v.write32(VF_RDBAL(0), static_cast<std::uint32_t>(rx_ring));
        v.write32(VF_RDLEN(0), ring * 16);
        v.write32(VF_SRRCTL(0), 2 | srrctl::DESCTYPE_ADV_ONEBUF);
        v.write32(VF_RXDCTL(0), xdctl::ENABLE);
        v.write32(VF_TDBAL(0), static_cast<std::uint32_t>(tx_ring));
        v.write32(VF_TDLEN(0), ring * 16);
        v.write32(VF_TXDCTL(0), xdctl::ENABLE);
        for (std::uint32_t i = 0; i < ring; ++i)
            rx_desc(i)[0] = buffer(i);  // read format: packet address, header address 0
    }
    std::uint64_t buffer(std::uint32_t i) const { return buffers + i * 2048; }
    std::uint64_t* rx_desc(std::uint32_t i) { return &mem[2 * i]; }
    std::uint32_t* rx_words(std::uint32_t i) { return reinterpret_cast<std::uint32_t*>(rx_desc(i)); }
    std::uint32_t* tx_words(std::uint32_t i) { return reinterpret_cast<std::uint32_t*>(&mem[16 + 2 * i]); }
    std::uint8_t* buffer_bytes(std::uint32_t i)
    {
        return reinterpret_cast<std::uint8_t*>(&mem[(0x1000 + i * 2048) / 8]);
    }
    // An advanced data descriptor of one whole frame of `length` bytes from buffer i, with RS.
    void queue_tx(std::uint32_t slot, std::uint32_t length)
    {
        tx_words(slot)[0] = static_cast<std::uint32_t>(buffer(slot));
        tx_words(slot)[1] = 0;
        tx_words(slot)[2] = 0x2B300000u | length;  // DTYP data, EOP, IFCS, RS, DEXT (4.3)
        tx_words(slot)[3] = length << 14;          // PAYLEN, DD clear
    }
};

}  // namespace

TEST_CASE("model: with a device thread, TDT sends nothing until complete_tx, which keeps no frame")
{
    E82576Model m;
    VfQueues q(m);
    m.pf().write32(MRQC.offset, mrqc::VMDQ);
    m.pf().write32(VFTE.offset, 1u << VfQueues::vf);
    m.set_descriptor_work(sriov::model::DescriptorWork::device_thread);
    for (std::uint32_t i = 0; i < 3; ++i)
        q.queue_tx(i, 100 + i);
    m.vf(VfQueues::vf).write32(VF_TDT(0), 3);
    CHECK((q.tx_words(0)[3] & 1) == 0);  // no DD: nothing was sent inside the write
    CHECK(m.vf(VfQueues::vf).read32(VF_TDH(0)) == 0);

    CHECK(m.complete_tx(VfQueues::vf) == 3);
    for (std::uint32_t i = 0; i < 3; ++i)
        CHECK(q.tx_words(i)[3] == ((100 + i) << 14 | 1));  // DD OR-ed in (4.5)
    CHECK(m.vf(VfQueues::vf).read32(VF_TDH(0)) == 3);
    CHECK(m.vf(VfQueues::vf).read32(VFGPTC.offset) == 3);
    CHECK(m.vf(VfQueues::vf).read32(VFGOTC.offset) == 303);
    CHECK(m.take_tx(VfQueues::vf).empty());
    CHECK(m.complete_tx(VfQueues::vf) == 0);

    // Back to QEMU's behaviour: the TDT write sends, and the frame is kept for take_tx.
    m.set_descriptor_work(sriov::model::DescriptorWork::in_access);
    q.queue_tx(3, 60);
    q.buffer_bytes(3)[0] = 0xAB;
    m.vf(VfQueues::vf).write32(VF_TDT(0), 4);
    CHECK((q.tx_words(3)[3] & 1) == 1);
    const auto sent = m.take_tx(VfQueues::vf);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].size() == 60);
    CHECK(sent[0][0] == 0xAB);
}

TEST_CASE("model: fill_rx delivers as many copies as are posted, written back as inject_rx does")
{
    E82576Model m;
    VfQueues q(m);
    m.set_descriptor_work(sriov::model::DescriptorWork::device_thread);
    m.vf(VfQueues::vf).write32(VF_RDT(0), 5);  // latched: five slots for the device
    const std::vector<std::uint8_t> frame(42, 0x5A);

    CHECK(m.fill_rx(VfQueues::vf, frame, 2) == 2);  // no more than asked
    CHECK(m.fill_rx(VfQueues::vf, frame, 100) == 3);
    for (std::uint32_t i = 0; i < 5; ++i) {
        CHECK(q.rx_words(i)[2] == 0x3);  // DD | EOP (4.2)
        CHECK(q.rx_words(i)[3] == 60);   // padded to 60 bytes; SECRC: no FCS
        CHECK(q.buffer_bytes(i)[0] == 0x5A);
        CHECK(q.buffer_bytes(i)[59] == 0);
    }
    CHECK(q.rx_words(5)[2] == 0);
    CHECK(m.vf(VfQueues::vf).read32(VF_RDH(0)) == 5);
    CHECK(m.fill_rx(VfQueues::vf, frame, 100) == 0);  // RDH == RDT: full
    CHECK(m.rx_dropped(VfQueues::vf) == 0);            // copies that do not fit are not offered
    CHECK((m.peek(ICR.offset) & icr::RXDW) != 0);

    m.vf(VfQueues::vf).write32(VF_RDT(0), 7);
    CHECK(m.vf(VfQueues::vf).read32(VF_RDT(0)) == 7);  // the latched tail landed before the read
    CHECK(m.fill_rx(VfQueues::vf, frame, 100) == 2);
}

TEST_CASE("model: a device thread completes every descriptor a VF thread posts before its TDT")
{
    E82576Model m;
    VfQueues q(m);
    m.set_descriptor_work(sriov::model::DescriptorWork::device_thread);
    constexpr std::uint32_t frames = 20000;
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> completed{0};
    std::thread device([&] {
        while (!stop.load(std::memory_order_relaxed))
            completed += m.complete_tx(VfQueues::vf);
    });

    // The VF side, as a driver: wait for DD on the oldest descriptor, reuse it, ring TDT.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::uint32_t tail = 0, clean = 0, queued = 0, reclaimed = 0, wrong_length = 0;
    while (reclaimed < frames && std::chrono::steady_clock::now() < deadline) {
        while (clean != tail) {
            const std::uint32_t status
                = std::atomic_ref<std::uint32_t>(q.tx_words(clean)[3]).load(std::memory_order_acquire);
            if (!(status & 1))
                break;
            wrong_length += (status >> 14) != 60 + clean;
            clean = (clean + 1) % VfQueues::ring;
            ++reclaimed;
        }
        if (queued < frames && (tail + 1) % VfQueues::ring != clean) {
            q.queue_tx(tail, 60 + tail);
            tail = (tail + 1) % VfQueues::ring;
            ++queued;
            std::atomic_thread_fence(std::memory_order_release);
            m.vf(VfQueues::vf).write32(VF_TDT(0), tail);
        }
    }
    stop = true;
    device.join();
    CHECK(reclaimed == frames);
    CHECK(wrong_length == 0);
    CHECK(completed == frames);
}
