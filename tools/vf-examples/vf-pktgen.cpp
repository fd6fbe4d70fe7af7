// vf-pktgen: send or receive raw Ethernet frames on an 82576 VF through libvf.
//
//   vf-pktgen recv --vf 0000:00:12.2 --count 100000 --ack-every 256
//   vf-pktgen send --vf 0000:00:12.0 --dst 02:11:22:33:44:66 --count 100000 --window 2048
//   vf-pktgen recv --vf 0000:00:12.2 --count 20000 --interrupts --coalesce adaptive --eitr-timing qemu
//
// Frames carry a sequence number (pktgen_frame.hpp), so the receiver counts only the sender's
// frames and sees losses and reordering. Nothing in the 82576 holds back a sender whose receiver
// is slow: frames that find the receiver's ring full are dropped. With --window the sender keeps
// at most that many frames unacknowledged, and the receiver (--ack-every) tells it how far it has
// got; a window below the receiver's ring size then rules out overflow whatever the scheduling.
// The sender stamps each frame with the time it built it, and the receiver prints the
// percentiles of how long its frames took until rx_burst returned them (sender and receiver run
// on one machine and share CLOCK_MONOTONIC): in interrupt mode that includes the wait that
// interrupt coalescing adds.
// Both sides print a running count once a second and a summary (frames, bytes, rate). `recv`
// prints "ready" once its ring is filled, so a sender started after that line is never early.
// With --interrupts the receiver sleeps in libvf's wait() until an interrupt, polls the ring
// empty, re-arms, and at the end prints how many interrupts (eventfd counts) it took and how many
// frames each carried.
//
// Both sides look at libvf's control path every 10 ms (poll_events, or wait in interrupt mode):
// when the kernel asks for the VF back (e.g. sriovd lowering the VF count) they print "the kernel
// asks for the VF back: stopping", close the VF and exit 0 with their counts; when the PF is reset
// (sriovd restarted, vfctl reset PF) libvf sets the VF up again and they go on, printing a line
// with the count at that moment and, at the end, how many frames came after the last PF reset.
//
// With --standby IFACE either side runs on a failover port (sriov/failover.hpp): the VF plus a
// standby interface with the VF's MAC (or promiscuous) that carries the traffic while the VF is
// away. Each switch is printed as it happens ("switch: vf -> standby (released) at 1234"), and the
// end adds the port's counts per path: "failover: vf tx 900 rx 0 (4.5 s), standby tx 101 rx 0
// (0.5 s), switch-overs 1, switch-backs 1, announcements 2, copies dropped 0, ...".
//
// Built on a libvf with SRIOV_COUNT_MMIO (the target vf-pktgen-mmio in tools/bench), each side
// also prints the register accesses libvf's data path made on its queue (the sender's TX, the
// receiver's RX): "mmio: reads R (per packet X), doorbell writes W (per burst Y)", a burst being
// a call of tx_burst or rx_burst that moved at least one frame.
#include "pktgen_frame.hpp"
#include "sriov/error.hpp"
#include "sriov/failover.hpp"
#include "sriov/libvf.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using namespace sriov;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint32_t burst_size = 32;
constexpr auto control_period = std::chrono::milliseconds(10);
constexpr std::uint64_t max_latency_samples = 1 << 20;

