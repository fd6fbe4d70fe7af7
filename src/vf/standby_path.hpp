// The standby path of libvf's failover port (issue 14): while the VF is away (taken back by the
// kernel before a migration, its PF in a reset that does not end), frames go through a kernel
// network interface on the same network instead — a virtio-net NIC, or any netdev — with an
// AF_PACKET socket bound to it, in bursts (sendmmsg / recvmmsg), copied to and from the port's
// packet buffers.
//
// Both paths carry the VF's MAC. The standby interface must therefore receive frames for it: it
// has the VF's MAC as its own address, or it is in promiscuous mode. Who prepares that is the
// operator (or sriovd, for a VF it manages); open() checks and says what is missing.
//
// Privileges beyond a plain Vf: CAP_NET_RAW, for the AF_PACKET socket (nothing more: no
// AF_XDP here yet, which would need CAP_NET_ADMIN and CAP_BPF or root).
//
// Frames the socket itself sent are not received back (PACKET_IGNORE_OUTGOING), and go to the
// driver past the interface's queueing discipline (PACKET_QDISC_BYPASS). Everything here
// is a system call; the VF's fast path never comes here.
#pragma once

#include "sriov/mac_address.hpp"
#include "sriov/vf/packet_buffer.hpp"
#include "vfio/unique_fd.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sriov::vf {

class StandbyPath {
public:
    static constexpr std::uint32_t max_burst = 64;

    // Opens the socket on `interface` for frames of `mac`. Throws sriov::Error: not_found when
    // there is no such interface; permission without CAP_NET_RAW (the message says so);
    // invalid_argument when the interface neither has `mac` nor is promiscuous (the message gives
    // the two `ip link` commands that fix it); io for another failure.
    StandbyPath(const std::string& interface, const MacAddress& mac);

    const std::string& interface() const { return interface_; }
    int fd() const { return fd_.get(); }

    // Copies up to n waiting frames (at most max_burst) into bufs, each at most its capacity
    // (a longer frame is cut and counted in truncated()); sets their length. Never blocks; returns
    // how many. Never throws: a failure counts as nothing received.
    std::uint32_t receive(PacketBuffer* const* bufs, std::uint32_t n);
    // Sends up to n frames (at most max_burst) straight to the driver (PACKET_QDISC_BYPASS: no
    // queueing discipline can drop them after they were counted); returns how many it took (the
    // rest: its queue is full, try again). Never throws.
    std::uint32_t send(PacketBuffer* const* bufs, std::uint32_t n);
    // Throws away every frame waiting in the socket (the VF path carries traffic now); returns
    // how many. Never throws.
    std::uint32_t discard();
    // Whether the interface is up with carrier (IFF_RUNNING). Never throws: false when unknown.
    bool carrier() const;
    // Bytes handed to the kernel by send() that its driver has not finished with yet (SIOCOUTQ):
    // 0 once everything sent is out. Never throws: 0 when unknown.
    std::uint32_t unsent_bytes() const;
    // Sends the announcement frame (announcement_frame) so that switches learn that `mac` is
    // reached through this path now. Throws sriov::Error(io) when the kernel does not take it.
    void announce();

    std::uint64_t truncated() const { return truncated_; }
    // Frames the kernel dropped because the socket's receive queue was full, since the last call
    // (PACKET_STATISTICS, which the kernel resets on reading). Never throws: 0 when unknown.
    std::uint32_t take_dropped();

private:
    std::string interface_;
    MacAddress mac_;
    UniqueFd fd_;
    std::uint64_t truncated_ = 0;
};

// The frame that announces `mac` on a path (as QEMU announces a migrated guest, and as
// net_failover has the kernel do): a RARP request (EtherType 0x8035) to the broadcast address
// from `mac`, asking for `mac`'s own address, padded to 60 bytes.
std::array<std::uint8_t, 60> announcement_frame(const MacAddress& mac);

}  // namespace sriov::vf
