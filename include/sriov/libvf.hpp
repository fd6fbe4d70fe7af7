// libvf: a VF of an Intel 82576 driven from user space through VFIO, with zero-copy packet I/O.
//
//     auto vf = sriov::vf::Vf::open("0000:00:12.0", {.token_file = "/run/sriovd.token"});
//     PacketBuffer* b = vf->alloc_buffer();  ... fill b->data, set b->length ...
//     vf->tx_burst(&b, 1);                   // the VF owns b now and frees it once sent
//     PacketBuffer* in[32];
//     for (uint32_t i = 0, n = vf->rx_burst(in, 32); i < n; ++i) { ...; vf->free_buffer(in[i]); }
//
// Control-path functions (open, link_up, the PF requests) throw sriov::Error; the data path
// (rx_burst, tx_burst, alloc_buffer, free_buffer, stats) never throws, allocates, locks, makes a
// system call or reads a device register. One Vf is used by one thread at a time.
//
// Interrupt mode (Config::interrupts = InterruptMode::interrupts) is for a receiver that should
// sleep while nothing arrives. Like NAPI: take an interrupt, poll until the ring is empty, re-arm.
//
//     while (running) {
//         if (!vf->wait(100ms)) continue;           // blocks; or epoll on vf->rx_event_fd(), then wait(0ms)
//         std::uint32_t n;
//         do {
//             n = vf->rx_burst(in, 32);              // the fast path, unchanged
//             ...
//         } while (n > 0);
//         vf->rearm();                              // RX interrupt on again; adapts the coalescing
//     }
//
// wait() and rearm() are control path (system calls, register access); they also look at the
// mailbox whenever any vector fired, since the emulated 82576 signals mailbox events on the RX
// vector (fact sheet 3.3).
#pragma once

#include "sriov/mac_address.hpp"
#include "sriov/vf/packet_buffer.hpp"
#include "sriov/vf/queue_stats.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace sriov::vf {

class BufferPool;
class FailoverPort;
struct PortBuffers;
class RxQueue;
class TxQueue;

enum class InterruptMode {
    polling,     // no interrupts: the application polls rx_burst (the fastest, a core always busy)
    interrupts,  // MSI-X on the RX vector: wait() / rx_event_fd(), then poll, then rearm()
};

// How the device's interval register EITR (fact sheet 2.8) measures time.
enum class EitrTiming {
    datasheet,  // b14:2 in 1 us units, at most one interrupt per interval: the 82576 itself
    qemu_10_0,  // QEMU 10.0's igb: the value times 1.024 us, i.e. 4.096 us per b14:2 unit, and a
                // second message when the interval ends, so two interrupts per interval under load
};

// Interrupt coalescing of the RX vector (interrupt mode only).
struct Coalescing {
    enum class Mode {
        off,       // EITR 0: an interrupt for every frame the device writes
        fixed,     // at most `rate` interrupts per second
        adaptive,  // IF = max(pps / (bufs * safety_ratio), min_rate), recomputed in wait()/rearm();
                   // not throttled (EITR 0) while pps <= 2 * min_rate, and until first measured
    };
    Mode mode = Mode::adaptive;
    double rate = 8000;          // fixed: interrupts per second
    double safety_ratio = 0.5;   // adaptive: the share of bufs one interrupt may carry (0..1]
    double min_rate = 1000;      // adaptive: the lowest interrupt frequency; bounds latency to 1/min_rate
    std::uint32_t app_buffers = 0;  // adaptive: frames the application takes per wake-up (0: the RX ring)
    std::chrono::milliseconds adapt_period{20};  // adaptive: how often the rate is re-measured
    EitrTiming timing = EitrTiming::datasheet;
};

struct Config {
    std::uint32_t rx_ring_size = 512;   // descriptors: a power of two, 8..4096
    std::uint32_t tx_ring_size = 512;   // likewise
    std::uint32_t buffer_count = 4096;  // packet buffers, shared by RX, TX and the application
    std::uint32_t buffer_size = 2048;   // bytes per buffer: a whole number of KiB (SRRCTL)
    std::chrono::milliseconds pf_timeout{10000};  // how long the PF may take to be ready and answer
    InterruptMode interrupts = InterruptMode::polling;
    Coalescing coalescing;
};

