// A PfDevice that records what was programmed, for testing decisions without registers.
#pragma once

#include "pf/pf_device.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <vector>

namespace sriov::pf::test {

class FakePfDevice final : public PfDevice {
public:
    static constexpr unsigned vfs = 8;

    std::string_view chip() const override { return "fake"; }
    unsigned max_vfs() const override { return 7; }
    std::uint16_t max_frame() const override { return 0x3F00; }
    MacAddress bring_up(unsigned) override { return MacAddress({0x52, 0x54, 0, 0, 0, 1}); }
    MacAddress resume(unsigned n) override { return bring_up(n); }
    LinkState link() override { return {true, 1000, true}; }
    InterruptCauses take_interrupt_causes() override { return {}; }

    void set_vf_mac(unsigned vf, const std::optional<MacAddress>& m) override { mac.at(vf) = m; }
    void enable_vf_queues(unsigned vf, bool enable) override { queues.at(vf) = enable; }
    void set_vf_rx_mode(unsigned vf, const VfRxMode& mode) override { rx.at(vf) = mode; }
    void set_multicast_hashes(std::span<const std::uint16_t> h) override
    {
        multicast.assign(h.begin(), h.end());
    }
    bool set_vf_vlan(unsigned vf, std::uint16_t vid, bool member) override
    {
        if (!member) {
            vlans.at(vf).erase(vid);
            return true;
        }
        if (!vlans.at(vf).count(vid) && distinct_vlans() >= vlan_entries && !in_use(vid))
            return false;
        vlans.at(vf).insert(vid);
        return true;
    }
    void clear_vf_vlans(unsigned vf) override { vlans.at(vf).clear(); }
    void set_vf_port_vlan(unsigned vf, const std::optional<std::uint16_t>& tag) override
    {
        port_vlan.at(vf) = tag;
    }
    void set_vf_spoof_check(unsigned vf, bool enable) override { spoof_check.at(vf) = enable; }
    void set_vf_tx_rate(unsigned vf, unsigned rate_mbps, unsigned link_mbps) override
    {
        tx_rate.at(vf) = TxRate{rate_mbps, link_mbps};
    }
    // Returns what the test put in `counters`.
    VfCounterReading read_vf_counters(unsigned vf) override { return counters.at(vf); }
    void notify_vfs() override { ++notifications; }

    // The last set_vf_tx_rate() call for a VF.
    struct TxRate {
        unsigned rate_mbps = 0;
        unsigned link_mbps = 0;
        friend bool operator==(const TxRate&, const TxRate&) = default;
    };

    std::array<std::optional<MacAddress>, vfs> mac{};
    std::array<bool, vfs> queues{};
    std::array<VfRxMode, vfs> rx{};
    std::vector<std::uint16_t> multicast;
    std::array<std::set<std::uint16_t>, vfs> vlans{};
    std::array<std::optional<std::uint16_t>, vfs> port_vlan{};
    std::array<bool, vfs> spoof_check{};
    std::array<TxRate, vfs> tx_rate{};
    unsigned notifications = 0;
    std::array<VfCounterReading, vfs> counters{};
    unsigned vlan_entries = 32;  // distinct VLANs the filter can hold

private:
    bool in_use(std::uint16_t vid) const
    {
        return std::any_of(vlans.begin(), vlans.end(), [vid](const auto& s) { return s.count(vid) != 0; });
    }
    unsigned distinct_vlans() const
    {
        std::set<std::uint16_t> all;
        for (const auto& s : vlans)
            all.insert(s.begin(), s.end());
        return static_cast<unsigned>(all.size());
    }
};

}  // namespace sriov::pf::test
