// The state and behaviour of the modelled 82576, one PF and up to 8 VFs. Not thread-safe:
// E82576Model serialises every call. Behaviour is split by concern:
//   device.cpp      storage, reset values, PF register dispatch, software reset (sections 2.1, 2.2)
//   mailbox.cpp     P2VMAILBOX / VFMAILBOX, PFRSTD, VF reset (sections 2.6, 5.2-5.4)
//   interrupts.cpp  ICR/IMS and EICR/EIMS, message delivery to the PF and VFs (sections 2.7, 3.3)
//   link.cpp        NVM through EERD, PHY through MDIC, link state (section 2.2)
//   vf_window.cpp   the VF's BAR0 mapped onto PF state (section 3.1)
//   rings.cpp       descriptor processing: TX on a TDT write (or complete_tx), RX on a frame
//                   injected by the test (or fill_rx) (section 4)
#pragma once

#include "model/types.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/mac_address.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <optional>
#include <vector>

namespace sriov::model::detail {

inline constexpr std::uint32_t pf_bar_size = 0x20000;  // section 1
inline constexpr std::uint32_t vf_bar_size = 0x4000;

struct Counters {
    std::array<std::uint64_t, e82576::eicr::pf_vectors> pf_vector{};
    std::uint64_t pf_other = 0;
    std::array<std::array<std::uint64_t, e82576::eicr::vf_vectors>, e82576::total_vfs> vf_vector{};
    std::array<std::uint64_t, e82576::total_vfs> vf_mailbox_notifications{};
    std::uint64_t dropped = 0;
};

class Device {
public:
    explicit Device(const MacAddress& nvm_mac);

    // The functions' BAR0 accesses. Offsets must be aligned and inside the BAR (throws
    // sriov::Error otherwise); vf < total_vfs.
    std::uint32_t pf_read(std::uint32_t offset);
    void pf_write(std::uint32_t offset, std::uint32_t value);
    std::uint32_t vf_read(unsigned vf, std::uint32_t offset);
    void vf_write(unsigned vf, std::uint32_t offset, std::uint32_t value);

    // The environment.
    void set_num_vfs(unsigned n);
    unsigned num_vfs() const { return num_vfs_; }
    void set_nvm_mac(const MacAddress& mac);
    void set_cable(bool connected);
    void set_autoneg(Autoneg mode) { autoneg_mode_ = mode; }
    void complete_autoneg();
    void vf_reset(unsigned vf);
    // Descriptor processing (rings.cpp): the memory the device reaches by DMA, a frame arriving
    // for a pool, the frames pools sent.
    void attach_dma(std::uint64_t iova, void* host, std::size_t size);
    bool inject_rx(unsigned pool, std::span<const std::uint8_t> frame);
    std::vector<std::vector<std::uint8_t>> take_tx(unsigned pool);
    // A thread playing the device (E82576Model::set_descriptor_work): with defer_tx, a TDT write
    // only stores the tail, and complete_tx sends (frames not kept); fill_rx delivers copies.
    void set_defer_tx(bool on) { defer_tx_ = on; }
    std::uint32_t complete_tx(unsigned pool) { return process_tx(pool, false); }
    std::uint32_t fill_rx(unsigned pool, std::span<const std::uint8_t> frame, std::uint32_t max);
    std::uint64_t rx_dropped(unsigned pool) const { return rx_dropped_.at(pool); }

    // Observation, no side effects.
    std::uint32_t pf_peek(std::uint32_t offset) const;
    void pf_poke(std::uint32_t offset, std::uint32_t value);
    std::uint32_t vf_mailbox_bits(unsigned vf) const { return vfs_.at(vf).mailbox; }
    std::uint16_t phy_register(unsigned reg) const { return phy_.at(reg); }
    std::uint32_t tx_rate_control(unsigned queue) const { return rttbcnrc_.at(queue); }
    const Counters& counters() const { return counters_; }
    // Messages sent since the caller last cleared this.
    std::vector<Interrupt>& sent() { return sent_; }
    // Mailbox writes since the caller last cleared this, recorded only while enabled.
    void record_mailbox_writes(bool on) { record_mailbox_writes_ = on; }
    std::vector<MailboxWrite>& mailbox_writes() { return mailbox_writes_; }

private:
    // Registers that live outside the PF's BAR0 (QEMU keeps them internally), one set per VF.
    struct VfState {
        std::uint32_t mailbox = e82576::vfmailbox::RSTI;  // VFMAILBOX (section 5.2)
        std::uint32_t vtivar = 0;
        std::uint32_t vtivar_misc = 0;
        std::uint32_t pbacl = 0;
        std::uint32_t psrtype = 0;
    };

