// An in-memory register model of the Intel 82576 PF and its VFs, for unit tests and benchmarks.
//
// The one model of the 82576 subset sriov-stack uses. Code under test talks to it only through
// pf() and vf(n), the same dev::RegisterIo it uses for the real device's BAR0; the model then
// behaves as QEMU 10's igb does for the registers listed in the fact sheet
// (../shared/reference/igb-82576.md): mailbox locks and events, read-to-clear and
// write-1-to-clear registers, PF and VF resets, NVM reads, the PHY and link, and which interrupt
// messages would be sent (mailbox, link, and RX queue causes routed by IVAR / VTIVAR). It keeps
// no time: EITR throttling is not modelled, and auto-negotiation
// completes when the test says so (see Autoneg).
//
// Thread safety: every access, from any view or test hook, takes one internal mutex, so a PF
// thread and VF threads may run concurrently (benchmarks may run the PF side on another core).
// The interrupt hook is called after that mutex is released. One exception, for benchmarks of
// the data path: with DescriptorWork::device_thread a VF's RDT/TDT write is latched with one
// atomic store, as a posted write reaches a device, and the device takes it at its next access.
//
// Test hooks (peek, poke, vf_mailbox_bits, the counters) are for assertions and set-up only;
// code under test must never call them.
#pragma once

#include "dev/register_io.hpp"
#include "model/types.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/mac_address.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace sriov::model {

namespace detail {
class Device;
}