// Watches libvf's control path from the program's own loop: the kernel's request for the VF and
// PF resets.
class ControlWatch {
public:
    explicit ControlWatch(vf::Vf& port) : port_(port)
    {
        port_.on_release_request([this] {
            std::printf("the kernel asks for the VF back: stopping\n");
            std::fflush(stdout);
            released_ = true;
        });
    }
    // Polls every control_period; `count` is what the program has counted so far (for the log).
    void tick(Clock::time_point now, std::uint64_t count)
    {
        if (now < next_)
            return;
        next_ = now + control_period;
        after(port_.poll_events(), count);
    }
    // What poll_events() or wait() reported.
    void after(const vf::Events& e, std::uint64_t count)
    {
        if (e.pf_down && !down_) {
            std::printf("PF reset seen at count %llu: waiting for the PF\n", static_cast<unsigned long long>(count));
            std::fflush(stdout);
        }
        down_ = e.pf_down;
        if (e.pf_reset) {
            std::printf("PF reset recovered at count %llu (MAC %s)\n", static_cast<unsigned long long>(count),
                        port_.mac().to_string().c_str());
            std::fflush(stdout);
            count_at_reset_ = count;
        }
    }
    bool released() const { return released_; }
    // Prints what the control path did, and how much was counted after the last PF reset.
    void summary(std::uint64_t count) const
    {
        const vf::ControlStats& st = port_.control_stats();
        std::printf("PF resets %llu (recovery attempts failed %llu, TX frames given up %llu), counted after "
                    "the last PF reset %llu, release requests %llu\n",
                    static_cast<unsigned long long>(st.pf_resets),
                    static_cast<unsigned long long>(st.recovery_failures),
                    static_cast<unsigned long long>(st.tx_given_up),
                    static_cast<unsigned long long>(st.pf_resets ? count - count_at_reset_ : 0),
                    static_cast<unsigned long long>(st.release_requests));
        std::fflush(stdout);
    }

private:
    vf::Vf& port_;
    bool released_ = false;
    bool down_ = false;
    std::uint64_t count_at_reset_ = 0;
    Clock::time_point next_{};
};

// The same watch for a failover port: its poll() does the switches; they are printed.
class FailoverWatch {
public:
    void attach(vf::FailoverPort& port) { port_ = &port; }
    void tick(Clock::time_point now, std::uint64_t count)
    {
        count_ = count;
        if (now < next_)
            return;
        next_ = now + control_period;
        port_->poll();
    }
    // A port without a standby stops when the kernel takes its VF back, as a Vf does.
    bool released()
    {
        if (port_->stopped() && !said_stopped_) {
            std::printf("the kernel asks for the VF back: stopping\n");
            std::fflush(stdout);
            said_stopped_ = true;
        }
        return port_->stopped();
    }
    // Called by the port (on_switch) from poll().
    void switched(const vf::SwitchEvent& e)
    {
        std::printf("switch: %s -> %s (%s) at %llu", vf::to_string(e.from), vf::to_string(e.to),
                    vf::to_string(e.reason), static_cast<unsigned long long>(count_));
        if (e.tx_given_up)
            std::printf(", %llu TX frames given up", static_cast<unsigned long long>(e.tx_given_up));
        std::printf("\n");
        std::fflush(stdout);
    }
    void summary(std::uint64_t) const
    {
        const vf::FailoverStats st = port_->stats();
        auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
        auto secs = [](std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); };
        std::printf("failover: vf tx %llu rx %llu (%.3f s), standby tx %llu rx %llu (%.3f s), switch-overs %llu, "
                    "switch-backs %llu, announcements %llu, copies dropped %llu, TX given up %llu, standby "
                    "discarded %llu, reopen failures %llu, standby overflows %llu\n",
                    u(st.vf.tx_frames), u(st.vf.rx_frames), secs(st.vf.active), u(st.standby.tx_frames),
                    u(st.standby.rx_frames), secs(st.standby.active), u(st.switch_overs), u(st.switch_backs),
                    u(st.announcements), u(st.copies_dropped), u(st.tx_given_up), u(st.standby_discarded),
                    u(st.reopen_failures), u(st.standby_overflows));
        std::fflush(stdout);
    }

private:
    vf::FailoverPort* port_ = nullptr;
    bool said_stopped_ = false;
    std::uint64_t count_ = 0;
    Clock::time_point next_{};
};

template <typename Port>
using WatchOf = std::conditional_t<std::is_same_v<Port, vf::Vf>, ControlWatch, FailoverWatch>;

struct Common {
    std::string vf;
    std::string standby;  // a failover port with this standby interface
    bool failover = false;  // a failover port even without a standby
    std::string token_file = "/run/sriovd.token";
    std::uint32_t ring = 512;
    std::uint32_t buffers = 4096;
    double link_timeout = 10;
    double idle = 10;  // seconds without progress before giving up
};

struct SendOptions {
    std::string dst;
    std::uint64_t count = 1000;
    std::uint32_t size = 60;
    double rate = 0;           // frames per second, 0: as fast as possible
    std::uint64_t window = 0;  // unacknowledged frames at most, 0: no acknowledgements
};