    // device.cpp
    std::uint32_t& reg(std::uint32_t offset) { return regs_[offset / 4]; }
    std::uint32_t reg(std::uint32_t offset) const { return regs_[offset / 4]; }
    std::uint32_t& reg(const e82576::Reg& r) { return reg(r.offset); }
    std::uint32_t reg(const e82576::Reg& r) const { return reg(r.offset); }
    static std::uint32_t checked_pf_offset(std::uint32_t offset);
    std::uint32_t pf_value(std::uint32_t offset) const;
    void pf_read_effects(std::uint32_t offset);
    void write_queue(std::uint32_t offset, std::uint32_t value);
    void write_ctrl(std::uint32_t value);
    std::uint32_t selected_tx_queue() const;
    void reset(bool software);
    std::uint32_t status() const;

    // vf_window.cpp
    std::optional<std::uint32_t> vf_to_pf(unsigned vf, std::uint32_t offset, bool write) const;
    std::uint32_t* vf_private(unsigned vf, std::uint32_t offset);
    std::uint32_t pvt_value(std::uint32_t offset) const;
    void write_pvt(std::uint32_t offset, std::uint32_t value);

    // mailbox.cpp
    std::uint32_t pf_mailbox_value(unsigned vf) const;
    void pf_write_mailbox(unsigned vf, std::uint32_t value);
    std::uint32_t vf_read_mailbox(unsigned vf);
    void vf_write_mailbox(unsigned vf, std::uint32_t value);
    void write_ctrl_ext(std::uint32_t value);

    // interrupts.cpp
    bool msix_mode() const;
    std::uint32_t eicr_mask() const;
    void raise(std::uint32_t reg_offset, std::uint32_t bits);
    void lower(std::uint32_t reg_offset, std::uint32_t bits);
    void route_other_cause(std::uint32_t ivar_byte);
    void send(unsigned cause);
    void deliver_to_pf(unsigned vector);
    void read_icr_effects();
    void auto_mask();
    void write_icr(std::uint32_t value);
    void write_eiac(std::uint32_t value);
    void write_vf_interrupt_reg(unsigned vf, std::uint32_t field, std::uint32_t value);
    void notify_vf_mailbox(unsigned vf);
    void route_vf_queue_vectors(unsigned vf, std::uint32_t vtivar);
    void raise_rx_queue(unsigned queue);

    // rings.cpp
    struct DmaWindow {
        std::uint64_t iova;
        std::uint8_t* host;
        std::size_t size;
    };
    std::uint8_t* find_dma(std::uint64_t iova, std::size_t size);
    std::uint8_t* dma(std::uint64_t iova, std::size_t size);
    std::uint8_t* descriptor(std::uint8_t* whole_ring, std::uint64_t base, std::uint32_t index);
    std::uint32_t process_tx(unsigned queue, bool keep_frames);
    bool vmdq() const;
    bool rx_open(unsigned pool) const;
    const std::vector<std::uint8_t>& as_stored(std::span<const std::uint8_t> frame);
    std::uint32_t receive(unsigned queue, std::span<const std::uint8_t> stored, std::uint32_t copies);

    // link.cpp
    void load_nvm(const MacAddress& mac);
    void load_receive_address();
    void write_eerd(std::uint32_t value);
    void write_mdic(std::uint32_t value);
    void write_phy(unsigned reg, std::uint16_t value);
    void restart_autoneg();
    void link_up();
    void link_down();

    std::vector<std::uint32_t> regs_;  // the PF's BAR0, one word per 32-bit register
    // RTTBCNRC of each TX queue; the register at its offset reaches the one RTTDQSEL selects.
    std::array<std::uint32_t, e82576::num_queues> rttbcnrc_{};
    std::array<VfState, e82576::total_vfs> vfs_{};
    std::array<std::uint16_t, e82576::phy::num_regs> phy_{};
    std::array<std::uint16_t, e82576::nvm::size_words> nvm_{};
    unsigned num_vfs_ = 0;
    bool cable_ = true;
    bool autoneg_pending_ = false;
    bool negotiated_ = false;  // since the last reset; a replugged cable then renegotiates
    Autoneg autoneg_mode_ = Autoneg::immediate;
    Counters counters_;
    std::vector<Interrupt> sent_;
    bool record_mailbox_writes_ = false;
    std::vector<MailboxWrite> mailbox_writes_;
    void note_mailbox_write(MailboxWrite::Kind kind, unsigned vf);
    std::vector<DmaWindow> dma_;  // kept across resets: it stands for the host's IOMMU mappings
    DmaWindow last_dma_{};        // the window the last look-up found (none: host nullptr)
    std::array<std::vector<std::vector<std::uint8_t>>, e82576::num_pools> tx_frames_;
    std::vector<std::uint8_t> rx_frame_;  // the frame being received, as stored (reused)
    bool defer_tx_ = false;
    std::array<std::uint64_t, e82576::num_pools> rx_dropped_{};
};

}  // namespace sriov::model::detail
