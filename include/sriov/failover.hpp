// libvf's failover port (issue 14): one port that never goes away. It drives a VF while the VF
// is there and a standby kernel network interface (a virtio-net NIC, or any netdev on the same
// network) while it is not: when the kernel asks for the VF back (e.g. before a live migration),
// when the VF's link goes down while the standby has carrier, when a PF reset does not end in
// time. It goes back to the VF when the VF is back.
//
//     sriov::vf::FailoverOptions o;
//     o.vf.token_file = "/run/sriovd/vf-token";
//     o.standby = "ens4";                             // has the VF's MAC, or is promiscuous
//     auto port = sriov::vf::FailoverPort::open("0000:00:10.0", o);
//     for (;;) {
//         n = port->rx_burst(in, 32); ... port->tx_burst(out, m); ...   // the application's loop
//         if (every 10 ms) port->poll();                              // the switches happen here
//     }
//
// The application's loop and buffers are the same on both paths: buffers come from the port
// (alloc_buffer), live in memory that outlives any one opening of the VF, and go through the VF
// without copying; the standby path copies them into and out of its AF_PACKET socket.
//
// Switches (all in poll(), in the application's thread; the VF is re-opened on a helper thread
// so that traffic keeps flowing meanwhile):
//   planned (the kernel's request): for `settle`, frames keep flowing through the VF while the
//     port records what it delivers; then TX stops on the VF until its ring has drained (tx_burst
//     takes nothing meanwhile, as with a full ring), the RX queue is turned off and what is in it
//     delivered, the standby takes over, the MAC is announced there, and the VF is released. No
//     frame handed to tx_burst is lost, repeated or reordered. What the standby receives is held
//     until it delivers the VF's last frame too, and dropped with it: the standby's kernel path
//     lags the VF's ring, so everything before that frame is a copy (at most 1 s; then the held
//     frames the history recorded are dropped and the rest delivered).
//   unplanned (link down, PF reset too long, TX stalled): the VF's queues are stopped at once; frames in its
//     TX ring are given up (counted), and what the standby had queued is dropped, since it cannot
//     be told apart from what the VF delivered.
//   back: the VF's device is found in sysfs again (checked every vf_check_interval) bound to
//     vfio-pci, or its link or PF is back, or (after a TX stall) a probe frame it is given every
//     vf_check_interval is sent; the port opens it and, once it has link and the standby has
//     delivered the oldest frame in the VF's ring (at most 1 s), for `settle`
//     receives through the standby while the VF's ring fills (it holds rx_ring_size frames: above
//     rx_ring_size / settle frames per second, some can be lost at this switch), then waits until
//     the standby's driver has sent what it was given, moves TX and RX to the VF, drops the VF's
//     copies of frames the standby already delivered, and announces the MAC on the VF.
//
// Frames the standby receives are delivered only when their destination is the VF's MAC or a
// group address (a promiscuous standby sees everyone's frames) and their source is not the VF's
// MAC (the port's own frames, seen on the shared segment). Interrupt mode is not offered on a
// failover port: it polls.
//
// Privileges beyond a plain Vf: CAP_NET_RAW for the standby's packet socket. Nothing else.
#pragma once

#include "sriov/libvf.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sriov::vf {

enum class Path { vf, standby };

enum class SwitchReason {
    released,      // the kernel asked for the VF back (VFIO request interrupt)
    link_down,     // the VF's link went down while the standby had carrier
    pf_reset,      // a PF reset did not end within pf_reset_timeout
    tx_stalled,    // frames waited in the VF's TX ring and none was sent for tx_stall_timeout
                   // (e.g. the PF stopped the VF's queues: vfctl set PF vf N state disable)
    vf_back,       // the VF's device is there again and was opened
    link_back,     // the VF's link is up again
    pf_recovered,  // the PF's reset ended and libvf set the VF up again
    tx_resumed,    // after tx_stalled: a probe frame (the MAC's announcement) was sent by the VF
};

const char* to_string(Path p);
const char* to_string(SwitchReason r);

struct SwitchEvent {
    Path from;
    Path to;
    SwitchReason reason;
    std::uint64_t tx_given_up = 0;  // unplanned: frames in the VF's TX ring that may not have been sent
};

struct PathStats {
    std::uint64_t rx_frames = 0;  // delivered to the application through this path
    std::uint64_t tx_frames = 0;  // taken by this path's device or socket
    std::chrono::nanoseconds active{0};  // time this path carried the traffic
};

