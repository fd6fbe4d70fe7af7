// The inside of a failover port (failover.hpp): its state, shared by the data path
// (failover_port.cpp) and the switches (failover_switch.cpp).
#pragma once

#include "sriov/error.hpp"
#include "sriov/failover.hpp"
#include "vf/buffer_pool.hpp"
#include "vf/frame_history.hpp"
#include "vf/port_buffers.hpp"
#include "vf/rx_queue.hpp"
#include "vf/standby_path.hpp"
#include "vf/tx_queue.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <future>
#include <optional>
#include <vector>

namespace sriov::vf {

using Clock = std::chrono::steady_clock;

// How many received frames one switch may record (a settling time's worth at high rates).
constexpr std::uint32_t history_capacity = 4096;

// How long a switch waits for the slower path to catch up with the other (the standby's kernel
// path can lag the VF's ring by tens of milliseconds on a busy machine): the standby to deliver
// the VF's last frame, or the VF's ring to hold nothing the standby has not delivered. Beyond
// it the switch goes on, and frames can be lost or delivered twice.
constexpr std::chrono::milliseconds sync_limit{1000};

enum class Mode {
    vf,            // the VF carries everything (fast path)
    vf_leaving,    // planned switch: the VF still carries everything; what it delivers is recorded
    standby,       // the standby carries everything (the VF is away, or its link or PF is down)
    vf_returning,  // the VF's queues run again; the standby still carries, what it delivers is recorded
    vf_dedupe,     // the VF carries everything; its copies of what the standby delivered are dropped
    stopped,       // no standby, and the VF was taken back
};

// The VF's device is there again and bound to vfio-pci, so that opening it can succeed.
inline bool vf_device_ready(const std::string& address)
{
    std::error_code ec;
    const auto driver = std::filesystem::read_symlink("/sys/bus/pci/devices/" + address + "/driver", ec);
    return !ec && driver.filename() == "vfio-pci";
}

// Whether a frame the standby received is one the VF would have: to its MAC or a group address,
// and not from its own MAC (the port's own frames seen on the shared segment, e.g. the VF path's
// announcement of the MAC, which a VF does not receive back).
inline bool is_for(const PacketBuffer& b, const MacAddress& mac)
{
    if (b.length < 12)
        return false;
    if (std::equal(mac.bytes().begin(), mac.bytes().end(), b.data + 6))
        return false;
    if (b.data[0] & 1)
        return true;  // broadcast or multicast
    return std::equal(mac.bytes().begin(), mac.bytes().end(), b.data);
}

struct FailoverPort::Impl {
    std::string address;
    FailoverOptions options;
    PortBuffers buffers;
    std::unique_ptr<Vf> vf;
    std::optional<StandbyPath> standby;
    MacAddress mac;
    Mode mode = Mode::vf;
    Path path = Path::vf;
    FrameHistory history{history_capacity};
    // After a switch to the standby: the hash of the last frame the VF delivered. Until the
    // standby delivers that frame too, what it delivers is held (it may all be copies: a lagging
    // standby delivers frames older than any the history recorded); then the held frames are
    // dropped. Without it by sync_deadline, or with `held` full, the held frames found in the
    // history are dropped and the rest delivered.
    std::optional<std::uint64_t> sync_hash;
    Clock::time_point sync_deadline{};
    std::vector<PacketBuffer*> held;  // capacity reserved at open: never grows
    // Frames taken from a path during a switch, delivered by the next rx_burst calls, in order.
    std::vector<PacketBuffer*> pending;
    std::size_t pending_head = 0;
    std::size_t pending_count = 0;
    Clock::time_point phase_start{};
    Clock::time_point path_since = Clock::now();
    Clock::time_point last_vf_check{};
    std::optional<Clock::time_point> pf_down_since;
    // TX stall detection: frames the VF's TX ring completed so far, and when that last moved.
    std::uint64_t tx_completed = 0;
    Clock::time_point tx_moved_at{};
    SwitchReason failed_for = SwitchReason::link_down;  // why the port is on the standby with a VF
    bool probing = false;  // after a TX stall: a probe frame is in the VF's TX ring
    std::future<std::unique_ptr<Vf>> reopening;
    SwitchReason return_reason = SwitchReason::vf_back;
    FailoverStats stats;
    std::uint64_t closed_vf_rx = 0;  // frames of Vfs already closed
    std::uint64_t closed_vf_tx = 0;
    std::uint64_t closed_vf_no_buffer = 0;
    std::uint64_t vf_undelivered = 0;  // VF frames counted in its RX stats but dropped (copies, or
                                       // emptied from its ring while the standby delivered)

    Impl(std::string a, FailoverOptions o) : address(std::move(a)), options(std::move(o)) {}

    BufferPool& pool() { return *buffers.pool; }

    void push_pending(PacketBuffer* b)
    {
        if (pending_count == pending.size()) {
            pool().free(b);  // cannot happen: there are no more buffers than slots
            return;
        }
        pending[(pending_head + pending_count++) % pending.size()] = b;
    }

