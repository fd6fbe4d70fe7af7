// An rtnetlink socket to the running kernel: the one place in sriov_netlink that talks to it.
//
// The socket is libnl-route-3's (nl_socket_alloc, nl_connect(NETLINK_ROUTE)); the messages are
// the ones the rest of sriov_netlink builds and decodes (build_vf_request, decode_ack,
// decode_link_vf_info). On its fd the constructor sets
//   NETLINK_EXT_ACK   so that a refusal carries the kernel's own words (NLMSGERR_ATTR_MSG), which
//                     decode_ack() reads (libnl 3.7 has no parser for them);
//   NETLINK_CAP_ACK   so that a refusal does not echo the whole request back;
//   SO_RCVTIMEO       the receive timeout given to the constructor.
// It joins no multicast group: what arrives is the answers to its own requests.
//
// Calls block until the kernel answered or the timeout ran out; the kernel answers rtnetlink
// requests synchronously, so in practice they return at once. This is meant for tools and for
// this step of issue 13; sriovd will drive the socket from its event loop instead (fd() is
// exposed for that: send, then read the answer when the fd is readable), not block in it.
//
// Not thread-safe: one socket per thread, or a lock around it. Needs CAP_NET_ADMIN in the
// socket's network namespace for set_vf(); read_link() needs no privilege.
#pragma once

#include "netlink/vf_info.hpp"
#include "netlink/vf_settings.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct nl_sock;

namespace sriov::nl {

// The interface index of the interface named `name` (if_nametoindex). Throws
// sriov::Error(Errc::not_found) naming the interface when there is none of that name.
int interface_index(std::string_view name);

class RtnlSocket {
public:
    static constexpr std::chrono::milliseconds default_timeout{2000};

    // Opens and connects the socket and sets its options. Throws sriov::Error: Errc::io when
    // libnl cannot allocate or connect it, Errc::unsupported when the kernel lacks
    // NETLINK_EXT_ACK or NETLINK_CAP_ACK (both exist since Linux 4.12), Errc::invalid_argument
    // when `receive_timeout` is not positive.
    explicit RtnlSocket(std::chrono::milliseconds receive_timeout = default_timeout);
    ~RtnlSocket();
    RtnlSocket(RtnlSocket&&) noexcept;
    RtnlSocket& operator=(RtnlSocket&&) noexcept;
    RtnlSocket(const RtnlSocket&) = delete;
    RtnlSocket& operator=(const RtnlSocket&) = delete;

    // The socket's file descriptor, for an event loop; owned by this object.
    int fd() const noexcept;

    // Sets `settings` on VF `vf` of the PF whose interface index is `pf_ifindex`, with one
    // RTM_NEWLINK request (build_vf_request), and waits for the kernel's ack of that request.
    // When exactly one of max_tx_rate and min_tx_rate is set, the other is first read from the
    // kernel's current view of the VF (read_link; complete_rates), as iproute2 does; that read
    // and the write are not atomic.
    //
    // The kernel applies the attributes one after another (MAC, VLAN, rate, spoof check, link
    // state, RSS query, trust) and stops at the first one the driver refuses: after a refusal the
    // earlier ones of this request may be in effect. A caller that wants all or none sends one
    // setting per call and puts back what it changed.
    //
    // Throws sriov::Error:
    //  - the kernel refused: refusal_error(ack, subject, "setting <to_string(settings)>"), so
    //    the line names the settings asked for, strerror of the errno and, when the kernel gave
    //    one, its extended-ack message; the code follows the errno (EOPNOTSUPP -> unsupported,
    //    EPERM -> permission, EINVAL -> invalid_argument, ...);
    //  - as build_vf_request() does for settings it cannot encode (Errc::invalid_argument);
    //  - Errc::timeout when no ack came within the receive timeout;
    //  - Errc::not_found when the rate must be completed and the kernel does not report the VF;
    //  - Errc::io / Errc::protocol when sending or receiving fails or the answer is malformed.
    // `subject` names what the error is about (e.g. "eth0 (igb) vf 0"); when empty,
    // "ifindex N vf M".
    void set_vf(int pf_ifindex, std::uint32_t vf, const VfSettings& settings, std::string subject = {});

    // The kernel's view of the link's VFs: RTM_GETLINK for `ifindex` with IFLA_EXT_MASK =
    // RTEXT_FILTER_VF (RTEXT_FILTER_SKIP_STATS not set, so the VF counters come; the kernel sends
    // zeros for a driver that has none), decoded with decode_link_vf_info(). A link without VFs gives an empty list.
    // Throws sriov::Error: the kernel's refusal (refusal_error; ENODEV -> Errc::not_found when
    // there is no such link), Errc::timeout, Errc::io, Errc::protocol as for set_vf().
    LinkVfInfo read_link(int ifindex);
    // The same for an interface name (interface_index(), then read_link(int)).
    LinkVfInfo read_link(std::string_view interface);

    // The bytes of the kernel's RTM_NEWLINK answer that read_link(ifindex) decodes, unchanged:
    // for captures and fixtures. Throws as read_link().
    std::vector<std::uint8_t> read_link_bytes(int ifindex);

private:
    struct SockFree {
        void operator()(nl_sock* sock) const noexcept;
    };

    std::uint32_t next_seq() noexcept;
    void send(const std::vector<std::uint8_t>& request, const std::string& subject);
    // The next message from the kernel answering `seq` (an NLMSG_ERROR or the reply itself).
    std::vector<std::uint8_t> receive_answer(std::uint32_t seq, const std::string& subject);

    std::unique_ptr<nl_sock, SockFree> sock_;
    std::chrono::milliseconds timeout_;
};

}  // namespace sriov::nl
