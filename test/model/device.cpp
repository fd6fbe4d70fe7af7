// Register storage, reset values and the PF's BAR0 dispatch (fact sheet sections 1, 2.1, 2.2).
#include "model/device.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace sriov::model::detail {

using namespace e82576;

namespace {

constexpr bool in(std::uint32_t offset, std::uint32_t first, std::uint32_t end)
{
    return offset >= first && offset < end;
}

constexpr bool in_array(std::uint32_t offset, const Reg& r)
{
    return in(offset, r.offset, r.at(r.count));
}

constexpr std::uint32_t rx_queues_end = RDBAL(num_queues);
constexpr std::uint32_t tx_queues_end = TDBAL(num_queues);
constexpr std::uint32_t pvt_end = PVTCTRL(total_vfs);

// Queues 0..3 at 0x2800 / 0x3800 + 0x100 * n are the same registers as at 0xC000 / 0xE000
// (section 2.1). Returns the 0xC000 / 0xE000 form of any offset, other offsets unchanged.
std::uint32_t canonical(std::uint32_t offset)
{
    constexpr std::pair<std::uint32_t, std::uint32_t> aliases[] = {{RX_QUEUE_ALIAS_BASE, RDBAL(0)},
                                                                   {TX_QUEUE_ALIAS_BASE, TDBAL(0)}};
    for (auto [alias, queue0] : aliases) {
        if (!in(offset, alias, alias + QUEUE_ALIAS_STRIDE * num_alias_queues))
            continue;
        const std::uint32_t queue = (offset - alias) / QUEUE_ALIAS_STRIDE;
        const std::uint32_t field = (offset - alias) % QUEUE_ALIAS_STRIDE;
        if (field < QUEUE_STRIDE)
            return queue0 + QUEUE_STRIDE * queue + field;
    }
    return offset;
}

}  // namespace

Device::Device(const MacAddress& nvm_mac) : regs_(pf_bar_size / 4)
{
    sent_.reserve(64);
    load_nvm(nvm_mac);
    reset(false);
}

std::uint32_t Device::checked_pf_offset(std::uint32_t offset)
{
    // Section 1: the BAR is 128 KiB and implements aligned 32-bit accesses only.
    if (offset % 4 != 0 || offset >= pf_bar_size)
        throw Error(Errc::invalid_argument, "82576 model PF BAR0",
                    fmt::format("offset {:#x} is not an aligned register in the 128 KiB BAR", offset));
    return canonical(offset);
}

// Reset values (section 2.2, QEMU's reset table). Everything not listed resets to 0.
// A software reset (CTRL.RST) keeps RXPBS, TXPBS and EITR; a power-on reset clears them too.
void Device::reset(bool software)
{
    const std::uint32_t rxpbs = reg(RXPBS);
    const std::uint32_t txpbs = reg(TXPBS);
    std::array<std::uint32_t, EITR.count> eitr{};
    for (unsigned i = 0; i < EITR.count; ++i)
        eitr[i] = reg(EITR.at(i));

    std::fill(regs_.begin(), regs_.end(), 0);
    rttbcnrc_.fill(0);
    reg(VET) = 0x81008100;
    reg(MBVFIMR) = 0xFF;
    reg(VFRE) = 0xFF;
    reg(VFTE) = 0xFF;
    for (unsigned pool = 0; pool < num_pools; ++pool)
        reg(VMOLR.at(pool)) = vmolr::STRCRC | 0x2600;  // RLPML = 0x2600
    reg(RLPML) = 0x2600;
    reg(RPLOLR) = rplolr::STRCRC;
    for (unsigned queue = 0; queue < num_queues; ++queue)
        reg(RXDCTL(queue)) = 1u << xdctl::WTHRESH_SHIFT;
    reg(RXDCTL(0)) |= xdctl::ENABLE;
    reg(TXDCTL(0)) = xdctl::ENABLE;

    if (software) {
        reg(RXPBS) = rxpbs;
        reg(TXPBS) = txpbs;
        for (unsigned i = 0; i < EITR.count; ++i)
            reg(EITR.at(i)) = eitr[i];
    }

    // Every VF mailbox shows RSTI (and nothing else) until the PF writes CTRL_EXT.PFRSTD (5.4).
    vfs_.fill(VfState{});
    // Link down until the driver restarts auto-negotiation (2.2); the PHY starts over.
    phy_.fill(0);
    autoneg_pending_ = false;
    negotiated_ = false;
    load_receive_address();
}

// STATUS (section 2.1): LU/FD/speed from the link; GIO_MASTER_ENABLE until the driver sets
// CTRL.GIO_MASTER_DISABLE (the Linux reset sequence polls for it, 2.2); QEMU adds NUM_VFS and
// IOV_MODE while VFs are enabled.
std::uint32_t Device::status() const
{
    std::uint32_t value = reg(STATUS);
    if (!(reg(CTRL) & ctrl::GIO_MASTER_DISABLE))
        value |= status::GIO_MASTER_ENABLE;
    if (num_vfs_ > 0)
        value |= (num_vfs_ << status::NUM_VFS_SHIFT) | status::IOV_MODE;
    return value;
}

void Device::set_num_vfs(unsigned n)
{
    if (n > total_vfs)
        throw Error(Errc::invalid_argument, "82576 model",
                    fmt::format("{} VFs requested; the 82576 has {}", n, total_vfs));
    num_vfs_ = n;
}

std::uint32_t Device::pf_read(std::uint32_t offset)
{
    offset = checked_pf_offset(offset);
    const std::uint32_t value = pf_value(offset);
    pf_read_effects(offset);
    return value;
}

std::uint32_t Device::pf_peek(std::uint32_t offset) const
{
    return pf_value(checked_pf_offset(offset));
}