// The MAC address QEMU gives a NIC unless told otherwise.
inline constexpr MacAddress default_nvm_mac{MacAddress::Bytes{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};

class E82576Model {
public:
    // A powered-on device: registers at their reset values, no VFs enabled, cable connected,
    // link down, every VF mailbox showing RSTI. nvm_mac is what NVM words 0..2 hold.
    explicit E82576Model(const MacAddress& nvm_mac = default_nvm_mac);
    ~E82576Model();
    E82576Model(const E82576Model&) = delete;
    E82576Model& operator=(const E82576Model&) = delete;

    // ---- The functions, as code under test sees them -----------------------------------------
    // The PF's BAR0 (128 KiB). An unaligned or out-of-range offset throws sriov::Error.
    dev::RegisterIo& pf();
    // VF n's BAR0 (16 KiB), n < 8 (else throws sriov::Error(invalid_argument)). While VF n is not
    // enabled (n >= num_vfs()) its reads return 0xFFFFFFFF and writes are dropped, as for a
    // function that is not there.
    dev::RegisterIo& vf(unsigned n);

    // ---- The environment a test controls ------------------------------------------------------
    // NumVFs with VF Enable set in the SR-IOV capability, 0..8. Changes nothing in the PF's
    // registers except STATUS.NUM_VFS/IOV_MODE and which functions own the EICR causes (3.3).
    void set_num_vfs(unsigned n);
    unsigned num_vfs() const;
    // Rewrites NVM words 0..2 (and the checksum word) at once; RAL0/RAH0 follow at the next reset.
    void set_nvm_mac(const MacAddress& mac);
    // Plugs or pulls the cable. Pulling it drops STATUS.LU and raises ICR.LSC if the link was up;
    // plugging it back renegotiates if the driver had negotiated since the last reset.
    void set_link(bool cable_connected);
    void set_autoneg(Autoneg mode);  // default Autoneg::immediate
    // Finishes a pending auto-negotiation (Autoneg::on_demand): link up, ICR.LSC. No-op if none.
    void complete_autoneg();
    // A PCIe Function Level Reset of VF n: the same effects as VTCTRL.RST (section 5.4).
    void vf_function_level_reset(unsigned n);
    // ---- Descriptor processing (section 4) -------------------------------------------------------
    // Makes [host, host + size) the memory the device sees at [iova, iova + size), as an IOMMU
    // mapping would; rings and buffers must lie in such windows (else the access that reaches
    // them throws sriov::Error). The memory must outlive the model's use of it.
    void attach_dma(std::uint64_t iova, void* host, std::size_t size);
    // A frame arriving for pool `pool` (= VF n), as if the switch had chosen that pool: written
    // to RX queue `pool` (3.2) with the device's padding, FCS and write-back (4.2). Returns false
    // and counts a drop when QEMU would drop it: RCTL.EN 0, link down, queue off, pool not in
    // VFRE (VMDq mode), or too few free descriptors for the whole frame.
    bool inject_rx(unsigned pool, std::span<const std::uint8_t> frame);
    // The frames pool `pool` sent since the last call (TX happens inside the TDT write, 4.5).
    std::vector<std::vector<std::uint8_t>> take_tx(unsigned pool);
    // Frames inject_rx() dropped for `pool`.
    std::uint64_t rx_dropped(unsigned pool) const;

    // ---- A thread playing the device (benchmarks of the data path) -----------------------------
    // DescriptorWork::in_access (the default) is QEMU's behaviour described above. With
    // device_thread, a TDT write sends nothing: complete_tx() does, called by a thread of the test
    // that plays the device, and RX comes from fill_rx() (or inject_rx) on that thread. Each VF's
    // writes of RDT/TDT of its queues 0 and 1 then skip the lock: they are latched and take effect
    // at the next access that takes it (any view or call but the const test hooks, so peek() may
    // show an older tail). Change it while no other thread uses the model; descriptors that a
    // device_thread TDT offered stay unsent after a change back until complete_tx() or a TDT write.
    void set_descriptor_work(DescriptorWork mode);
    // Sends what TDT offers on pool `pool`'s queue 0 as a TDT write does in_access (4.5: DD write-
    // back, TDH, the pool's counters), but keeps no frame (take_tx() stays empty: the wire is a
    // sink). Returns the descriptors completed.
    std::uint32_t complete_tx(unsigned pool);
    // Delivers up to `max` copies of `frame` to pool `pool` as inject_rx() does, as many as the
    // posted descriptors take whole, and returns how many; the rest are not offered, so not
    // counted as drops. The queue's interrupt cause is raised once per call that delivers any.
    std::uint32_t fill_rx(unsigned pool, std::span<const std::uint8_t> frame, std::uint32_t max);

    // Called once per interrupt message, outside the model's lock, from the thread whose access
    // caused it. May access the model. Pass {} to remove.
    void set_interrupt_hook(std::function<void(const Interrupt&)> hook);
    // Called once per VF request and PF message written to a VF's mailbox (MailboxWrite), in the
    // same way and before the interrupt hook. Pass {} to remove (nothing is recorded then).
    void set_mailbox_hook(std::function<void(const MailboxWrite&)> hook);

    // ---- Test hooks: assertions and set-up only ----------------------------------------------
    // What a PF read of `offset` would return, without its side effects (no clear-on-read).
    std::uint32_t peek(std::uint32_t offset) const;
    // Stores `value` in the PF register at `offset` with no side effect, e.g. to preset VF n's
    // statistics counters (PVFGPRC(n) and the others of section 3.1, which count the frames the
    // model moves and go back to 0 on CTRL.RST, as in QEMU, but not on a VF reset). Registers
    // computed from other state (P2VMAILBOX, RTTBCNRC) ignore it.
    void poke(std::uint32_t offset, std::uint32_t value);
    // VF n's VFMAILBOX bits as stored, without clearing PFSTS/PFACK/RSTD.
    std::uint32_t vf_mailbox_bits(unsigned n) const;
    // PHY register `reg` (0..31) as stored.
    std::uint16_t phy_register(unsigned reg) const;
    // The RTTBCNRC value last written while RTTDQSEL selected TX queue `queue` (0..15), 0 after
    // a reset. QEMU keeps none of these (2.9); the model does so tests can see them.
    std::uint32_t tx_rate_control(unsigned queue) const;

    // Interrupt messages sent so far (never reset, not even by CTRL.RST).
    std::uint64_t pf_interrupts(unsigned vector) const;
    // PF messages on the vector IVAR_MISC routes the "other" causes to (any PF message outside
    // MSI-X mode): what sriovd's mailbox/link handler would run for.
    std::uint64_t pf_other_interrupts() const;
    std::uint64_t vf_interrupts(unsigned n) const;  // all vectors of VF n
    std::uint64_t vf_interrupts(unsigned n, unsigned vector) const;
    // Mailbox events for VF n: each STS and each ACK the PF wrote, whether or not VF n's
    // interrupt routing turned it into a message (section 3.3).
    std::uint64_t vf_mailbox_notifications(unsigned n) const;
    // Causes raised in EICR that no existing function owns (PF causes above 9), so never sent.
    std::uint64_t dropped_interrupts() const;

private:
    class PfView;
    class VfView;

    template <typename Access>
    auto access(Access&& body);
    template <typename Access>
    auto observe(Access&& body) const;
    // device_thread: the latched tails a VF view stores, and their hand-over under the lock.
    static constexpr std::uint32_t no_tail = 0xFFFFFFFF;
    static constexpr unsigned tails_per_vf = 4;  // RDT(0), TDT(0), RDT(1), TDT(1)
    static int tail_slot(std::uint32_t vf_offset);
    void take_latched_tails();

    mutable std::mutex mutex_;
    std::atomic<bool> latch_tails_{false};
    std::atomic<bool> tails_latched_{false};  // set after each latch store, cleared by the taker
    std::array<std::atomic<std::uint32_t>, e82576::total_vfs * tails_per_vf> latched_tails_;
    std::unique_ptr<detail::Device> device_;
    std::shared_ptr<const std::function<void(const Interrupt&)>> hook_;
    std::shared_ptr<const std::function<void(const MailboxWrite&)>> mailbox_hook_;
    std::unique_ptr<PfView> pf_view_;
    std::array<std::unique_ptr<VfView>, e82576::total_vfs> vf_views_;
};

}  // namespace sriov::model