struct RecvOptions {
    std::uint64_t count = 0;     // 0: until idle
    std::uint64_t ack_every = 0;  // 0: send no acknowledgements
    double pause = 0;            // seconds to wait after "ready" before polling (a slow receiver)
    bool interrupts = false;     // sleep until an interrupt instead of polling
    std::string coalesce = "adaptive";  // off | fixed:N | adaptive
    std::string eitr_timing = "datasheet";  // datasheet | qemu
    double min_rate = 1000;      // adaptive: lowest interrupts/s
    std::uint32_t wait_ms = 100;  // interrupt mode: the longest one wait() may sleep
};

// --coalesce and --eitr-timing as libvf's Coalescing.
vf::Coalescing coalescing_of(const RecvOptions& r)
{
    vf::Coalescing c;
    c.min_rate = r.min_rate;
    if (r.coalesce == "off") {
        c.mode = vf::Coalescing::Mode::off;
    } else if (r.coalesce == "adaptive") {
        c.mode = vf::Coalescing::Mode::adaptive;
    } else if (r.coalesce.rfind("fixed:", 0) == 0) {
        c.mode = vf::Coalescing::Mode::fixed;
        try {
            c.rate = std::stod(r.coalesce.substr(6));
        } catch (const std::exception&) {
            throw Error(Errc::invalid_argument, "--coalesce", "fixed:N needs N interrupts per second");
        }
    } else {
        throw Error(Errc::invalid_argument, "--coalesce", "off, fixed:N or adaptive");
    }
    if (r.eitr_timing == "qemu")
        c.timing = vf::EitrTiming::qemu_10_0;
    else if (r.eitr_timing != "datasheet")
        throw Error(Errc::invalid_argument, "--eitr-timing", "datasheet or qemu");
    return c;
}