struct FailoverStats {
    PathStats vf;
    PathStats standby;
    std::uint64_t switch_overs = 0;     // VF -> standby
    std::uint64_t switch_backs = 0;     // standby -> VF
    std::uint64_t copies_dropped = 0;   // received frames found to be copies around a switch
    std::uint64_t tx_given_up = 0;      // unplanned switches: frames left in the VF's TX ring
    std::uint64_t standby_discarded = 0;  // frames the standby received while the VF carried traffic
    std::uint64_t foreign_dropped = 0;  // standby frames for another MAC (promiscuous standby), or
                                        // from the port's own
    std::uint64_t reopen_failures = 0;  // attempts to open the returning VF that failed (retried)
    std::uint64_t announcements = 0;    // frames announcing the MAC after a switch (one per switch,
                                        // counted in the new path's tx_frames)
    std::uint64_t rx_no_buffer = 0;     // frames the VF dropped for want of a free buffer
    std::uint64_t standby_overflows = 0;  // frames the standby's socket dropped, its queue full
};

struct FailoverOptions {
    OpenOptions vf;       // how the VF is opened (token, rings, buffers); interrupts must stay off
    std::string standby;  // the standby interface; empty: none (the port is a plain Vf that stops
                          // when the kernel takes the VF back)
    std::chrono::milliseconds settle{20};            // both paths watched around a switch
    std::chrono::milliseconds pf_reset_timeout{500};  // a PF reset longer than this: to the standby
    std::chrono::milliseconds tx_stall_timeout{40};   // the VF's TX ring holding frames, none sent
    std::chrono::milliseconds vf_check_interval{100};  // looking for the returning VF
    std::chrono::milliseconds drain_timeout{100};     // waiting for a TX queue to empty at a switch
    std::function<void(const SwitchEvent&)> on_switch;  // called from poll(), after the switch
};

class FailoverPort {
public:
    // Opens the VF as Vf::open does and the standby as StandbyPath does (for the VF's MAC).
    // Throws sriov::Error as those do; the standby's errors name the interface and say what to
    // fix (no such interface, no CAP_NET_RAW, neither the VF's MAC nor promiscuous, down).
    static std::unique_ptr<FailoverPort> open(const std::string& pci_address, const FailoverOptions& options);
    ~FailoverPort();
    FailoverPort(const FailoverPort&) = delete;
    FailoverPort& operator=(const FailoverPort&) = delete;

    const std::string& name() const;  // the VF's PCI address
    const MacAddress& mac() const;    // the VF's MAC, carried on both paths
    Path active() const;              // the path that carries TX now
    bool has_vf() const;              // a Vf is open (it may be in a switch, or its link down)
    // Without a standby: the kernel asked for the VF back and it was released; the port carries
    // nothing any more (as a Vf after its release request).
    bool stopped() const;

    // The data path, as Vf's (same contracts). While the VF is active and no switch is under way
    // these are the Vf's own bursts behind one branch.
    std::uint32_t rx_burst(PacketBuffer** bufs, std::uint32_t n);
    std::uint32_t tx_burst(PacketBuffer** bufs, std::uint32_t n);
    PacketBuffer* alloc_buffer();
    void free_buffer(PacketBuffer* b);
    std::uint32_t free_buffers() const;
    // Frees buffers the VF has finished sending (the standby copies, so never holds any).
    std::uint32_t reclaim_tx();
    // The active path has link: the VF's VTSTATUS.LU, or the standby's carrier. Control path.
    bool link_up();

    // The control path: call every few milliseconds (10 ms keeps a planned switch within about
    // settle + 10 ms). Serves the VF's events (Vf::poll_events), discards the standby's copies
    // while the VF is active, notices failures, runs switches. Never throws; failures are logged
    // and retried.
    void poll();
    FailoverStats stats() const;

    // For benchmarks on the register model (tools/bench): a port over queues and a pool that its
    // caller owns, with no VF and no standby, in its VF-active state: only the data path is usable.
    static std::unique_ptr<FailoverPort> over_queues(RxQueue& rx, TxQueue& tx, BufferPool& pool);

private:
    struct Impl;
    explicit FailoverPort(std::unique_ptr<Impl> impl);
    using TimePoint = std::chrono::steady_clock::time_point;
    std::uint32_t rx_slow(PacketBuffer** bufs, std::uint32_t n);
    std::uint32_t tx_slow(PacketBuffer** bufs, std::uint32_t n);
    // The switches (failover_switch.cpp).
    void watch_vf(TimePoint now);
    void finish_leaving();
    void fail_over(SwitchReason reason);
    void watch_for_return(TimePoint now);
    void begin_returning(SwitchReason reason, bool start_queues);
    void discard_vf_ring();
    bool vf_caught_up();
    void watch_tx(TimePoint now);
    void probe_tx(TimePoint now);
    void finish_returning();

    std::unique_ptr<Impl> impl_;
    // The fast path: while fast_ is set, bursts go straight to the VF's queues.
    bool fast_ = false;
    RxQueue* rx_ = nullptr;
    TxQueue* tx_ = nullptr;
    BufferPool* pool_ = nullptr;
};

}  // namespace sriov::vf
