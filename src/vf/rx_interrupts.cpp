#include "vf/rx_interrupts.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vf/coalescing.hpp"

#include <sys/epoll.h>

#include <cerrno>
#include <utility>

namespace sriov::vf {

namespace e = e82576;
namespace vv = e82576::vf_vector;

namespace {

constexpr std::uint32_t all_vectors = vv::BIT(vv::TX) | vv::BIT(vv::RX) | vv::BIT(vv::OTHER);
// The vectors that wake a waiting application: RX, and the mailbox on silicon.
constexpr std::uint32_t armed_vectors = vv::BIT(vv::RX) | vv::BIT(vv::OTHER);

void watch_fd(int epoll_fd, int fd, const std::string& name)
{
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0)
        throw system_error(name, "adding an interrupt eventfd to epoll", errno);
}

}  // namespace

RxInterrupts::RxInterrupts(dev::RegisterIo& regs, std::array<vfio::EventFd*, 3> vectors,
                           const Coalescing& coalescing, std::uint32_t bufs, Hooks hooks, std::string name)
    : regs_(regs), vectors_(vectors), epoll_(::epoll_create1(EPOLL_CLOEXEC)), coalescing_(coalescing),
      bufs_(bufs), hooks_(std::move(hooks)), name_(std::move(name))
{
    check_coalescing(coalescing_, name_);
    if (!epoll_)
        throw system_error(name_, "creating an epoll fd for the VF's interrupts", errno);
    for (vfio::EventFd* v : vectors_)
        watch_fd(epoll_.get(), v->fd(), name_);
    watch_fd(epoll_.get(), self_.fd(), name_);
}

void RxInterrupts::watch(int fd)
{
    watch_fd(epoll_.get(), fd, name_);
}

RxInterrupts::~RxInterrupts()
{
    try {
        stop();
    } catch (...) {
    }
}

void RxInterrupts::start()
{
    // Fact sheet 3.3, in igbvf's order: queue and mailbox vectors, throttling, auto-clear and
    // auto-mask, then stale causes cleared and the vectors enabled.
    regs_.write32(e::VTIVAR.offset, e::vtivar::RX0(vv::RX) | e::vtivar::TX0(vv::TX));
    regs_.write32(e::VTIVAR_MISC.offset, e::vtivar::MISC(vv::OTHER));
    write_eitr(initial_eitr(coalescing_));
    regs_.write32(e::VTEIAC.offset, all_vectors);
    regs_.write32(e::VTEIAM.offset, all_vectors);
    regs_.write32(e::VTEICR.offset, all_vectors);
    regs_.write32(e::VTEIMS.offset, armed_vectors);
    measured_at_ = hooks_.now();
    measured_frames_ = hooks_.rx_frames();
}

void RxInterrupts::stop()
{
    regs_.write32(e::VTEIMC.offset, all_vectors);
}

void RxInterrupts::write_eitr(std::uint32_t value)
{
    regs_.write32(e::VTEITR.at(vv::RX), value);
    stats_.eitr = value;
}

// Consumes every eventfd's count. Returns whether anything needs the application's attention.
bool RxInterrupts::take_events()
{
    std::uint64_t fired = 0;
    for (unsigned v = 0; v < vectors_.size(); ++v) {
        const std::uint64_t n = vectors_[v]->drain();
        fired += n;
        if (v == vv::RX)
            stats_.rx_interrupts += n;
    }
    stats_.interrupts += fired;
    if (fired) {
        const auto [message, reset] = hooks_.check_mailbox();
        stats_.pf_messages += message;
        stats_.pf_resets += reset;
    }
    return fired > 0 || self_.drain() > 0;
}

bool RxInterrupts::wait(std::chrono::milliseconds timeout)
{
    epoll_event events[4];
    const int n = ::epoll_wait(epoll_.get(), events, 4, static_cast<int>(timeout.count()));
    if (n < 0 && errno != EINTR)
        throw system_error(name_, "waiting for the VF's interrupts", errno);
    const bool woken = n > 0 && take_events();
    if (woken) {
        // The application polls now: no RX interrupts until rearm() (what VTEIAM would do).
        regs_.write32(e::VTEIMC.offset, vv::BIT(vv::RX));
        ++stats_.wakeups;
    }
    adapt();
    return woken;
}

void RxInterrupts::rearm()
{
    adapt();
    // The causes left by frames already polled would interrupt at once: clear them, and take what
    // fired meanwhile (QEMU's end-of-interval message, a mailbox event).
    regs_.write32(e::VTEICR.offset, vv::BIT(vv::RX));
    take_events();
    regs_.write32(e::VTEIMS.offset, armed_vectors);
    // A frame written after the application's last poll but before the unmask raised no
    // interrupt: wake the next wait() for it.
    if (hooks_.rx_pending())
        self_.signal();
}

// Adaptive coalescing: once per period, the frame rate since the last measurement gives VTEITR
// (adaptive_eitr: none up to twice lif, else the rate adaptive_rate says), written only when it
// changes.
void RxInterrupts::adapt()
{
    if (coalescing_.mode != Coalescing::Mode::adaptive)
        return;
    const Clock::time_point now = hooks_.now();
    const auto elapsed = now - measured_at_;
    if (elapsed < coalescing_.adapt_period)
        return;
    const std::uint64_t frames = hooks_.rx_frames();
    const double seconds = std::chrono::duration<double>(elapsed).count();
    const double pps = static_cast<double>(frames - measured_frames_) / seconds;
    measured_at_ = now;
    measured_frames_ = frames;
    const std::uint32_t eitr = adaptive_eitr(pps, bufs_, coalescing_);
    stats_.interrupt_rate
        = eitr == 0 ? 0 : adaptive_rate(pps, bufs_, coalescing_.safety_ratio, coalescing_.min_rate);
    if (eitr != stats_.eitr)
        write_eitr(eitr);
}

}  // namespace sriov::vf