void Device::pf_poke(std::uint32_t offset, std::uint32_t value)
{
    reg(checked_pf_offset(offset)) = value;
}

// What a PF read returns; pf_read_effects() does what the read changes.
std::uint32_t Device::pf_value(std::uint32_t offset) const
{
    if (in_array(offset, P2VMAILBOX))
        return pf_mailbox_value((offset - P2VMAILBOX.offset) / P2VMAILBOX.stride);
    if (in(offset, PVT_BASE, pvt_end))
        return pvt_value(offset);
    if (offset == STATUS.offset)
        return status();
    if (offset == RTTBCNRC.offset)
        return rttbcnrc_[selected_tx_queue()];
    if (offset == IMC.offset)
        return reg(IMS);  // reading IMC shows IMS (QEMU)
    if (offset == ICS.offset || offset == EICS.offset || offset == EIMC.offset)
        return 0;  // write-only
    return reg(offset);
}

void Device::pf_read_effects(std::uint32_t offset)
{
    if (offset == ICR.offset) {
        read_icr_effects();  // section 2.7
    } else if (offset == EICR.offset || offset == WVBR.offset) {
        reg(offset) = 0;  // read-to-clear (2.7, 2.10)
    } else if (in(offset, RDBAL(0), rx_queues_end) && (offset - RDBAL(0)) % QUEUE_STRIDE == 0x30) {
        reg(offset) = 0;  // RQDPC is read-to-clear (never counts in QEMU)
    }
}

void Device::pf_write(std::uint32_t offset, std::uint32_t value)
{
    offset = checked_pf_offset(offset);

    if (in_array(offset, P2VMAILBOX))
        return pf_write_mailbox((offset - P2VMAILBOX.offset) / P2VMAILBOX.stride, value);
    if (in(offset, PVT_BASE, pvt_end))
        return write_pvt(offset, value);
    if (in(offset, RDBAL(0), rx_queues_end) || in(offset, TDBAL(0), tx_queues_end))
        return write_queue(offset, value);
    if (in_array(offset, EITR)) {
        reg(offset) = value & ~eitr::CNT_IGNR;  // reads back without CNT_IGNR (2.8); no throttling
        return;
    }

    switch (offset) {
    case CTRL.offset: return write_ctrl(value);
    case STATUS.offset: return;  // read-only
    case EERD.offset: return write_eerd(value);
    case CTRL_EXT.offset: return write_ctrl_ext(value);
    case MDIC.offset: return write_mdic(value);
    // Section 2.7: ICS sets causes, IMS enables them (QEMU keeps only the bits it implements),
    // IMC disables; ICR write clears the written causes.
    case ICS.offset: return raise(ICR.offset, value);
    case IMS.offset: return raise(IMS.offset, value & 0x77D4FBFD);
    case IMC.offset: return lower(IMS.offset, value);
    case ICR.offset: return write_icr(value);
    case EICS.offset: return raise(EICR.offset, value & eicr_mask());
    case EIMS.offset: return raise(EIMS.offset, value & eicr_mask());
    case EIMC.offset: return lower(EIMS.offset, value & eicr_mask());
    case EIAC.offset: return write_eiac(value);
    case EICR.offset: return lower(EICR.offset, value & eicr_mask());
    // Write-1-to-clear event registers (2.1).
    case MBVFICR.offset:
    case VFLRE.offset: reg(offset) &= ~value; return;
    case WVBR.offset: return;  // spoof events are never recorded by QEMU (2.10)
    // QEMU drops rate-limiter writes (2.9); the model keeps one RTTBCNRC per queue, as the chip
    // does, so tests can check what a PF driver wrote for each queue.
    case RTTBCNRC.offset: rttbcnrc_[selected_tx_queue()] = value; return;
    default:
        // Everything else is plain storage, including what QEMU stores but ignores or does not
        // implement (DTXSWC, VMOLR.MPME/ROPE, RTTDQSEL/RTTBCNRM, IOVCTL, QDE, MBVFIMR, EIAM),
        // so tests can check what a PF driver wrote.
        reg(offset) = value;
    }
}

// CTRL (2.2): RST is self-clearing and resets the device synchronously inside this write.
void Device::write_ctrl(std::uint32_t value)
{
    reg(CTRL) = value & ~ctrl::RST;
    if (value & ctrl::RST)
        reset(true);
}

// The TX queue RTTDQSEL selects for RTTBCNRC (2.9). Only the bits that can name one of the 16
// queues count (an assumption: the datasheet's field width is not in the fact sheet).
std::uint32_t Device::selected_tx_queue() const
{
    return reg(RTTDQSEL) % num_queues;
}

// Queue registers (2.1): QEMU masks RDBAL/TDBAL to b31:5, RDLEN/TDLEN to b19:4, heads and tails
// to 16 bits; RXDCTL/TXDCTL.ENABLE read back as written.
void Device::write_queue(std::uint32_t offset, std::uint32_t value)
{
    const std::uint32_t field = offset % QUEUE_STRIDE;
    switch (field) {
    case 0x00: value &= ~0x1Fu; break;      // RDBAL / TDBAL
    case 0x08: value &= 0x000FFFF0u; break;  // RDLEN / TDLEN
    case 0x10: value &= 0xFFFFu; break;      // RDH / TDH
    case 0x18: value &= 0xFFFFu; break;      // RDT / TDT
    default: break;
    }
    reg(offset) = value;
    // 4.5: a TDT write processes the TX ring synchronously, unless a device thread does it
    // (defer_tx). (A RDT write only posts buffers; RX happens when the test injects a frame.)
    if (offset >= TDBAL(0) && field == 0x18 && !defer_tx_)
        process_tx((offset - TDBAL(0)) / QUEUE_STRIDE, true);
}

}  // namespace sriov::model::detail
