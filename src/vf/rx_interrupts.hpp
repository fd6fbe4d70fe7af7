// libvf's interrupt mode: the VF's MSI-X vectors as eventfds behind one epoll fd, the vector
// routing igbvf programs (fact sheet 3.3), masking around polling as NAPI does, and the RX
// vector's coalescing (EITR, 2.8) off, fixed or adaptive.
//
// Set-up (start), as igbvf's igbvf_configure_msix: VTIVAR routes TX queue 0 to vector 0 and RX
// queue 0 to vector 1, VTIVAR_MISC the mailbox to vector 2, VTEITR(1) the coalescing, VTEIAC and
// VTEIAM all three vectors (auto-clear of the cause after each message; auto-mask where the
// device honours it, which QEMU does not), VTEIMS the RX and mailbox vectors. TX completions
// need no interrupt: tx_burst reclaims.
//
// Since QEMU ignores VTEIAM, the RX vector is masked by hand (VTEIMC) when wait() takes an
// interrupt and unmasked by rearm(); on silicon the same writes repeat what auto-mask did.
// Any vector firing means "look at the mailbox too": QEMU delivers mailbox events on the vector
// VTIVAR_MISC's number read as a bit mask (vector 2 arrives on vector 1).
//
// Everything here is control path: system calls and register writes, no register reads.
#pragma once

#include "dev/register_io.hpp"
#include "sriov/libvf.hpp"
#include "vfio/event_fd.hpp"
#include "vfio/unique_fd.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace sriov::vf {

class RxInterrupts {
public:
    using Clock = std::chrono::steady_clock;

    // What the interrupt mode needs from the rest of the VF, as functions so tests can stand in.
    struct Hooks {
        std::function<bool()> rx_pending;          // a completed RX descriptor waits (DMA memory only)
        std::function<std::uint64_t()> rx_frames;  // frames received so far (the RX queue's count)
        // Reads the mailbox once (called when any vector fired): whether a PF message was
        // handled, and whether the PF reset.
        std::function<std::pair<bool, bool>()> check_mailbox;
        std::function<Clock::time_point()> now = [] { return Clock::now(); };
    };

    // vectors: the eventfds VFIO signals for the VF's MSI-X vectors 0..2 (they must outlive this
    // object). bufs: coalescing_buffers(). Throws sriov::Error (subject = name): invalid_argument
    // (coalescing parameters, see check_coalescing), io (epoll).
    RxInterrupts(dev::RegisterIo& regs, std::array<vfio::EventFd*, 3> vectors, const Coalescing& coalescing,
                 std::uint32_t bufs, Hooks hooks, std::string name);
    RxInterrupts(const RxInterrupts&) = delete;
    RxInterrupts& operator=(const RxInterrupts&) = delete;
    ~RxInterrupts();

    // Programs the vector routing, the coalescing and the masks (see above). Call after the reset
    // handshake and after the eventfds are routed; again after any VF reset.
    void start();
    // Masks all three vectors (the VF's interrupts off).
    void stop();

    int fd() const { return epoll_.get(); }
    // Makes wait() (and fd()) wake up when `fd` becomes readable too, e.g. the VFIO request
    // interrupt's eventfd. The caller consumes what `fd` signals. Throws sriov::Error (io).
    void watch(int fd);
    bool wait(std::chrono::milliseconds timeout);
    void rearm();
    const InterruptStats& stats() const { return stats_; }

private:
    bool take_events();
    void adapt();
    void write_eitr(std::uint32_t value);

    dev::RegisterIo& regs_;
    std::array<vfio::EventFd*, 3> vectors_;
    vfio::EventFd self_;  // signalled by rearm() when frames are already waiting
    sriov::UniqueFd epoll_;
    Coalescing coalescing_;
    std::uint32_t bufs_;
    Hooks hooks_;
    std::string name_;
    InterruptStats stats_;
    Clock::time_point measured_at_{};
    std::uint64_t measured_frames_ = 0;
};

}  // namespace sriov::vf
