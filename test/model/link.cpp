// NVM reads through EERD, PHY access through MDIC, and the link (fact sheet section 2.2).
#include "model/device.hpp"

namespace sriov::model::detail {

using namespace e82576;

// NVM contents as QEMU builds them (2.2): MAC in words 0..2 (byte 0 in the low half), the
// device ID in words 11 and 13, no alternate MAC (word 0x37), and a checksum word that makes
// words 0x00..0x3F sum to 0xBABA. Words QEMU copies from its template are 0 here.
void Device::load_nvm(const MacAddress& mac)
{
    nvm_.fill(0);
    const auto& bytes = mac.bytes();
    for (unsigned word = 0; word < 3; ++word)
        nvm_[nvm::MAC_WORD0 + word] = static_cast<std::uint16_t>(bytes[2 * word] | bytes[2 * word + 1] << 8);
    nvm_[nvm::DEVICE_ID_WORD] = device_pf;
    nvm_[nvm::DEVICE_ID_WORD2] = device_pf;
    nvm_[nvm::ALT_MAC_PTR_WORD] = 0xFFFF;
    std::uint16_t sum = 0;
    for (unsigned word = 0; word < nvm::CHECKSUM_WORD; ++word)
        sum = static_cast<std::uint16_t>(sum + nvm_[word]);
    nvm_[nvm::CHECKSUM_WORD] = static_cast<std::uint16_t>(nvm::CHECKSUM_SUM - sum);
}

void Device::set_nvm_mac(const MacAddress& mac)
{
    load_nvm(mac);
}

// After every reset RAL0/RAH0 hold the NVM MAC, valid, in pool 0 (2.2).
void Device::load_receive_address()
{
    reg(RAL(0)) = nvm_[nvm::MAC_WORD0] | static_cast<std::uint32_t>(nvm_[nvm::MAC_WORD0 + 1]) << 16;
    reg(RAH(0)) = nvm_[nvm::MAC_WORD0 + 2] | rah::AV;
}

// EERD (2.2): a write with START reads the word at once; DONE, the address and the data read
// back. A write without START (or beyond the NVM) leaves DONE clear.
void Device::write_eerd(std::uint32_t value)
{
    const std::uint32_t address = (value & eerd::ADDR_MASK) >> eerd::ADDR_SHIFT;
    std::uint32_t result = address << eerd::ADDR_SHIFT;
    if ((value & eerd::START) && address < nvm::size_words)
        result |= eerd::DONE | static_cast<std::uint32_t>(nvm_[address]) << eerd::DATA_SHIFT;
    reg(EERD) = result;
}

// MDIC (2.2): only PHY address 1 answers, anything else sets ERROR (keeping the old contents).
// READY is set at once. With INT_EN the access also raises ICR.MDAC.
void Device::write_mdic(std::uint32_t value)
{
    const unsigned phy_address = (value & mdic::PHY_MASK) >> mdic::PHY_SHIFT;
    const unsigned phy_reg = (value & mdic::REG_MASK) >> mdic::REG_SHIFT;
    if (phy_address != mdic::PHY_ADDR) {
        value = reg(MDIC) | mdic::ERROR;
    } else if (value & mdic::OP_READ) {
        value = (value & ~mdic::DATA_MASK) | phy_[phy_reg];
    } else if (value & mdic::OP_WRITE) {
        write_phy(phy_reg, static_cast<std::uint16_t>(value & mdic::DATA_MASK));
    }
    reg(MDIC) = value | mdic::READY;
    if (value & mdic::INT_EN)
        raise(ICR.offset, icr::MDAC);
}

// BMCR: RESET and ANRESTART are self-clearing, b5:0 reserved. A restart with AN enabled
// negotiates the link (2.2). Other PHY registers are plain storage.
void Device::write_phy(unsigned reg_number, std::uint16_t value)
{
    if (reg_number != phy::BMCR) {
        phy_[reg_number] = value;
        return;
    }
    phy_[phy::BMCR] = value & ~(phy::BMCR_RESET | phy::BMCR_ANRESTART | 0x3F);
    if ((value & phy::BMCR_ANRESTART) && (value & phy::BMCR_ANENABLE))
        restart_autoneg();
}

// Restarting auto-negotiation takes the link down (no LSC) until it completes.
void Device::restart_autoneg()
{
    reg(STATUS) &= ~status::LU;
    autoneg_pending_ = true;
    if (autoneg_mode_ == Autoneg::immediate)
        complete_autoneg();
}

// Auto-negotiation done: with the cable in, the link is up at 1000 Mb/s full duplex and ICR.LSC
// is raised (QEMU raises it on every completion). Without the cable nothing happens.
void Device::complete_autoneg()
{
    if (!autoneg_pending_)
        return;
    autoneg_pending_ = false;
    if (!cable_)
        return;
    negotiated_ = true;
    link_up();
}

void Device::link_up()
{
    reg(STATUS) |= status::LU | status::FD | status::SPEED_1000;
    raise(ICR.offset, icr::LSC);
}

void Device::link_down()
{
    if (!(reg(STATUS) & status::LU))
        return;
    reg(STATUS) &= ~status::LU;
    raise(ICR.offset, icr::LSC);
}

void Device::set_cable(bool connected)
{
    cable_ = connected;
    if (!connected)
        link_down();
    else if (negotiated_ && !(reg(STATUS) & status::LU))
        restart_autoneg();
}

}  // namespace sriov::model::detail
