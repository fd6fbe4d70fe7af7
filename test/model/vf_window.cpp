// The VF's BAR0 mapped onto the PF's state, and the PF's mirror of each VF at 0x10000
// (fact sheet sections 2.1 and 3.1).
//
// As QEMU does, a VF access is translated to a PF register and then handled as that PF access,
// so both views share one behaviour. Registers QEMU keeps outside the PF's BAR (VFMAILBOX,
// VTIVAR, VTIVAR_MISC, and here PBACL/PSRTYPE) are per-VF state. Any other VF offset reads 0
// and ignores writes.
#include "model/device.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

namespace sriov::model::detail {

using namespace e82576;

namespace {

// Fields of a queue's 0x40-byte block that a VF may reach (3.1).
bool vf_rx_field(std::uint32_t field)
{
    switch (field) {
    case 0x00: case 0x04: case 0x08: case 0x0C: case 0x10: case 0x14: case 0x18: case 0x28: case 0x30:
        return true;
    default:
        return false;
    }
}

bool vf_tx_field(std::uint32_t field)
{
    switch (field) {
    case 0x00: case 0x04: case 0x08: case 0x10: case 0x14: case 0x18: case 0x28: case 0x38: case 0x3C:
        return true;
    default:
        return false;
    }
}

}  // namespace

// The PF register a VF offset stands for, or nothing (the offset reads 0, writes are dropped).
std::optional<std::uint32_t> Device::vf_to_pf(unsigned vf, std::uint32_t offset, bool write) const
{
    // VF queue q (0x2800 / 0x3800 + 0x100 q) is PF queue vf + 8 q (3.2).
    for (unsigned q = 0; q < 2; ++q) {
        const unsigned pf_queue = vf + num_pools * q;
        if (offset >= VF_RDBAL(q) && offset < VF_RDBAL(q) + QUEUE_STRIDE && vf_rx_field(offset - VF_RDBAL(q)))
            return RDBAL(pf_queue) + (offset - VF_RDBAL(q));
        if (offset >= VF_TDBAL(q) && offset < VF_TDBAL(q) + QUEUE_STRIDE && vf_tx_field(offset - VF_TDBAL(q)))
            return TDBAL(pf_queue) + (offset - VF_TDBAL(q));
    }
    // The VF's 16 mailbox words are VMBMEM(vf) (5.1).
    if (offset >= VF_VMBMEM.offset && offset < VF_VMBMEM.at(VF_VMBMEM.count))
        return VMBMEM.at(vf) + (offset - VF_VMBMEM.offset);
    // VTEITR(k) is the PF's EITR of the VF's cause k (3.1).
    if (offset >= VTEITR.offset && offset < VTEITR.at(VTEITR.count))
        return EITR.at(eicr::first_vf_cause(vf) + (offset - VTEITR.offset) / VTEITR.stride);

    switch (offset) {
    case VTCTRL.offset:
    case VTCTRL_ALIAS.offset: return PVTCTRL(vf);
    case VTSTATUS.offset: return write ? std::nullopt : std::optional{STATUS.offset};
    case VTEICS.offset: return PVTEICS(vf);
    case VTEIMS.offset: return PVTEIMS(vf);
    case VTEIMC.offset: return PVTEIMC(vf);
    case VTEIAC.offset: return PVTEIAC(vf);
    case VTEIAM.offset: return PVTEIAM(vf);
    case VTEICR.offset: return PVTEICR(vf);
    case VFGPRC.offset: return PVFGPRC(vf);
    case VFGPTC.offset: return PVFGPTC(vf);
    case VFGORC.offset: return PVFGORC(vf);
    case VFGOTC.offset: return PVFGOTC(vf);
    case VFMPRC.offset: return PVFMPRC(vf);
    case VFGPRLBC.offset: return PVFGPRLBC(vf);
    case VFGPTLBC.offset: return PVFGPTLBC(vf);
    case VFGORLBC.offset: return PVFGORLBC(vf);
    case VFGOTLBC.offset: return PVFGOTLBC(vf);
    default: return std::nullopt;  // VTFRTIMER and anything unknown
    }
}

// VF registers kept per VF rather than in the PF's BAR; nullptr for all others.
std::uint32_t* Device::vf_private(unsigned vf, std::uint32_t offset)
{
    switch (offset) {
    case VTIVAR.offset: return &vfs_[vf].vtivar;
    case VTIVAR_MISC.offset: return &vfs_[vf].vtivar_misc;
    case PBACL.offset: return &vfs_[vf].pbacl;
    case PSRTYPE.offset: return &vfs_[vf].psrtype;
    default: return nullptr;
    }
}

namespace {

void check_vf_access(unsigned vf, std::uint32_t offset)
{
    if (vf >= total_vfs)
        throw Error(Errc::invalid_argument, "82576 model", fmt::format("there is no VF {}", vf));
    if (offset % 4 != 0 || offset >= vf_bar_size)
        throw Error(Errc::invalid_argument, fmt::format("82576 model VF {} BAR0", vf),
                    fmt::format("offset {:#x} is not an aligned register in the 16 KiB BAR", offset));
}

}  // namespace

std::uint32_t Device::vf_read(unsigned vf, std::uint32_t offset)
{
    check_vf_access(vf, offset);
    if (vf >= num_vfs_)
        return 0xFFFFFFFF;  // no such function: the read completes with all ones
    if (offset == VFMAILBOX.offset)
        return vf_read_mailbox(vf);
    if (const std::uint32_t* value = vf_private(vf, offset))
        return *value;
    const auto pf_offset = vf_to_pf(vf, offset, false);
    return pf_offset ? pf_read(*pf_offset) : 0;
}

void Device::vf_write(unsigned vf, std::uint32_t offset, std::uint32_t value)
{
    check_vf_access(vf, offset);
    if (vf >= num_vfs_)
        return;
    if (offset == VFMAILBOX.offset)
        return vf_write_mailbox(vf, value);
    if (std::uint32_t* stored = vf_private(vf, offset)) {
        *stored = value;
        if (offset == VTIVAR.offset)
            route_vf_queue_vectors(vf, value);
        return;
    }
    if (const auto pf_offset = vf_to_pf(vf, offset, true))
        pf_write(*pf_offset, value);
}

// Reads of the PF's mirror of VF n (2.1): PVTCTRL reads 0 (only RST acts); the statistics
// counters and the last values written to PVTEI* (3.1: not live state) read as stored.
std::uint32_t Device::pvt_value(std::uint32_t offset) const
{
    const unsigned vf = (offset - PVT_BASE) / PVT_STRIDE;
    return offset == PVTCTRL(vf) ? 0 : reg(offset);
}

// Writes to the PF's mirror of VF n: PVTCTRL.RST resets the VF (5.5), PVTEI* act as the VF's
// VTEI* (3.3); the statistics counters are read-only.
void Device::write_pvt(std::uint32_t offset, std::uint32_t value)
{
    const unsigned vf = (offset - PVT_BASE) / PVT_STRIDE;
    switch (const std::uint32_t field = offset - PVTCTRL(vf)) {
    case PVTCTRL(0) - PVTCTRL(0):
        if (value & vtctrl::RST)
            vf_reset(vf);
        return;
    case PVTEICS(0) - PVTCTRL(0):
    case PVTEIMS(0) - PVTCTRL(0):
    case PVTEIMC(0) - PVTCTRL(0):
    case PVTEIAC(0) - PVTCTRL(0):
    case PVTEIAM(0) - PVTCTRL(0):
    case PVTEICR(0) - PVTCTRL(0):
        return write_vf_interrupt_reg(vf, field, value);
    default:
        return;
    }
}

}  // namespace sriov::model::detail