// What interrupt mode has seen (all zero in polling mode).
struct InterruptStats {
    std::uint64_t interrupts = 0;     // eventfd counts over all vectors: MSI-X messages received
    std::uint64_t rx_interrupts = 0;  // those on the RX vector
    std::uint64_t wakeups = 0;        // wait() calls that returned true
    std::uint64_t pf_messages = 0;    // PF messages found in the mailbox after an interrupt
    std::uint64_t pf_resets = 0;      // PF resets seen in the mailbox after an interrupt
    std::uint32_t eitr = 0;           // the value last written to the RX vector's VTEITR
    double interrupt_rate = 0;        // adaptive: the last interrupt frequency asked for (per second),
                                      // 0 while not throttled
};

// What libvf's control path has done to keep the VF running (see Vf::poll_events).
struct ControlStats {
    std::uint64_t pf_resets = 0;          // PF resets recovered from: handshake redone, queues set up again
    std::uint64_t recovery_failures = 0;  // recovery attempts that failed (no PF answering yet), retried
    std::uint64_t tx_given_up = 0;        // frames in the TX ring when a PF reset stopped it (maybe unsent)
    std::uint64_t release_requests = 0;   // VFIO request interrupts: the kernel asking for the VF back
};

// What one poll_events() (or wait()) found.
struct Events {
    bool release_requested = false;  // the kernel asks for the VF back: close the Vf (the callback ran)
    bool pf_reset = false;           // the PF had reset; libvf set the VF up again in this call
    bool pf_down = false;            // a PF reset is under way (or its recovery failed so far): no traffic
};

struct OpenOptions {
    std::string vf_token;    // the VF token as a UUID; empty: read token_file, if given
    std::string token_file;  // a file holding the token (sriovd --token-file)
    Config config;
};

class Vf {
public:
    // Opens the VF at `pci_address` through VFIO, resets it through the PF (the VF's MAC comes
    // from the PF), sets up RX and TX queue 0 and their buffers. Throws sriov::Error naming the
    // VF: invalid_argument (bad address, token or config), not_found / permission / busy /
    // vf_token / no_iommu (opening the device: see vfio::Device::open), memlock (DMA memory),
    // timeout (the PF is not ready or does not answer, a queue does not enable), permission
    // (the PF refused the reset: it has no MAC for this VF), protocol (the PF's answer was bad).
    static std::unique_ptr<Vf> open(const std::string& pci_address, const OpenOptions& options = {});
    ~Vf();
    Vf(const Vf&) = delete;
    Vf& operator=(const Vf&) = delete;

    const std::string& name() const;  // the PCI address
    const MacAddress& mac() const;    // as the PF assigned it
    // VTSTATUS.LU: the PF's link is up (a register read: not for the fast path). Never throws.
    bool link_up();

    // Receives up to n frames; returns how many were written to bufs. The caller owns them.
    std::uint32_t rx_burst(PacketBuffer** bufs, std::uint32_t n);
    // Sends up to n frames (buffers of this VF with length set); returns how many were taken. The
    // VF owns those and frees them once sent; the caller keeps the rest (the ring was full).
    std::uint32_t tx_burst(PacketBuffer** bufs, std::uint32_t n);
    // A free buffer (length 0), or nullptr when every buffer is in use.
    PacketBuffer* alloc_buffer();
    // Gives back a buffer of this VF that the caller owns.
    void free_buffer(PacketBuffer* b);
    // Frees buffers the device has finished sending; tx_burst does this too. Returns how many.
    std::uint32_t reclaim_tx();

    const RxStats& rx_stats() const;
    const TxStats& tx_stats() const;
    std::uint32_t free_buffers() const;
#ifdef SRIOV_COUNT_MMIO
    // Only in a libvf built with SRIOV_COUNT_MMIO: the register reads and writes the data path
    // itself made on the RX queue (rx_burst) and the TX queue (tx_burst, reclaim_tx).
    const MmioStats& rx_mmio() const;
    const MmioStats& tx_mmio() const;
#endif

