// E82576Pf: reset, link, pools, receive/transmit, interrupts; the order Linux's igb and the
// fact sheet (sections 2.2, 2.3, 2.7, 5.4) give. Per-VF filters are in e82576_vf_filters.cpp.
#include "pf/e82576_pf.hpp"

#include "pf/register_wait.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

namespace sriov::pf {

namespace e = e82576;

E82576Pf::E82576Pf(dev::RegisterIo& regs, std::string name, Delays delays)
    : regs_(regs), name_(std::move(name)), delays_(delays)
{
}

unsigned E82576Pf::max_vfs() const { return e::max_vfs; }
std::uint16_t E82576Pf::max_frame() const { return e::vmolr::RLPML_LIMIT; }

void E82576Pf::check_vf_count(unsigned num_vfs) const
{
    if (num_vfs > e::max_vfs)
        throw Error(Errc::invalid_argument, name_,
                    fmt::format("{} VFs asked for; the 82576 serves at most {}: pool {} must stay the PF's "
                                "(Linux igb has the same limit)",
                                num_vfs, e::max_vfs, e::max_vfs));
}

MacAddress E82576Pf::bring_up(unsigned num_vfs)
{
    check_vf_count(num_vfs);
    num_vfs_ = num_vfs;

    // The steps, each commented with the fact sheet section it implements where it is defined:
    reset();                            // 2.2  quiesce, CTRL.RST, interrupts masked
    const MacAddress mac = read_mac();  // 2.2  RAL0/RAH0, loaded from the NVM by the reset
    start_link();                       // 2.2  PHY auto-negotiation, CTRL.SLU
    setup_pools(mac);                   // 2.3, 2.4  VMDq pools, switch, filters, PF MAC in RAR0
    enable_rx_tx();                     // 2.3  RCTL, TCTL
    enable_interrupts();                // 2.7  MSI-X vector 0 for link and mailbox causes

    // 5.4 step 1: PF reset done. The VFs' mailboxes leave RSTI and show RSTD; from now on a VF may
    // send VF_RESET. Linux writes it last, once interrupts are on.
    regs_.set_bits(e::CTRL_EXT.offset, e::ctrl_ext::PFRSTD);
    spdlog::debug("{}: brought up for {} VFs (PF pool {}), MAC {}", name_, num_vfs, num_vfs_, mac);
    return mac;
}

// bring_up() without CTRL.RST, which would also reset every VF's queues (QEMU clears all but
// RXPBS, TXPBS and EITR; silicon resets the VFs with the PF), nor PFRSTD, which tells the VFs the
// PF was reset. RAR0 still holds the MAC the NVM gave. The PHY is left alone while the link is up:
// restarting auto-negotiation would take the link down under the running VFs.
MacAddress E82576Pf::resume(unsigned num_vfs)
{
    check_vf_count(num_vfs);
    num_vfs_ = num_vfs;

    const MacAddress mac = read_mac();
    if (!link().up)
        start_link();
    // Interrupts off while the filters are rewritten (2.2 masks them the same way at reset).
    regs_.write32(e::IMC.offset, ~0u);
    setup_pools(mac);
    enable_rx_tx();
    enable_interrupts();
    spdlog::debug("{}: taken back for {} VFs without a reset (PF pool {}), MAC {}", name_, num_vfs, num_vfs_, mac);
    return mac;
}

// PFRSTD again: every VF mailbox shows RSTD, which igbvf takes as a reason to check its link, and
// so to read the control message we left for it (fact sheet 5.4 step 1; QEMU re-applies it on
// every such write). A VF driver treats it as "the PF is ready", which stays true.
void E82576Pf::notify_vfs() { regs_.set_bits(e::CTRL_EXT.offset, e::ctrl_ext::PFRSTD); }

// Section 2.2, "Linux reset (82575/82576)".
void E82576Pf::reset()
{
    // Stop the PF's DMA (GIO master disable) and wait for pending requests to drain. Linux carries
    // on with the reset if they do not, and so do we.
    regs_.set_bits(e::CTRL.offset, e::ctrl::GIO_MASTER_DISABLE);
    if (!poll_register(regs_, {e::STATUS.offset, e::status::GIO_MASTER_ENABLE, 0}, delays_.master_disable))
        spdlog::warn("{}: PCIe master requests still pending after {} us; resetting anyway", name_,
                     delays_.master_disable.count());

    // Mask every interrupt cause, stop receiving and transmitting, then let the chip settle.
    regs_.write32(e::IMC.offset, ~0u);
    regs_.write32(e::RCTL.offset, 0);
    regs_.write32(e::TCTL.offset, e::tctl::PSP);
    regs_.read32(e::STATUS.offset);  // flush the posted writes
    std::this_thread::sleep_for(delays_.quiesce);

    // Software reset. QEMU performs it inside the write and never shows RST; silicon clears RST
    // when done. Either way every register but RXPBS, TXPBS and EITR returns to its reset value,
    // and every VF mailbox shows RSTI until PFRSTD is written.
    regs_.write32(e::CTRL.offset, regs_.read32(e::CTRL.offset) | e::ctrl::RST);
    std::this_thread::sleep_for(delays_.after_reset);
    wait_for_register(regs_, {e::CTRL.offset, e::ctrl::RST, 0}, delays_.reset_done, name_,
                      "software reset (CTRL.RST) did not complete");

    // Silicon reloads its NVM after the reset and then sets EECD.AUTO_RD; QEMU never sets it, so
    // (as in Linux) running out of time here is not an error.
    if (!poll_register(regs_, {e::EECD.offset, e::eecd::AUTO_RD, e::eecd::AUTO_RD}, delays_.nvm_auto_read))
        spdlog::debug("{}: EECD.AUTO_RD not set after the reset (normal under QEMU)", name_);

    // Interrupts stay masked; forget any cause latched during the reset.
    regs_.write32(e::IMC.offset, ~0u);
    regs_.write32(e::ICR.offset, ~0u);
    regs_.read32(e::ICR.offset);
}

// Section 2.2, "MAC address": the reset loads RAL0/RAH0 from NVM words 0-2; Linux reads it there.
MacAddress E82576Pf::read_mac()
{
    const std::uint32_t ral = regs_.read32(e::RAL(0));
    const std::uint32_t rah = regs_.read32(e::RAH(0));
    auto byte = [](std::uint32_t w, unsigned n) { return static_cast<std::uint8_t>(w >> (8 * n)); };
    const MacAddress mac(
        {byte(ral, 0), byte(ral, 1), byte(ral, 2), byte(ral, 3), byte(rah, 0), byte(rah, 1)});
    if (!(rah & e::rah::AV) || !mac.is_valid_unicast())
        throw Error(Errc::protocol, name_,
                    fmt::format("no valid MAC address in RAR0 after the reset (RAL0 {:#010x}, RAH0 {:#010x})",
                                ral, rah));
    return mac;
}

// Section 2.2, "Link (QEMU)": restart auto-negotiation in the PHY (MDIC, PHY address 1), then set
// link up. The link comes up some 500 ms later and raises ICR.LSC; nothing waits for it here.
void E82576Pf::start_link()
{
    const std::uint16_t bmcr = phy_read(e::phy::BMCR);
    phy_write(e::phy::BMCR,
              static_cast<std::uint16_t>(bmcr | e::phy::BMCR_ANENABLE | e::phy::BMCR_ANRESTART));

    // CTRL.SLU; speed and duplex come from auto-negotiation, not forced.
    std::uint32_t ctrl = regs_.read32(e::CTRL.offset);
    ctrl |= e::ctrl::SLU;
    ctrl &= ~(e::ctrl::FRCSPD | e::ctrl::FRCDPX | e::ctrl::LRST);
    regs_.write32(e::CTRL.offset, ctrl);
}

// Sections 2.3 and 2.4: VMDq with one pool per VF and pool N for the PF.
void E82576Pf::setup_pools(const MacAddress& mac)
{
    const unsigned pf = pf_pool();

    // Frames matching no filter go to the PF's pool; broadcast and multicast are replicated to
    // every pool that accepts them (Linux igb_setup_mrqc, igb_vmdq_set_replication_pf).
    regs_.write32(e::VT_CTL.offset, e::vt_ctl::DEF_PL(pf) | e::vt_ctl::VM_REPL_EN);
    // VMDq pools without RSS.
    regs_.write32(e::MRQC.offset, e::mrqc::VMDQ);
    // The internal switch: frames between pools are looped back (VM to VM). Anti-spoofing is per
    // VF (set_vf_spoof_check).
    regs_.write32(e::DTXSWC.offset, e::dtxswc::VMDQ_LOOPBACK_EN);
    // The MAC inserts VLAN tags, and strips them from replicated frames (Linux igb_vmm_control).
    regs_.set_bits(e::DTXCTL.offset, e::dtxctl::VLAN_ADDED);
    regs_.set_bits(e::RPLOLR.offset, e::rplolr::STRVLAN);
    // A queue without descriptors drops its frames instead of holding up the others.
    regs_.write32(e::QDE.offset, e::qde::ALL_QUEUES);

    // Every filter starts empty: multicast and unicast hash tables, VLANs, port VLANs, and the
    // receive-address entries of the VFs.
    clear_filter_tables();
    for (unsigned i = 0; i < e::UTA.count; ++i)
        regs_.write32(e::UTA.at(i), 0);
    for (unsigned p = 0; p < e::num_pools; ++p) {
        regs_.write32(e::VMVIR.at(p), 0);
        regs_.write32(e::VMOLR.at(p), vmolr_for(VfRxMode{}));
    }
    for (unsigned entry = 1; entry < e::num_rar; ++entry)
        write_rar(entry, std::nullopt, 0);

    // The PF's own MAC in RAR0, in the PF's pool.
    write_rar(0, mac, pf);

    // Only the PF's pool may receive and transmit; a VF's bit is set when its VF_RESET is served.
    regs_.write32(e::VFRE.offset, 1u << pf);
    regs_.write32(e::VFTE.offset, 1u << pf);
}

// Section 2.3, "RCTL": receive with broadcast, CRC stripped, long packets allowed (each pool's
// VMOLR sets its own limit) and the VLAN filter table on (untagged frames pass by VMOLR.AUPE).
// RX and TX must be on, and the link up, for any VF traffic, even VF to VF (section 6).
void E82576Pf::enable_rx_tx()
{
    regs_.write32(e::RCTL.offset, e::rctl::EN | e::rctl::BAM | e::rctl::SECRC | e::rctl::LPE | e::rctl::VFE);
    regs_.write32(e::TCTL.offset, e::tctl::EN | e::tctl::PSP);
}

// Section 2.7: link changes and VF mailbox events as "other" causes on MSI-X vector 0.
void E82576Pf::enable_interrupts()
{
    // MSI-X mode first: without it QEMU ignores EIAC and the VFs get no interrupts at all.
    // NSICR: reading ICR clears it, so a handled cause can rise (and interrupt) again.
    regs_.write32(e::GPIE.offset, e::gpie::MSIX_MODE | e::gpie::NSICR);
    // No throttling of vector 0 (EITR survives the reset): a VF waits for our answer.
    regs_.write32(e::EITR.at(0), 0);
    // "Other" causes to vector 0; its EICR bit clears itself once the message is sent.
    regs_.write32(e::IVAR_MISC.offset, e::ivar::misc_other(0));
    regs_.write32(e::EIAC.offset, e::eicr::CAUSE(0));
    regs_.write32(e::IAM.offset, 0);
    // Mailbox interrupts of every VF (silicon; QEMU does not look at MBVFIMR).
    regs_.write32(e::MBVFIMR.offset, (1u << e::num_pools) - 1);
    // Start from nothing pending, then enable link change and mailbox, and vector 0. Only the PF's
    // own EICR bit is touched: the others belong to the VFs.
    regs_.write32(e::ICR.offset, ~0u);
    regs_.read32(e::ICR.offset);
    regs_.write32(e::EICR.offset, e::eicr::CAUSE(0));
    regs_.write32(e::IMS.offset, e::icr::LSC | e::icr::VMMB);
    regs_.write32(e::EIMS.offset, e::eicr::CAUSE(0));
}

LinkState E82576Pf::link()
{
    const std::uint32_t status = regs_.read32(e::STATUS.offset);
    LinkState link;
    link.up = (status & e::status::LU) != 0;
    if (link.up) {
        switch (status & e::status::SPEED_MASK) {
        case 0: link.speed_mbps = 10; break;
        case e::status::SPEED_100: link.speed_mbps = 100; break;
        default: link.speed_mbps = 1000; break;
        }
        link.full_duplex = (status & e::status::FD) != 0;
    }
    return link;
}

// Section 2.7: a cause interrupts only when it rises from 0 to 1 while enabled, so the ICR causes
// are cleared before the caller looks at the mailbox: an event arriving meanwhile raises a new
// interrupt instead of being lost. One register access, as Linux igb_msix_other does: the read
// clears ICR (GPIE.NSICR), and vector 0's EICR bit cleared itself when its message was sent
// (EIAC), so neither needs a write.
InterruptCauses E82576Pf::take_interrupt_causes()
{
    const std::uint32_t icr = regs_.read32(e::ICR.offset);
    InterruptCauses causes;
    causes.raw = icr;
    causes.link_change = (icr & e::icr::LSC) != 0;
    causes.mailbox = (icr & e::icr::VMMB) != 0;
    return causes;
}

// --- PHY access through MDIC (section 2.1) ---

std::uint32_t E82576Pf::mdic(std::uint32_t command, std::string_view what)
{
    regs_.write32(e::MDIC.offset, command);
    const std::uint32_t done = wait_for_register(regs_, {e::MDIC.offset, e::mdic::READY, e::mdic::READY},
                                                 delays_.phy_access, name_, what);
    if (done & e::mdic::ERROR)
        throw Error(
            Errc::protocol, name_,
            fmt::format("{}: the PHY answered with an error (MDIC {:#010x}); it is expected at address {}",
                        what, done, e::mdic::PHY_ADDR));
    return done;
}

std::uint16_t E82576Pf::phy_read(unsigned reg)
{
    const std::uint32_t command =
        (reg << e::mdic::REG_SHIFT) | (e::mdic::PHY_ADDR << e::mdic::PHY_SHIFT) | e::mdic::OP_READ;
    const std::uint32_t done = mdic(command, fmt::format("reading PHY register {}", reg));
    return static_cast<std::uint16_t>(done & e::mdic::DATA_MASK);
}

void E82576Pf::phy_write(unsigned reg, std::uint16_t value)
{
    const std::uint32_t command =
        value | (reg << e::mdic::REG_SHIFT) | (e::mdic::PHY_ADDR << e::mdic::PHY_SHIFT) | e::mdic::OP_WRITE;
    mdic(command, fmt::format("writing PHY register {}", reg));
}

}  // namespace sriov::pf
