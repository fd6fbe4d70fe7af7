// The kernel's link notifications (the RTNLGRP_LINK multicast group of rtnetlink): a socket that
// receives an RTM_NEWLINK or RTM_DELLINK whenever a link changes, a PF's VF settings included
// (do_setlink notifies after `ip link set DEV vf N ...`). sriovd's kernel-owned PF wakes on it to
// compare the kernel's view with the desired state at once, instead of at its next once-a-second
// read; the once-a-second read stays, since a VF's own change through its mailbox (igbvf setting
// its MAC) goes to the PF driver alone and raises no notification.
//
// The socket is libnl-route-3's, non-blocking, with sequence checks off (notifications carry
// none); fd() is for an event loop, and take() reads what has arrived without blocking.
#pragma once

#include <memory>

struct nl_sock;

namespace sriov::nl {

class LinkEvents {
public:
    // Opens the socket and joins RTNLGRP_LINK. Throws sriov::Error(Errc::io) when libnl cannot
    // allocate or connect it or the group cannot be joined.
    LinkEvents();
    ~LinkEvents();
    LinkEvents(LinkEvents&&) noexcept;
    LinkEvents& operator=(LinkEvents&&) noexcept;

    int fd() const noexcept;

    // Reads every notification waiting, without blocking. Returns whether one of them was about
    // the link `ifindex`, or the socket overflowed (then notifications were lost and the caller
    // must look at the link anyway). Throws sriov::Error(Errc::io) for another receive failure.
    bool take(int ifindex);

private:
    struct SockFree {
        void operator()(nl_sock* sock) const noexcept;
    };
    std::unique_ptr<nl_sock, SockFree> sock_;
};

}  // namespace sriov::nl