    // ---- Interrupt mode (Config::interrupts); each throws sriov::Error(invalid_argument) in
    // polling mode. Control path: these make system calls and touch registers.
    // A file descriptor that becomes readable when an interrupt (or a pending frame) needs
    // attention: put it in epoll or a Boost.Asio posix::stream_descriptor (wait_read), then call
    // wait(0ms). Owned by the Vf; valid while it lives.
    int rx_event_fd() const;
    // Waits up to `timeout` for an interrupt. Returns true when one came (or frames are pending):
    // the RX interrupt is then off until rearm(), so poll rx_burst until it returns 0. Any vector
    // firing also makes it look at the mailbox (a PF message is read and answered). Afterwards it
    // does what poll_events() does; it also returns true when the kernel asked for the VF back
    // (the callback has run) or a PF reset was recovered from. Throws sriov::Error (io) when
    // waiting fails.
    bool wait(std::chrono::milliseconds timeout);
    // Turns the RX interrupt back on after the ring was polled empty; in adaptive mode it also
    // re-measures the frame rate and writes a new VTEITR when the period has passed. A frame that
    // arrived after the last poll makes the next wait() return at once, so none waits unseen.
    void rearm();
    const InterruptStats& interrupt_stats() const;

    // ---- Resilience: the kernel asking for the VF back, PF resets (issue 5). Control path; no
    // thread of libvf's own: the application looks at these from its loop.
    //
    // The kernel asks a VFIO user to give a device back (the VFIO request interrupt), e.g. before
    // sriovd lowers the VF count. libvf routes that interrupt to release_event_fd() and, when
    // poll_events() or wait() sees it, calls `callback` once, in the calling thread. The
    // application should then stop and destroy the Vf (DMA unmapped, device and fds closed); the
    // kernel waits for that. libvf no longer touches the device's mailbox once asked.
    void on_release_request(std::function<void()> callback);
    bool release_requested() const;
    // Readable when the kernel asks for the VF back: for epoll or Boost.Asio, then poll_events().
    // -1 when the device has no request interrupt. Owned by the Vf. (In interrupt mode wait() and
    // rx_event_fd() wake for it too.)
    int release_event_fd() const;
    // For polling applications, every few milliseconds or bursts (one eventfd read, a VFMAILBOX
    // read; not for every burst of a busy loop if that matters): sees the kernel's request, reads
    // and answers a PF message, and notices a PF reset (RSTI/RSTD, a control message without CTS,
    // a NACK). Once the PF is out of reset it redoes the reset handshake and sets the queues up
    // again (TX frames still in the ring are given up, RX buffers posted afresh) without the
    // application reopening the VF; buffers the application holds stay valid. May take up to
    // about a second when the PF does not answer yet; never throws (failures are retried).
    // wait() does the same after each wait.
    Events poll_events();
    const ControlStats& control_stats() const;

    // Requests to the PF (fact sheet section 5.1). Each throws sriov::Error: permission when the
    // PF refuses (NACK), timeout when it does not answer, invalid_argument for values that do not
    // fit the message.
    void set_mac(const MacAddress& mac);
    void add_mac_filter(const MacAddress& mac);
    void clear_mac_filters();
    void set_vlan(std::uint16_t vid, bool add);
    void set_multicast(std::span<const MacAddress> groups);
    void set_max_frame(std::uint32_t bytes);
    void set_promisc(bool multicast);

    // For benchmarks on the register model (tools/bench): a Vf over queues and a pool that its
    // caller owns, with no device: only the data path (bursts, buffers, stats) is usable.
    static std::unique_ptr<Vf> over_queues(RxQueue& rx, TxQueue& tx, BufferPool& pool);

private:
    friend class FailoverPort;
    struct Impl;
    explicit Vf(std::unique_ptr<Impl> impl);
    // For the failover port: a Vf on the port's buffers (nullptr: its own), reset by the PF but
    // with its queues not yet set up (start_queues), so that opening can run on another thread
    // than the one using the pool.
    static std::unique_ptr<Vf> open_unstarted(const std::string& pci_address, const OpenOptions& options,
                                              PortBuffers* buffers);
    void start_queues();

    std::unique_ptr<Impl> impl_;
    // The data path's objects, reached without going through impl_.
    RxQueue* rx_ = nullptr;
    TxQueue* tx_ = nullptr;
    BufferPool* pool_ = nullptr;
};

}  // namespace sriov::vf
