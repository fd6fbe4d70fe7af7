// What sriovd needs from an SR-IOV PF, whatever the chip: bringing it up for N VFs, its link,
// the interrupt causes behind a wake-up, and the filters and enables the PF programs on a VF's
// behalf (its MAC, VLANs, multicast, receive mode, queues, TX rate), and the VF's traffic counters.
//
// The Intel 82576 implements it in e82576_pf.hpp; a later chip (the 82599) implements the same
// interface with its own registers. The mailbox protocol is not part of it: it differs between
// chips more than the filters do, and lives in src/mbx.
//
// PCI-level steps (memory and bus-master enable, MSI-X routing) are done through VFIO before
// bring_up(), outside this interface.
#pragma once

#include "sriov/mac_address.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sriov::pf {

struct LinkState {
    bool up = false;
    unsigned speed_mbps = 0;  // 0 while down
    bool full_duplex = false;
    friend bool operator==(const LinkState&, const LinkState&) = default;
};

// What a VF's pool accepts and how, as the PF programs it.
struct VfRxMode {
    bool accept_untagged = true;  // false with a port VLAN: only frames of the VF's VLANs
    bool accept_broadcast = true;
    bool multicast_hashes = false;   // accept multicast that hits the shared hash table
    bool multicast_promisc = false;  // accept all multicast
    bool strip_vlan = false;         // strip the VLAN tag of received frames
    std::uint16_t max_frame = 0;     // largest frame in bytes; 0: standard frames only
    friend bool operator==(const VfRxMode&, const VfRxMode&) = default;
};

// A VF's traffic counters as the chip holds them: 32 bits each, wrapping to 0, not cleared by
// reading; a PF reset may set them back to 0. VfCounters (vf_counters.hpp) makes 64-bit totals
// of successive readings.
struct VfCounterReading {
    std::uint32_t rx_packets = 0;    // good packets received
    std::uint32_t rx_bytes = 0;      // their octets
    std::uint32_t tx_packets = 0;    // good packets sent
    std::uint32_t tx_bytes = 0;      // their octets
    std::uint32_t rx_multicast = 0;  // multicast packets received
    friend bool operator==(const VfCounterReading&, const VfCounterReading&) = default;
};

// Why the PF's "other" interrupt vector fired.
struct InterruptCauses {
    bool link_change = false;
    bool mailbox = false;   // a VF wrote a message, acknowledged one of ours, or reset itself
    std::uint32_t raw = 0;  // the chip's cause register as read, for logs
};

class PfDevice {
public:
    virtual ~PfDevice() = default;

    // "82576", for logs.
    virtual std::string_view chip() const = 0;
    // The most VFs this chip serves while the PF keeps a pool of its own.
    virtual unsigned max_vfs() const = 0;
    // The largest frame, in bytes, a VF may ask to receive.
    virtual std::uint16_t max_frame() const = 0;

    // Resets the PF and brings it up for num_vfs VFs: link, pools, receive and transmit, and
    // interrupts (link changes and VF mailbox events on MSI-X vector 0). No VF may receive or
    // transmit until it has reset through the mailbox. Ends by telling the VFs the PF is ready.
    // Returns the PF's own MAC address.
    // Throws sriov::Error (subject = the PF): invalid_argument if num_vfs > max_vfs(); timeout if
    // the chip did not finish a step in time (the message names the step); protocol if the chip
    // answered something impossible (no valid MAC address, a PHY access error).
    virtual MacAddress bring_up(unsigned num_vfs) = 0;
    // Brings the PF up again for num_vfs VFs whose drivers kept running (sriovd restarted), without
    // resetting the chip: a PF reset also resets every VF's queues, and a VF driver rebuilds them
    // only by resetting itself, which igbvf does at most once every 10 s. The link is restarted
    // only if it is down; pools, filters, receive, transmit and interrupts are set up as by
    // bring_up() (every filter empty, no VF may receive or transmit), and the VFs are not told:
    // the caller puts each VF's filters back and then tells them. Returns the PF's MAC address.
    // Throws as bring_up().
    virtual MacAddress resume(unsigned num_vfs) = 0;

    // The link as the chip sees it now. Never throws.
    virtual LinkState link() = 0;

    // Reads and clears the causes of an interrupt of the "other" vector, so that the next event
    // raises a new one. Call once per wake-up, before looking at the mailbox. Never throws.
    virtual InterruptCauses take_interrupt_causes() = 0;

    // --- Per-VF programming. vf < the num_vfs given to bring_up(); none of these throw. ---

    // Directs unicast frames for mac to the VF's pool; nullopt removes the VF's address filter.
    virtual void set_vf_mac(unsigned vf, const std::optional<MacAddress>& mac) = 0;
    // Lets the VF's queues receive and transmit, or stops them.
    virtual void enable_vf_queues(unsigned vf, bool enable) = 0;
    virtual void set_vf_rx_mode(unsigned vf, const VfRxMode& mode) = 0;
    // The multicast hash table, shared by all pools: exactly these 12-bit hashes are set.
    virtual void set_multicast_hashes(std::span<const std::uint16_t> hashes) = 0;
    // Adds the VF to (member) or removes it from VLAN vid's filter. Returns false if no filter
    // entry is free for a new VLAN; removing always succeeds.
    virtual bool set_vf_vlan(unsigned vf, std::uint16_t vid, bool member) = 0;
    // Removes the VF from every VLAN filter.
    virtual void clear_vf_vlans(unsigned vf) = 0;
    // Tags everything the VF sends with tag (VLAN ID and priority), or stops doing so.
    virtual void set_vf_port_vlan(unsigned vf, const std::optional<std::uint16_t>& tag) = 0;
    // Drops frames the VF sends with a source MAC or VLAN that is not its own (where the chip
    // can), or lets them through.
    virtual void set_vf_spoof_check(unsigned vf, bool enable) = 0;
    // Limits what the VF sends to rate_mbps on a link of link_mbps; rate_mbps 0 removes the
    // limit. The chip keeps the limit as a fraction of the link speed, so the caller keeps the
    // rate in Mb/s and calls this again whenever the link speed changes; link_mbps 0 (link down)
    // removes the limit. A rate above the link speed removes it too: the link is the limit then.
    virtual void set_vf_tx_rate(unsigned vf, unsigned rate_mbps, unsigned link_mbps) = 0;
    // The VF's traffic counters as they are now.
    virtual VfCounterReading read_vf_counters(unsigned vf) = 0;

    // Makes every VF's driver look at its mailbox again soon, for a control message it would
    // otherwise leave unread. (Under QEMU the mailbox interrupt reaches igbvf on its RX vector,
    // which does not make it re-check its link: without this it never notices a control message
    // that takes its link away or gives it back.)
    virtual void notify_vfs() = 0;

protected:
    PfDevice() = default;
    PfDevice(const PfDevice&) = default;
    PfDevice& operator=(const PfDevice&) = default;
};

}  // namespace sriov::pf
