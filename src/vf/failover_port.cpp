// libvf's failover port: the VF and a standby interface behind one data path (see failover.hpp
// for what each switch does and why).
#include "sriov/failover.hpp"

#include "sriov/error.hpp"
#include "vf/failover_state.hpp"

#include <fmt/format.h>

namespace sriov::vf {

const char* to_string(Path p) { return p == Path::vf ? "vf" : "standby"; }

const char* to_string(SwitchReason r)
{
    switch (r) {
    case SwitchReason::released: return "released";
    case SwitchReason::link_down: return "link_down";
    case SwitchReason::pf_reset: return "pf_reset";
    case SwitchReason::vf_back: return "vf_back";
    case SwitchReason::link_back: return "link_back";
    case SwitchReason::pf_recovered: return "pf_recovered";
    case SwitchReason::tx_stalled: return "tx_stalled";
    case SwitchReason::tx_resumed: return "tx_resumed";
    }
    return "?";
}

std::unique_ptr<FailoverPort> FailoverPort::open(const std::string& pci_address, const FailoverOptions& options)
{
    const Config& config = options.vf.config;
    if (config.interrupts == InterruptMode::interrupts)
        throw Error(Errc::invalid_argument, pci_address, "a failover port polls: open it without interrupts");
    auto impl = std::make_unique<Impl>(pci_address, options);
    impl->buffers.memory = vfio::HostMemory::allocate(std::size_t{config.buffer_count} * config.buffer_size);
    impl->vf = Vf::open_unstarted(pci_address, options.vf, &impl->buffers);
    impl->mac = impl->vf->mac();
    if (!options.standby.empty()) {
        impl->standby.emplace(options.standby, impl->mac);
        if (!impl->standby->carrier())
            throw Error(Errc::invalid_argument, fmt::format("standby {}", options.standby),
                        fmt::format("is down or has no carrier: bring it up (ip link set {} up)", options.standby));
    }
    impl->pending.resize(config.buffer_count);
    impl->held.reserve(config.buffer_count / 4);
    impl->vf->start_queues();
    impl->tx_moved_at = Clock::now();
    return std::unique_ptr<FailoverPort>(new FailoverPort(std::move(impl)));
}

FailoverPort::FailoverPort(std::unique_ptr<Impl> impl) : impl_(std::move(impl))
{
    if (impl_->vf) {
        rx_ = impl_->vf->rx_;
        tx_ = impl_->vf->tx_;
        pool_ = &impl_->pool();
        fast_ = true;
    }
}

std::unique_ptr<FailoverPort> FailoverPort::over_queues(RxQueue& rx, TxQueue& tx, BufferPool& pool)
{
    auto port = std::unique_ptr<FailoverPort>(new FailoverPort(std::make_unique<Impl>("model", FailoverOptions{})));
    port->rx_ = &rx;
    port->tx_ = &tx;
    port->pool_ = &pool;
    port->fast_ = true;
    return port;
}

FailoverPort::~FailoverPort()
{
    if (impl_->reopening.valid())
        impl_->reopening.wait();
}

const std::string& FailoverPort::name() const { return impl_->address; }
const MacAddress& FailoverPort::mac() const { return impl_->mac; }
Path FailoverPort::active() const { return impl_->path; }
bool FailoverPort::has_vf() const { return impl_->vf != nullptr; }
bool FailoverPort::stopped() const { return impl_->mode == Mode::stopped; }

std::uint32_t FailoverPort::rx_burst(PacketBuffer** bufs, std::uint32_t n)
{
    if (fast_) [[likely]]
        return rx_->burst(bufs, n);
    return rx_slow(bufs, n);
}

std::uint32_t FailoverPort::tx_burst(PacketBuffer** bufs, std::uint32_t n)
{
    if (fast_) [[likely]]
        return tx_->burst(bufs, n);
    return tx_slow(bufs, n);
}

PacketBuffer* FailoverPort::alloc_buffer() { return pool_->alloc(); }
void FailoverPort::free_buffer(PacketBuffer* b) { pool_->free(b); }
std::uint32_t FailoverPort::free_buffers() const { return pool_->available(); }

std::uint32_t FailoverPort::reclaim_tx()
{
    const Mode m = impl_->mode;
    return m == Mode::vf || m == Mode::vf_leaving || m == Mode::vf_dedupe ? tx_->reclaim() : 0;
}

bool FailoverPort::link_up()
{
    if (impl_->path == Path::vf)
        return impl_->vf && impl_->vf->link_up();
    return impl_->standby && impl_->standby->carrier();
}

std::uint32_t FailoverPort::rx_slow(PacketBuffer** bufs, std::uint32_t n)
{
    Impl& p = *impl_;
    std::uint32_t k = p.take_pending(bufs, n);
    switch (p.mode) {
    case Mode::vf:
        k += rx_->burst(bufs + k, n - k);
        break;
    case Mode::vf_leaving: {
        const std::uint32_t got = rx_->burst(bufs + k, n - k);
        for (std::uint32_t i = 0; i < got; ++i)
            p.history.record(*bufs[k + i]);
        k += got;
        break;
    }
    case Mode::vf_dedupe: {
        const std::uint32_t first = k;  // frames kept are moved down over the copies dropped
        const std::uint32_t got = rx_->burst(bufs + first, n - first);
        for (std::uint32_t i = 0; i < got; ++i) {
            PacketBuffer* b = bufs[first + i];
            if (p.history.is_copy(*b)) {
                ++p.stats.copies_dropped;
                ++p.vf_undelivered;
                p.pool().free(b);
            } else {
                bufs[k++] = b;
            }
        }
        if (!p.history.window_open() && p.pending_count == 0) {
            p.mode = Mode::vf;
            fast_ = true;
        }
        break;
    }
    case Mode::standby:
    case Mode::vf_returning:
        k += p.receive_standby(bufs + k, n - k, p.mode == Mode::vf_returning);
        break;
    case Mode::stopped:
        break;
    }
    return k;
}

std::uint32_t FailoverPort::tx_slow(PacketBuffer** bufs, std::uint32_t n)
{
    Impl& p = *impl_;
    switch (p.mode) {
    case Mode::vf:
    case Mode::vf_leaving:
    case Mode::vf_dedupe:
        return tx_->burst(bufs, n);
    case Mode::standby:
    case Mode::vf_returning:
        return p.send_standby(bufs, n);
    case Mode::stopped:
        break;
    }
    return 0;
}

FailoverStats FailoverPort::stats() const
{
    const Impl& p = *impl_;
    FailoverStats s = p.stats;
    s.vf.rx_frames = p.closed_vf_rx + (p.vf ? p.vf->rx_stats().packets : 0) - p.vf_undelivered;
    s.vf.tx_frames = p.closed_vf_tx + (p.vf ? p.vf->tx_stats().packets : 0);
    s.rx_no_buffer = p.closed_vf_no_buffer + (p.vf ? p.vf->rx_stats().no_buffer : 0);
    auto& current = p.path == Path::vf ? s.vf : s.standby;
    current.active += Clock::now() - p.path_since;
    return s;
}

}  // namespace sriov::vf
