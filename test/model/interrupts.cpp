// Interrupt causes and the messages they turn into (fact sheet sections 2.7 and 3.3).
//
// The model records which MSI-X messages the device would send instead of timing them. A
// message goes out only on a 0->1 edge: an ICR cause newly set while enabled in IMS, then (in
// MSI-X mode) an EICR cause newly set while enabled in EIMS. A cause the driver did not clear
// blocks every later interrupt for it; that is the device's behaviour and the model keeps it.
#include "model/device.hpp"

namespace sriov::model::detail {

using namespace e82576;

bool Device::msix_mode() const
{
    return (reg(GPIE) & gpie::MSIX_MODE) != 0;
}

// EICS/EIMS/EIMC/EICR writes use only the bits of the current mode (2.7).
std::uint32_t Device::eicr_mask() const
{
    return msix_mode() ? eicr::MSIX_MASK : eicr::LEGACY_MASK;
}

// Sets `bits` in ICR, IMS, EICR or EIMS, then sends what became pending and enabled.
void Device::raise(std::uint32_t reg_offset, std::uint32_t bits)
{
    const std::uint32_t old_causes = reg(ICR) & reg(IMS);
    const std::uint32_t old_ecauses = reg(EICR) & reg(EIMS);
    reg(reg_offset) |= bits;

    if (!msix_mode()) {
        // Outside MSI-X mode there is one interrupt (vector 0); ICR.INT_ASSERTED shows that
        // some cause is pending and EICR.OTHER that an ICR cause was signalled.
        reg(ICR) &= ~icr::INT_ASSERTED;
        if (reg(ICR) != 0)
            reg(ICR) |= icr::INT_ASSERTED;
        const std::uint32_t new_causes = reg(ICR) & reg(IMS) & ~old_causes;
        if (new_causes == 0)
            return;
        reg(EICR) |= (new_causes & icr::DRSTA) | eicr::OTHER;
        deliver_to_pf(0);
        return;
    }

    // MSI-X mode: a new ICR cause sets the EICR bit IVAR_MISC names, if that entry is valid
    // (b7:0 for DRSTA, b15:8 for all other causes).
    const std::uint32_t new_causes = reg(ICR) & reg(IMS) & ~old_causes;
    if (new_causes & icr::DRSTA)
        route_other_cause(reg(IVAR_MISC) & 0xFF);
    if (new_causes & ~icr::DRSTA)
        route_other_cause((reg(IVAR_MISC) >> ivar::MISC_OTHER_SHIFT) & 0xFF);

    const std::uint32_t new_ecauses = reg(EICR) & reg(EIMS) & ~old_ecauses;
    for (unsigned cause = 0; cause < eicr::num_causes; ++cause) {
        if (new_ecauses & (1u << cause))
            send(cause);
    }
}

void Device::route_other_cause(std::uint32_t ivar_byte)
{
    if (ivar_byte & ivar::VALID)
        reg(EICR) |= 1u << (ivar_byte & ivar::VECTOR_MASK);
}

// Clears `bits` in ICR, IMS, EICR or EIMS. Nothing is sent by clearing.
void Device::lower(std::uint32_t reg_offset, std::uint32_t bits)
{
    reg(reg_offset) &= ~bits;
    if (!msix_mode() && (reg(ICR) & reg(IMS)) == 0)
        reg(EICR) &= ~eicr::OTHER;
}

// Sends the message for EICR cause `cause` (3.3): causes 22-3n .. 24-3n belong to VF n while it
// exists, as its vectors 0..2; the PF owns causes 0..9; any other cause is dropped. After the
// message, EIAC auto-clears the cause.
void Device::send(unsigned cause)
{
    const unsigned owner = total_vfs - (cause + 2) / eicr::vf_vectors;
    if (owner < num_vfs_) {
        const unsigned vector = (cause + 2) % eicr::vf_vectors;
        ++counters_.vf_vector[owner][vector];
        sent_.push_back(Interrupt{false, owner, vector});
    } else if (cause < eicr::pf_vectors) {
        deliver_to_pf(cause);
    } else {
        ++counters_.dropped;
        return;
    }
    reg(EICR) &= ~(reg(EIAC) & (1u << cause));
}

void Device::deliver_to_pf(unsigned vector)
{
    ++counters_.pf_vector[vector];
    const std::uint32_t other = (reg(IVAR_MISC) >> ivar::MISC_OTHER_SHIFT) & 0xFF;
    if (!msix_mode() || ((other & ivar::VALID) && (other & ivar::VECTOR_MASK) == vector))
        ++counters_.pf_other;
    sent_.push_back(Interrupt{true, 0, vector});
}

// ICR read (2.7): clears all causes with GPIE.NSICR, and outside MSI-X mode; in MSI-X mode
// without NSICR it does not (QEMU still clears while IMS is 0). With NSICR, IAM auto-masks IMS.
void Device::read_icr_effects()
{
    if ((reg(GPIE) & gpie::NSICR) || reg(IMS) == 0 || !msix_mode())
        lower(ICR.offset, ~0u);
    auto_mask();
}

void Device::auto_mask()
{
    if ((reg(GPIE) & gpie::NSICR) || (reg(IMS) != 0 && (reg(ICR) & icr::INT_ASSERTED)))
        lower(IMS.offset, reg(IAM));
}

// ICR write (2.7): clears the causes written as 1.
void Device::write_icr(std::uint32_t value)
{
    auto_mask();
    lower(ICR.offset, value);
}

// EIAC (2.7): only in MSI-X mode, and QEMU only ever adds bits (until a reset).
void Device::write_eiac(std::uint32_t value)
{
    if (msix_mode())
        reg(EIAC) |= value & eicr::MSIX_MASK;
}

// VTEICS / VTEIMS / VTEIMC / VTEIAC / VTEIAM / VTEICR of VF n, from the VF or the PF's mirror
// (3.1, 3.3): bits 2:0 act on the PF's EICS/EIMS/... causes 22-3n .. 24-3n. The written value is
// kept at the PF mirror offset, which is what reads return. VTEIAM has no effect (2.7).
void Device::write_vf_interrupt_reg(unsigned vf, std::uint32_t field, std::uint32_t value)
{
    reg(PVTCTRL(vf) + field) = value;
    const std::uint32_t bits = (value & 0x7) << eicr::first_vf_cause(vf);
    switch (field) {
    case PVTEICS(0) - PVTCTRL(0): return raise(EICR.offset, bits & eicr_mask());
    case PVTEIMS(0) - PVTCTRL(0): return raise(EIMS.offset, bits & eicr_mask());
    case PVTEIMC(0) - PVTCTRL(0): return lower(EIMS.offset, bits & eicr_mask());
    case PVTEIAC(0) - PVTCTRL(0): return write_eiac(bits);
    case PVTEICR(0) - PVTCTRL(0): return lower(EICR.offset, bits & eicr_mask());
    default: return;
    }
}

// The PF wrote STS or ACK for VF n (2.6, 3.3). QEMU raises EICR bits (VTIVAR_MISC & 3) << (22-3n):
// the 2-bit vector number is used as a bit mask, so igbvf's vector 2 arrives on vector 1, vector 1
// on vector 0, and vector 0 sends nothing. Every event is counted, delivered or not.
void Device::notify_vf_mailbox(unsigned vf)
{
    ++counters_.vf_mailbox_notifications[vf];
    const std::uint32_t misc = vfs_[vf].vtivar_misc;
    if (misc & ivar::VALID)
        raise(EICR.offset, (misc & 0x3) << eicr::first_vf_cause(vf));
}

// VTIVAR of VF n (3.1, 3.3): RX queue 0's byte (b7:0) and TX queue 0's byte (b15:8), when
// VALID, name one of the VF's vectors k; QEMU turns that into the PF IVAR entry of PF queue n
// (IVAR[n] byte 0 for RX, byte 1 for TX, section 2.7) holding cause 22 - 3n + k, and ORs it in
// (so an entry only gains bits until a reset). Queue 1's bytes are ignored, as QEMU does.
void Device::route_vf_queue_vectors(unsigned vf, std::uint32_t vtivar)
{
    for (unsigned byte = 0; byte < 2; ++byte) {
        const std::uint32_t entry = (vtivar >> (8 * byte)) & 0xFF;
        if (!(entry & ivar::VALID))
            continue;
        const std::uint32_t cause = eicr::first_vf_cause(vf) + (entry & 0x7);
        reg(IVAR0.at(vf)) |= (cause | ivar::VALID) << (8 * byte);
    }
}

// A frame was written to RX queue `queue` (section 2.7): the EICR cause its IVAR entry names,
// if VALID (IVAR[q] byte 0 for q < 8, IVAR[q - 8] byte 2 otherwise), and ICR.RXDW.
void Device::raise_rx_queue(unsigned queue)
{
    const unsigned shift = queue < 8 ? 0 : 16;
    const std::uint32_t entry = (reg(IVAR0.at(queue % 8)) >> shift) & 0xFF;
    if (entry & ivar::VALID)
        raise(EICR.offset, eicr::CAUSE(entry & ivar::VECTOR_MASK));
    raise(ICR.offset, icr::RXDW);
}

}  // namespace sriov::model::detail