// A time of the clock the sender stamps its frames with, in nanoseconds (CLOCK_MONOTONIC).
std::uint64_t ns_of(Clock::time_point t)
{
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// How long the sender's frames took from being built to being taken from the RX ring: the
// wire, the device and, in interrupt mode, the interrupt and its coalescing. Keeps up to
// `capacity` samples, allocated up front, none in the receive loop.
class LatencyRecorder {
public:
    explicit LatencyRecorder(std::size_t capacity) { samples_.reserve(capacity); }
    void add(std::uint64_t stamp_ns, std::uint64_t now)
    {
        if (stamp_ns != 0 && now >= stamp_ns && samples_.size() < samples_.capacity())
            samples_.push_back(now - stamp_ns);
    }
    // "latency p50 12 us, p95 40 us, p99 80 us, max 2000 us over 20000 frames"
    void print()
    {
        if (samples_.empty())
            return;
        std::sort(samples_.begin(), samples_.end());
        auto us = [&](double q) {
            const auto i = static_cast<std::size_t>(q * static_cast<double>(samples_.size() - 1));
            return static_cast<unsigned long long>(samples_[i] / 1000);
        };
        std::printf("latency p50 %llu us, p95 %llu us, p99 %llu us, max %llu us over %zu frames\n", us(0.50),
                    us(0.95), us(0.99), static_cast<unsigned long long>(samples_.back() / 1000),
                    samples_.size());
        std::fflush(stdout);
    }

private:
    std::vector<std::uint64_t> samples_;
};

double seconds_since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

vf::OpenOptions open_options(const Common& c, const vf::Config& base)
{
    vf::OpenOptions o;
    o.config = base;
    o.token_file = c.token_file;
    o.config.rx_ring_size = c.ring;
    o.config.tx_ring_size = c.ring;
    o.config.buffer_count = c.buffers;
    return o;
}

template <typename Port>
void wait_for_link(const Common& c, Port& port)
{
    const auto end = Clock::now() + std::chrono::duration<double>(c.link_timeout);
    while (!port.link_up()) {
        if (Clock::now() >= end)
            throw Error(Errc::timeout, c.vf,
                        fmt::format("no link within {} s (is the PF's link up?)", c.link_timeout));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::printf("%s: MAC %s, link up\n", c.vf.c_str(), port.mac().to_string().c_str());
}

// A port and the watch of its control path.
template <typename Port>
struct Opened {
    std::unique_ptr<WatchOf<Port>> watch;
    std::unique_ptr<Port> port;
};

// The port the options ask for, its link up: a Vf, or a failover port whose switches its watch prints.
template <typename Port>
Opened<Port> open_port(const Common& c, const vf::Config& base = {})
{
    Opened<Port> o;
    if constexpr (std::is_same_v<Port, vf::Vf>) {
        o.port = vf::Vf::open(c.vf, open_options(c, base));
        o.watch = std::make_unique<ControlWatch>(*o.port);
    } else {
        o.watch = std::make_unique<FailoverWatch>();
        vf::FailoverOptions options;
        options.vf = open_options(c, base);
        options.standby = c.standby;
        options.on_switch = [w = o.watch.get()](const vf::SwitchEvent& e) { w->switched(e); };
        o.port = vf::FailoverPort::open(c.vf, options);
        o.watch->attach(*o.port);
    }
    wait_for_link(c, *o.port);
    return o;
}

#ifdef SRIOV_COUNT_MMIO
void print_mmio(const vf::MmioStats& m, std::uint64_t packets, std::uint64_t bursts)
{
    auto per = [](std::uint64_t a, std::uint64_t b) {
        return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
    };
    std::printf("mmio: reads %llu (per packet %.4f), doorbell writes %llu (per burst %.4f), other writes %llu, "
                "%llu bursts of %.2f frames\n",
                static_cast<unsigned long long>(m.reads), per(m.reads, packets),
                static_cast<unsigned long long>(m.doorbell_writes), per(m.doorbell_writes, bursts),
                static_cast<unsigned long long>(m.other_writes), static_cast<unsigned long long>(bursts),
                per(packets, bursts));
    std::fflush(stdout);
}
#endif

void summary(const char* what, std::uint64_t frames, std::uint64_t bytes, double secs)
{
    std::printf("%s %llu frames, %llu bytes in %.3f s: %.0f frames/s, %.2f Mbit/s\n", what,
                static_cast<unsigned long long>(frames), static_cast<unsigned long long>(bytes), secs,
                secs > 0 ? static_cast<double>(frames) / secs : 0.0,
                secs > 0 ? static_cast<double>(bytes) * 8 / secs / 1e6 : 0.0);
    std::fflush(stdout);
}

// Sends one frame, waiting (bounded by the caller's loop) for a buffer and ring space.
template <typename Port>
bool send_one(Port& port, const MacAddress& dst, std::uint16_t type, std::uint64_t seq, std::uint32_t size)
{
    vf::PacketBuffer* b = port.alloc_buffer();
    if (!b) {
        port.reclaim_tx();
        return false;
    }
    pktgen::build(*b, dst, port.mac(), type, seq, size);
    if (port.tx_burst(&b, 1) == 1)
        return true;
    port.free_buffer(b);
    return false;
}

// The highest acknowledgement among received frames; other frames are dropped.
template <typename Port>
std::uint64_t read_acks(Port& port, std::uint64_t acked)
{
    vf::PacketBuffer* bufs[burst_size];
    const std::uint32_t n = port.rx_burst(bufs, burst_size);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (const auto next = pktgen::parse(*bufs[i], pktgen::ack_type))
            acked = std::max(acked, *next);
        port.free_buffer(bufs[i]);
    }
    return acked;
}

template <typename Port>
int run_send(const Common& c, const SendOptions& s)
{
    const auto dst = MacAddress::parse(s.dst);
    if (s.size < pktgen::min_size || s.size > 1514)
        throw Error(Errc::invalid_argument, "--size", "frames are 60 to 1514 bytes (without FCS)");
    if (s.window >= c.buffers)
        throw Error(Errc::invalid_argument, "--window", "the window must be smaller than the buffer count");
    auto [control_watch, port] = open_port<Port>(c);
    auto& control = *control_watch;

    std::vector<vf::PacketBuffer*> pending;  // built, not yet taken by the ring
    pending.reserve(burst_size);
    std::uint64_t next_seq = 0;
    std::uint64_t acked = 0;
    std::uint64_t taken = 0, taken_bytes = 0;  // frames (bytes) tx_burst took
    [[maybe_unused]] std::uint64_t bursts = 0;  // tx_burst calls that took frames
    const auto start = Clock::now();
    auto last_progress = start;
    auto next_report = start + std::chrono::seconds(1);
    const auto idle = std::chrono::duration<double>(c.idle);

    while ((next_seq < s.count || !pending.empty()) && !control.released()) {
        control.tick(Clock::now(), taken);
        if (control.released())
            break;
        std::uint64_t allowed = s.count;
        if (s.rate > 0)
            allowed = std::min<std::uint64_t>(allowed,
                                              static_cast<std::uint64_t>(seconds_since(start) * s.rate) + 1);
        if (s.window > 0) {
            acked = read_acks(*port, acked);
            allowed = std::min(allowed, acked + s.window);
        }
        while (pending.size() < burst_size && next_seq < allowed) {
            vf::PacketBuffer* b = port->alloc_buffer();
            if (!b) {
                port->reclaim_tx();
                break;
            }
            pktgen::build(*b, dst, port->mac(), pktgen::data_type, next_seq++, s.size, ns_of(Clock::now()));
            pending.push_back(b);
        }
        const auto now = Clock::now();
        if (!pending.empty()) {
            std::uint64_t bytes = 0;
            for (const vf::PacketBuffer* b : pending)
                bytes += b->length;
            const std::uint32_t sent
                = port->tx_burst(pending.data(), static_cast<std::uint32_t>(pending.size()));
            for (std::uint32_t i = sent; i < pending.size(); ++i)
                bytes -= pending[i]->length;
            taken += sent;
            taken_bytes += bytes;
            pending.erase(pending.begin(), pending.begin() + sent);
            if (sent) {
                last_progress = now;
                ++bursts;
            }
        }
        if (now - last_progress > idle && !control.released())
            throw Error(Errc::timeout, c.vf,
                        fmt::format("no progress for {} s after {} frames ({} acknowledged): frames lost?",
                                    c.idle, next_seq, acked));
        if (now >= next_report) {
            std::printf("sent %llu\n", static_cast<unsigned long long>(taken));
            std::fflush(stdout);
            next_report += std::chrono::seconds(1);
        }
    }
    const double secs = seconds_since(start);
    const auto end = Clock::now() + std::chrono::seconds(5);
    while (!control.released() && (port->reclaim_tx(), port->free_buffers() < c.buffers - c.ring)
           && Clock::now() < end)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (vf::PacketBuffer* b : pending)
        port->free_buffer(b);
    summary("sent", taken, taken_bytes, secs);
#ifdef SRIOV_COUNT_MMIO
    if constexpr (std::is_same_v<Port, vf::Vf>)
        print_mmio(port->tx_mmio(), port->tx_stats().packets, bursts);
#endif
    control.summary(taken);
    return 0;
}

template <typename Port>
int run_recv(const Common& c, const RecvOptions& r)
{
    vf::Config config;
    if (r.interrupts) {
        config.interrupts = vf::InterruptMode::interrupts;
        config.coalescing = coalescing_of(r);
    }
    auto [control_watch, port] = open_port<Port>(c, config);
    auto& control = *control_watch;
    std::printf("ready\n");
    std::fflush(stdout);
    if (r.pause > 0)
        std::this_thread::sleep_for(std::chrono::duration<double>(r.pause));

    std::uint64_t frames = 0, bytes = 0, other = 0, gaps = 0, expected = 0, acked = 0;
    [[maybe_unused]] std::uint64_t bursts = 0;  // rx_burst calls that returned frames
    std::optional<MacAddress> sender;
    LatencyRecorder latency(std::min<std::uint64_t>(r.count ? r.count : max_latency_samples, max_latency_samples));
    vf::PacketBuffer* bufs[burst_size];
    Clock::time_point first{}, last = Clock::now();
    auto next_report = Clock::now() + std::chrono::seconds(1);
    const auto idle = std::chrono::duration<double>(c.idle);
    auto done = [&] { return (r.count != 0 && frames >= r.count) || control.released(); };

    // One burst: count the sender's frames, acknowledge. Returns how many frames it took.
    auto receive_burst = [&] {
        const std::uint32_t n = port->rx_burst(bufs, burst_size);
        const auto now = Clock::now();
        const std::uint64_t now_stamp = ns_of(now);
        for (std::uint32_t i = 0; i < n; ++i) {
            if (const auto seq = pktgen::parse(*bufs[i], pktgen::data_type)) {
                latency.add(pktgen::stamp_of(*bufs[i]), now_stamp);
                if (*seq != expected) {
                    if (++gaps <= 10) {  // where, for the first few: to tell a switch's loss from others
                        std::printf("gap: expected %llu, got %llu\n", static_cast<unsigned long long>(expected),
                                    static_cast<unsigned long long>(*seq));
                        std::fflush(stdout);
                    }
                }
                expected = *seq + 1;
                if (frames == 0)
                    first = now;
                ++frames;
                bytes += bufs[i]->length;
                sender = pktgen::source_of(*bufs[i]);
            } else {
                ++other;
            }
            port->free_buffer(bufs[i]);
        }
        // Acknowledge every ack_every frames, and whatever is left once the sender pauses.
        if (r.ack_every && sender && expected > acked && (expected - acked >= r.ack_every || n == 0)) {
            if (send_one(*port, *sender, pktgen::ack_type, expected, pktgen::min_size))
                acked = expected;
        }
        if (n) {
            last = now;
            ++bursts;
        }
        return n;
    };
    auto report = [&] {
        if (Clock::now() >= next_report) {
            std::printf("received %llu\n", static_cast<unsigned long long>(frames));
            std::fflush(stdout);
            next_report += std::chrono::seconds(1);
        }
    };

    while (!done()) {
        if constexpr (!std::is_same_v<Port, vf::Vf>) {
            receive_burst();
            control.tick(Clock::now(), frames);
        } else if (r.interrupts) {
            // Sleep until an interrupt, poll the ring empty, re-arm.
            // wait() also does poll_events()' work; its findings show in the stats and the flag.
            const auto resets = port->control_stats().pf_resets;
            const bool woken = port->wait(std::chrono::milliseconds(r.wait_ms));
            vf::Events e;
            e.pf_reset = port->control_stats().pf_resets != resets;
            control.after(e, frames);
            if (woken && !done()) {
                while (receive_burst() > 0 && !done()) {
                }
                port->rearm();
            }
        } else {
            receive_burst();
            control.tick(Clock::now(), frames);
        }
        if (Clock::now() - last > idle)
            break;
        report();
    }
    const double secs = frames ? std::chrono::duration<double>(last - first).count() : 0;
    summary("received", frames, bytes, secs);
    std::uint64_t no_buffer = 0;
    if constexpr (std::is_same_v<Port, vf::Vf>)
        no_buffer = port->rx_stats().no_buffer;
    else
        no_buffer = port->stats().rx_no_buffer;
    std::printf("other frames %llu, sequence gaps %llu, dropped for no buffer %llu\n",
                static_cast<unsigned long long>(other), static_cast<unsigned long long>(gaps),
                static_cast<unsigned long long>(no_buffer));
    latency.print();
#ifdef SRIOV_COUNT_MMIO
    if constexpr (std::is_same_v<Port, vf::Vf>)
        print_mmio(port->rx_mmio(), port->rx_stats().packets, bursts);
#endif
    control.summary(frames);
    if constexpr (std::is_same_v<Port, vf::Vf>) {
      if (r.interrupts) {
        const vf::InterruptStats& st = port->interrupt_stats();
        std::printf("interrupts %llu (RX vector %llu), wake-ups %llu, frames per interrupt %.2f, "
                    "coalescing %s, last VTEITR 0x%08x, PF messages %llu\n",
                    static_cast<unsigned long long>(st.interrupts),
                    static_cast<unsigned long long>(st.rx_interrupts),
                    static_cast<unsigned long long>(st.wakeups),
                    st.interrupts ? static_cast<double>(frames) / static_cast<double>(st.interrupts) : 0.0,
                    r.coalesce.c_str(), st.eitr, static_cast<unsigned long long>(st.pf_messages));
      }
    }
    if (control.released())
        return 0;  // the kernel wants the VF: stopping early is what was asked
    return r.count && frames < r.count ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"vf-pktgen: send or receive raw Ethernet frames on an 82576 VF through libvf (needs root)"};
    app.require_subcommand(1);
    Common common;
    SendOptions send;
    RecvOptions recv;
    auto add_common = [&](CLI::App* sub) {
        sub->add_option("--vf", common.vf, "PCI address of the VF (bound to vfio-pci)")->required();
        sub->add_option("--standby", common.standby,
                        "run on a failover port: this interface (with the VF's MAC, or promiscuous) carries the "
                        "traffic while the VF is away (needs CAP_NET_RAW)");
        sub->add_flag("--failover", common.failover,
                      "run on a failover port even without --standby (it then behaves as a plain VF)");
        sub->add_option("--token-file", common.token_file, "file with the VF token (sriovd --token-file)")
            ->capture_default_str();
        sub->add_option("--ring", common.ring, "descriptors per ring (power of two)")->capture_default_str();
        sub->add_option("--buffers", common.buffers, "packet buffers")->capture_default_str();
        sub->add_option("--link-timeout", common.link_timeout, "seconds to wait for link")
            ->capture_default_str();
        sub->add_option("--idle", common.idle, "give up after this many seconds without progress")
            ->capture_default_str();
    };
    auto* send_cmd = app.add_subcommand("send", "send numbered frames to a MAC address");
    add_common(send_cmd);
    send_cmd->add_option("--dst", send.dst, "destination MAC address")->required();
    send_cmd->add_option("--count", send.count, "frames to send")->capture_default_str();
    send_cmd->add_option("--size", send.size, "frame size in bytes without FCS, 60..1514")
        ->capture_default_str();
    send_cmd->add_option("--rate", send.rate, "frames per second (0: as fast as possible)")
        ->capture_default_str();
    send_cmd->add_option("--window", send.window, "unacknowledged frames at most (0: send without waiting)")
        ->capture_default_str();
    auto* recv_cmd = app.add_subcommand("recv", "receive and count the frames of a sender");
    add_common(recv_cmd);
    recv_cmd->add_option("--count", recv.count, "stop after this many frames (0: only when idle)")
        ->capture_default_str();
    recv_cmd->add_option("--ack-every", recv.ack_every, "acknowledge every N frames (0: never)")
        ->capture_default_str();
    recv_cmd->add_option("--pause", recv.pause, "seconds to sleep after \"ready\" before receiving")
        ->capture_default_str();
    recv_cmd->add_flag("--interrupts", recv.interrupts, "sleep until an MSI-X interrupt instead of polling");
    recv_cmd->add_option("--coalesce", recv.coalesce, "with --interrupts: off, fixed:N (interrupts/s) or adaptive")
        ->capture_default_str();
    recv_cmd->add_option("--eitr-timing", recv.eitr_timing,
                         "how the device times EITR: datasheet (the 82576) or qemu (QEMU 10.0's igb)")
        ->capture_default_str();
    recv_cmd->add_option("--min-rate", recv.min_rate, "adaptive: the lowest interrupts/s (bounds latency)")
        ->capture_default_str();
    recv_cmd->add_option("--wait-ms", recv.wait_ms,
                         "with --interrupts: the longest sleep in one wait(); --idle is checked after each")
        ->capture_default_str()
        ->check(CLI::Range(1u, 3600000u));
    CLI11_PARSE(app, argc, argv);

    try {
        if ((!common.standby.empty() || common.failover) && recv.interrupts)
            throw Error(Errc::invalid_argument, "--standby", "a failover port polls: leave out --interrupts");
        if (common.standby.empty() && !common.failover)
            return send_cmd->parsed() ? run_send<vf::Vf>(common, send) : run_recv<vf::Vf>(common, recv);
        return send_cmd->parsed() ? run_send<vf::FailoverPort>(common, send)
                                  : run_recv<vf::FailoverPort>(common, recv);
    } catch (const Error& e) {
        std::fprintf(stderr, "vf-pktgen: %s\n", e.what());
        return 2;
    }
}