    std::uint32_t take_pending(PacketBuffer** bufs, std::uint32_t n)
    {
        std::uint32_t k = 0;
        while (k < n && pending_count > 0) {
            bufs[k++] = pending[pending_head];
            pending_head = (pending_head + 1) % pending.size();
            --pending_count;
        }
        return k;
    }

    // Receives up to n frames from the standby into bufs (skipping other MACs' frames and copies
    // of recorded ones; recording what it delivers when `record`).
    std::uint32_t receive_standby(PacketBuffer** bufs, std::uint32_t n, bool record)
    {
        std::array<PacketBuffer*, StandbyPath::max_burst> got{};
        std::uint32_t delivered = 0;
        while (delivered < n) {
            std::uint32_t want = std::min<std::uint32_t>(n - delivered, StandbyPath::max_burst);
            std::uint32_t have = 0;
            while (have < want && (got[have] = pool().alloc()) != nullptr)
                ++have;
            const std::uint32_t received = standby->receive(got.data(), have);
            for (std::uint32_t i = 0; i < have; ++i) {
                PacketBuffer* b = got[i];
                if (i >= received) {
                    pool().free(b);
                } else if (!is_for(*b, mac)) {
                    ++stats.foreign_dropped;
                    pool().free(b);
                } else if (sync_on(b)) {
                    // held, or dropped with what was held
                } else if (history.is_copy(*b)) {
                    ++stats.copies_dropped;
                    pool().free(b);
                } else {
                    if (record)
                        history.record(*b);
                    ++stats.standby.rx_frames;
                    if (pending_count > 0)
                        push_pending(b);  // behind frames a sync just released
                    else
                        bufs[delivered++] = b;
                }
            }
            if (received < want)
                break;
        }
        return delivered;
    }

    // While a sync is under way (sync_hash): holds b, or, when b is the VF's last frame, drops it
    // with everything held. Returns whether b was taken; false once there is no sync (a full
    // `held` ends it: resolve_sync).
    bool sync_on(PacketBuffer* b)
    {
        if (!sync_hash)
            return false;
        if (FrameHistory::hash_of(*b) == *sync_hash) {
            stats.copies_dropped += held.size() + 1;
            for (PacketBuffer* c : held)
                pool().free(c);
            held.clear();
            pool().free(b);
            sync_hash.reset();
            return true;
        }
        if (held.size() < held.capacity()) {
            held.push_back(b);
            return true;
        }
        resolve_sync();
        return false;
    }

    // The standby did not deliver the VF's last frame in time, or too much waited: of the frames
    // held, those the history recorded are copies; the others are delivered, in order.
    void resolve_sync()
    {
        for (PacketBuffer* b : held) {
            if (history.contains(*b)) {
                ++stats.copies_dropped;
                pool().free(b);
            } else {
                ++stats.standby.rx_frames;
                push_pending(b);
            }
        }
        held.clear();
        sync_hash.reset();
    }

    std::uint32_t send_standby(PacketBuffer** bufs, std::uint32_t n)
    {
        std::uint32_t sent = 0;
        while (sent < n) {
            const std::uint32_t k = standby->send(bufs + sent, n - sent);
            for (std::uint32_t i = 0; i < k; ++i)
                pool().free(bufs[sent + i]);  // the kernel has its own copy
            sent += k;
            if (k == 0)
                break;
        }
        stats.standby.tx_frames += sent;
        return sent;
    }

    void account_path(Path to, Clock::time_point now)
    {
        auto& from = path == Path::vf ? stats.vf : stats.standby;
        from.active += now - path_since;
        path_since = now;
        path = to;
    }

    void notify(Path from, Path to, SwitchReason reason, std::uint64_t given_up)
    {
        spdlog::info("{}: traffic moved from the {} path to the {} path ({}{})", address, to_string(from),
                     to_string(to), to_string(reason),
                     given_up ? fmt::format(", {} frames in the VF's TX ring given up", given_up) : "");
        if (options.on_switch)
            options.on_switch(SwitchEvent{from, to, reason, given_up});
    }

    void announce_on_standby()
    {
        try {
            standby->announce();
            ++stats.announcements;
            ++stats.standby.tx_frames;
        } catch (const Error& e) {
            spdlog::warn("{}: {}", address, e.what());
        }
    }

    // Gives the VF's TX queue the frame that announces the MAC; whether it took it.
    bool send_announcement(TxQueue& tx)
    {
        PacketBuffer* b = pool().alloc();
        if (!b)
            return false;
        const auto frame = announcement_frame(mac);
        std::copy(frame.begin(), frame.end(), b->data);
        b->length = static_cast<std::uint32_t>(frame.size());
        if (tx.burst(&b, 1) == 0) {
            pool().free(b);
            return false;
        }
        ++stats.announcements;
        return true;
    }

    void close_vf()
    {
        closed_vf_rx += vf->rx_stats().packets;
        closed_vf_tx += vf->tx_stats().packets;
        closed_vf_no_buffer += vf->rx_stats().no_buffer;
        vf.reset();  // queues off, buffers back to the port's pool, device given back
    }
};

}  // namespace sriov::vf
