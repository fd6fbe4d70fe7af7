// E82576Pf: what the PF programs on a VF's behalf (fact sheet sections 2.3 to 2.5 and 2.10).
// Bring-up is in e82576_bring_up.cpp.
#include "pf/e82576_pf.hpp"

#include "sriov/e82576_regs.hpp"

#include <algorithm>
#include <array>

namespace sriov::pf {

namespace e = e82576;

// Section 2.4. STRCRC stays set as after a reset (only RCTL.SECRC decides in practice).
std::uint32_t E82576Pf::vmolr_for(const VfRxMode& mode) noexcept
{
    std::uint32_t v = e::vmolr::STRCRC;
    if (mode.accept_untagged)
        v |= e::vmolr::AUPE;
    if (mode.accept_broadcast)
        v |= e::vmolr::BAM;
    if (mode.multicast_hashes)
        v |= e::vmolr::ROMPE;
    if (mode.multicast_promisc)
        v |= e::vmolr::MPME;
    if (mode.strip_vlan)
        v |= e::vmolr::STRVLAN;
    if (mode.max_frame != 0)
        v |= e::vmolr::LPE | std::min<std::uint32_t>(mode.max_frame, e::vmolr::RLPML_LIMIT);
    return v;
}

// A receive-address entry: RAL = bytes 0-3, RAH = bytes 4-5 | POOLSEL | AV. RAH goes first when
// clearing and last when setting, so the entry is never valid with half an address.
void E82576Pf::write_rar(unsigned entry, const std::optional<MacAddress>& mac, unsigned pool)
{
    regs_.write32(e::RAH(entry), 0);
    if (!mac) {
        regs_.write32(e::RAL(entry), 0);
        return;
    }
    const auto& b = mac->bytes();
    regs_.write32(e::RAL(entry),
                  std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 |
                      std::uint32_t{b[3]} << 24);
    regs_.write32(e::RAH(entry),
                  std::uint32_t{b[4]} | std::uint32_t{b[5]} << 8 | e::rah::POOLSEL(pool) | e::rah::AV);
}

// Section 2.3: VF n's MAC in entry 23 - n, in pool n.
void E82576Pf::set_vf_mac(unsigned vf, const std::optional<MacAddress>& mac)
{
    write_rar(e::vf_rar_entry(vf), mac, vf);
}

// Sections 2.3 and 5.4: VFRE / VFTE bit n lets pool n receive / transmit.
void E82576Pf::enable_vf_queues(unsigned vf, bool enable)
{
    for (std::uint32_t reg : {e::VFRE.offset, e::VFTE.offset}) {
        if (enable)
            regs_.set_bits(reg, 1u << vf);
        else
            regs_.clear_bits(reg, 1u << vf);
    }
}

void E82576Pf::set_vf_rx_mode(unsigned vf, const VfRxMode& mode)
{
    regs_.write32(e::VMOLR.at(vf), vmolr_for(mode));
}

// The multicast, VLAN and VLAN pool tables emptied, in the chip and in the copies kept of them.
void E82576Pf::clear_filter_tables()
{
    for (unsigned i = 0; i < e::MTA.count; ++i) {
        regs_.write32(e::MTA.at(i), 0);
        regs_.write32(e::VFTA.at(i), 0);
    }
    for (unsigned i = 0; i < e::num_vlvf; ++i)
        regs_.write32(e::VLVF.at(i), 0);
    mta_.fill(0);
    vfta_.fill(0);
    vlvf_.fill(0);
}

// Section 2.1: the MTA is shared by all pools; a pool takes what hits it when VMOLR.ROMPE is set.
// Only the words that change are written.
void E82576Pf::set_multicast_hashes(std::span<const std::uint16_t> hashes)
{
    std::array<std::uint32_t, e::MTA.count> mta{};
    for (std::uint16_t h : hashes)
        mta[e::table4096::dword(h)] |= e::table4096::bit(h);
    for (unsigned i = 0; i < mta.size(); ++i) {
        if (mta[i] == mta_[i])
            continue;
        regs_.write32(e::MTA.at(i), mta[i]);
        mta_[i] = mta[i];
    }
}

// --- VLANs (section 2.5): VFTA says which VLANs are accepted at all, VLVF which pools get them ---
// Both are read from the copies kept of them, never from the chip.

std::optional<unsigned> E82576Pf::find_vlvf(std::uint16_t vid) const
{
    for (unsigned i = 0; i < e::num_vlvf; ++i) {
        const std::uint32_t v = vlvf_[i];
        if ((v & e::vlvf::VI_EN) && (v & e::vlvf::VLANID_MASK) == vid)
            return i;
    }
    return std::nullopt;
}

// As Linux: entry 0 is VLAN 0's; other VLANs take a free entry among 1..31.
std::optional<unsigned> E82576Pf::free_vlvf(std::uint16_t vid) const
{
    if (vid == 0)
        return (vlvf_[0] & e::vlvf::VI_EN) ? std::nullopt : std::optional<unsigned>(0);
    for (unsigned i = 1; i < e::num_vlvf; ++i)
        if (!(vlvf_[i] & e::vlvf::VI_EN))
            return i;
    return std::nullopt;
}

void E82576Pf::write_vlvf(unsigned entry, std::uint32_t value)
{
    regs_.write32(e::VLVF.at(entry), value);
    vlvf_[entry] = value;
}

void E82576Pf::write_vfta_bit(std::uint16_t vid, bool set)
{
    const unsigned word = e::table4096::dword(vid);
    const std::uint32_t value = set ? vfta_[word] | e::table4096::bit(vid) : vfta_[word] & ~e::table4096::bit(vid);
    if (value == vfta_[word])
        return;
    regs_.write32(e::VFTA.at(word), value);
    vfta_[word] = value;
}

bool E82576Pf::set_vf_vlan(unsigned vf, std::uint16_t vid, bool member)
{
    auto entry = find_vlvf(vid);
    if (member) {
        const std::uint32_t pools = entry ? vlvf_[*entry] & e::vlvf::POOLSEL_MASK : 0;
        if (!entry)
            entry = free_vlvf(vid);
        if (!entry)
            return false;
        const std::uint32_t value = e::vlvf::VI_EN | pools | e::vlvf::POOLSEL(vf) | vid;
        if (value != vlvf_[*entry])
            write_vlvf(*entry, value);
        write_vfta_bit(vid, true);
        return true;
    }
    if (!entry)
        return true;
    const std::uint32_t left = vlvf_[*entry] & ~e::vlvf::POOLSEL(vf);
    if (left & e::vlvf::POOLSEL_MASK) {
        if (left != vlvf_[*entry])
            write_vlvf(*entry, left);
        return true;
    }
    // The last pool left the VLAN: drop it from VFTA first, so that its frames do not reach the
    // default pool in between (as Linux does), then free the entry.
    write_vfta_bit(vid, false);
    write_vlvf(*entry, 0);
    return true;
}

void E82576Pf::clear_vf_vlans(unsigned vf)
{
    for (unsigned i = 0; i < e::num_vlvf; ++i) {
        const std::uint32_t v = vlvf_[i];
        if ((v & e::vlvf::VI_EN) && (v & e::vlvf::POOLSEL(vf)))
            set_vf_vlan(vf, static_cast<std::uint16_t>(v & e::vlvf::VLANID_MASK), false);
    }
}

// Section 2.5: VMVIR "always insert the default tag", Linux's port VLAN.
void E82576Pf::set_vf_port_vlan(unsigned vf, const std::optional<std::uint16_t>& tag)
{
    regs_.write32(e::VMVIR.at(vf), tag ? (*tag | e::vmvir::VLANA_DEFAULT) : 0);
}

// Section 2.10: MAC and VLAN anti-spoofing bits of the VF's pool (QEMU stores them and ignores them).
void E82576Pf::set_vf_spoof_check(unsigned vf, bool enable)
{
    const std::uint32_t bits = e::dtxswc::MAC_SPOOF(vf) | e::dtxswc::VLAN_SPOOF(vf);
    if (enable)
        regs_.set_bits(e::DTXSWC.offset, bits);
    else
        regs_.clear_bits(e::DTXSWC.offset, bits);
}

}  // namespace sriov::pf
