// The Intel 82576 as an SR-IOV PF, over the RegisterIo seam: bring-up in the order of the
// datasheet and Linux's igb, the per-VF filters, TX rate limits and counters (fact sheet
// sections 2, 3.1, 5 and 6).
//
// Pools: VF n owns pool n; the PF owns pool N, N being the number of VFs (so at most 7 VFs).
// VF n's MAC sits in receive-address entry 23 - n, the PF's in entry 0.
//
// The chip's registers are the only state kept here besides N: a restarted sriovd can read back
// what is programmed.
#pragma once

#include "dev/register_io.hpp"
#include "pf/pf_device.hpp"
#include "sriov/e82576_regs.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sriov::pf {

class E82576Pf final : public PfDevice {
public:
    // How long each step of the bring-up may take. Defaults suit silicon and QEMU alike; tests
    // against the register model set the pauses to zero.
    struct Delays {
        std::chrono::microseconds quiesce{10000};         // pause after stopping DMA, before the reset
        std::chrono::microseconds after_reset{1000};      // pause after CTRL.RST before reading registers
        std::chrono::microseconds master_disable{80000};  // GIO master disable to take effect
        std::chrono::microseconds reset_done{100000};     // CTRL.RST to clear
        std::chrono::microseconds nvm_auto_read{10000};   // EECD.AUTO_RD (a timeout is tolerated)
        std::chrono::microseconds phy_access{100000};     // one MDIC read or write
    };

    // regs: the PF's BAR0; name: how errors name the PF, e.g. "0000:00:02.0".
    E82576Pf(dev::RegisterIo& regs, std::string name, Delays delays);
    E82576Pf(dev::RegisterIo& regs, std::string name) : E82576Pf(regs, std::move(name), Delays{}) {}

    std::string_view chip() const override { return "82576"; }
    unsigned max_vfs() const override;
    std::uint16_t max_frame() const override;

    MacAddress bring_up(unsigned num_vfs) override;
    MacAddress resume(unsigned num_vfs) override;
    LinkState link() override;
    InterruptCauses take_interrupt_causes() override;

    void set_vf_mac(unsigned vf, const std::optional<MacAddress>& mac) override;
    void enable_vf_queues(unsigned vf, bool enable) override;
    void set_vf_rx_mode(unsigned vf, const VfRxMode& mode) override;
    void set_multicast_hashes(std::span<const std::uint16_t> hashes) override;
    bool set_vf_vlan(unsigned vf, std::uint16_t vid, bool member) override;
    void clear_vf_vlans(unsigned vf) override;
    void set_vf_port_vlan(unsigned vf, const std::optional<std::uint16_t>& tag) override;
    void set_vf_spoof_check(unsigned vf, bool enable) override;
    void set_vf_tx_rate(unsigned vf, unsigned rate_mbps, unsigned link_mbps) override;
    VfCounterReading read_vf_counters(unsigned vf) override;
    void notify_vfs() override;

    // The VMOLR value for a pool with this receive mode (section 2.4). Never throws.
    static std::uint32_t vmolr_for(const VfRxMode& mode) noexcept;

    const std::string& name() const { return name_; }
    // The PF's pool: the number of VFs given to bring_up().
    unsigned pf_pool() const { return num_vfs_; }

private:
    // Bring-up steps, in order.
    void check_vf_count(unsigned num_vfs) const;
    void reset();
    MacAddress read_mac();
    void start_link();
    void setup_pools(const MacAddress& mac);
    void enable_rx_tx();
    void enable_interrupts();

    std::uint16_t phy_read(unsigned reg);
    void phy_write(unsigned reg, std::uint16_t value);
    std::uint32_t mdic(std::uint32_t command, std::string_view what);
    void write_rar(unsigned entry, const std::optional<MacAddress>& mac, unsigned pool);
    std::optional<unsigned> find_vlvf(std::uint16_t vid) const;
    std::optional<unsigned> free_vlvf(std::uint16_t vid) const;
    void write_vlvf(unsigned entry, std::uint32_t value);
    void write_vfta_bit(std::uint16_t vid, bool set);
    void clear_filter_tables();

    dev::RegisterIo& regs_;
    std::string name_;
    Delays delays_;
    unsigned num_vfs_ = 0;
    // What sriovd last wrote into the filter tables the VFs' requests change (the chip changes
    // them only at a reset, after which setup_pools() clears both): the mailbox then reads none
    // of them and writes only the words that change (each access a VM exit under emulation, a
    // PCIe transaction on silicon).
    std::array<std::uint32_t, e82576::MTA.count> mta_{};
    std::array<std::uint32_t, e82576::MTA.count> vfta_{};
    std::array<std::uint32_t, e82576::num_vlvf> vlvf_{};
};

}  // namespace sriov::pf
