// libvf's public Vf: the VFIO device, the VF's control conversation with its PF, and the queues.
#include "sriov/libvf.hpp"

#include "dev/register_io.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vf/buffer_pool.hpp"
#include "vf/coalescing.hpp"
#include "vf/pf_reset_recovery.hpp"
#include "vf/port_buffers.hpp"
#include "vf/rx_interrupts.hpp"
#include "vf/rx_queue.hpp"
#include "vf/tx_queue.hpp"
#include "vf/vf_control.hpp"
#include "vfio/container.hpp"
#include "vfio/device.hpp"
#include "vfio/dma_memory.hpp"
#include "vfio/interrupts.hpp"
#include "vfio/vf_token.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>

namespace sriov::vf {

namespace e = e82576;

namespace {

constexpr std::chrono::milliseconds queue_enable_timeout{1000};

std::optional<vfio::VfToken> token_of(const OpenOptions& options)
{
    if (!options.vf_token.empty())
        return vfio::VfToken::parse(options.vf_token);
    if (options.token_file.empty())
        return std::nullopt;
    return vfio::VfToken::read_file(options.token_file);
}

DmaRegion region_of(const vfio::DmaMemory& m)
{
    return DmaRegion{m.virt(), m.iova(), m.size()};
}

std::size_t ring_bytes(std::uint32_t descriptors)
{
    return std::size_t{descriptors} * 16;
}

// Where a Vf's packet buffers live: its own DMA memory and pool, or a failover port's, mapped
// into this VF's container at the port's IOVA. Made before the rings, so that the port's range
// is the container's first.
class VfBuffers {
public:
    VfBuffers(const std::shared_ptr<vfio::Container>& container, const Config& config, PortBuffers* port)
    {
        if (!port) {
            own_memory_.emplace(
                vfio::DmaMemory::allocate(container, std::size_t{config.buffer_count} * config.buffer_size));
            own_pool_.emplace(region_of(*own_memory_), config.buffer_count, config.buffer_size);
            pool_ = &*own_pool_;
            return;
        }
        port_mapping_.emplace(container, port->memory, port->iova);
        if (!port->pool) {
            port->iova = port_mapping_->iova();
            port->pool.emplace(DmaRegion{port->memory.virt(), *port->iova, port->memory.size()},
                               config.buffer_count, config.buffer_size);
        }
        pool_ = &*port->pool;
    }

    BufferPool& pool() { return *pool_; }

private:
    std::optional<vfio::DmaMemory> own_memory_;
    std::optional<BufferPool> own_pool_;
    std::optional<vfio::DmaMapping> port_mapping_;
    BufferPool* pool_ = nullptr;
};

}  // namespace

struct Vf::Impl {
    std::shared_ptr<vfio::Container> container;
    vfio::Device device;
    vfio::MappedRegion bar0;
    dev::MmioRegisters regs;
    VfControl control;
    MacAddress mac;
    VfBuffers buffers;
    vfio::DmaMemory rx_ring_memory;
    vfio::DmaMemory tx_ring_memory;
    BufferPool& pool;
    RxQueue rx;
    TxQueue tx;
    // Interrupt mode only: the VF's MSI-X vectors routed to eventfds, and what drives them.
    std::optional<vfio::Interrupts> msix;
    std::unique_ptr<RxInterrupts> irq;
    // Resilience: PF resets noticed and recovered from; the kernel's request for the VF back.
    PfResetRecovery recovery;
    std::optional<vfio::Interrupts> request_irq;
    std::function<void()> on_release;
    bool release_requested = false;
    Config settings;

    Impl(std::shared_ptr<vfio::Container> c, vfio::Device d, const Config& config, PortBuffers* port)
        : container(std::move(c)),
          device(std::move(d)),
          bar0(device.map(vfio::PciRegion::bar0)),
          regs(bar0),
          control(regs, device.name()),
          mac(reset_handshake(config)),
          buffers(container, config, port),
          rx_ring_memory(vfio::DmaMemory::allocate(container, ring_bytes(config.rx_ring_size))),
          tx_ring_memory(vfio::DmaMemory::allocate(container, ring_bytes(config.tx_ring_size))),
          pool(buffers.pool()),
          rx(regs, Doorbell(bar0, e::VF_RDT(0)), region_of(rx_ring_memory), config.rx_ring_size, pool,
             device.name() + " RX queue 0"),
          tx(regs, Doorbell(bar0, e::VF_TDT(0)), region_of(tx_ring_memory), config.tx_ring_size, pool,
             device.name() + " TX queue 0"),
          recovery(control, rx, tx, mac, [this] { if (irq) irq->start(); }, device.name(),
                   PfResetRecovery::Options{queue_enable_timeout}),
          settings(config)
    {
        route_request_interrupt();
    }

    // The reset handshake disabled the queues (5.4 step 7): set them up, with the interrupts.
    void start()
    {
        rx.start(queue_enable_timeout);
        tx.start(queue_enable_timeout);
        if (settings.interrupts == InterruptMode::interrupts)
            start_interrupts(settings);
    }

    // The VFIO request interrupt (the kernel asking for the device back) to an eventfd.
    void route_request_interrupt()
    {
        try {
            request_irq.emplace(device, vfio::PciIrq::request, 1);
        } catch (const Error& e) {
            spdlog::debug("{}: no VFIO request interrupt ({}); the kernel's request cannot be seen",
                          device.name(), e.what());
        }
    }

    Events service_events()
    {
        Events events;
        if (request_irq && (*request_irq)[0].drain() > 0) {
            ++recovery.stats().release_requests;
            if (!release_requested) {
                release_requested = true;
                spdlog::info("{}: the kernel asks for the VF back", device.name());
                if (on_release)
                    on_release();
            }
        }
        events.release_requested = release_requested;
        if (release_requested)
            return events;  // the VF is going away: leave its mailbox alone
        events.pf_reset = recovery.poll();
        events.pf_down = recovery.recovery_pending();
        return events;
    }

    // A PF request refused because we are not clear to send means the PF has forgotten our reset.
    template <typename Ask>
    void ask(Ask&& request)
    {
        try {
            request();
        } catch (const Error& e) {
            if (e.code() == Errc::permission && !control.clear_to_send())
                recovery.note_refusal();
            throw;
        }
    }

    void start_interrupts(const Config& config)
    {
        namespace vv = e::vf_vector;
        msix.emplace(device, vfio::PciIrq::msix, vv::count);
        RxInterrupts::Hooks hooks;
        hooks.rx_pending = [this] { return rx.pending(); };
        hooks.rx_frames = [this] { return rx.stats().packets; };
        hooks.check_mailbox = [this] {
            if (release_requested)
                return std::pair{false, false};
            const auto seen = control.service_mailbox();
            recovery.note(seen);
            return std::pair{seen.message, seen.reset};
        };
        irq = std::make_unique<RxInterrupts>(
            regs, std::array{&(*msix)[vv::TX], &(*msix)[vv::RX], &(*msix)[vv::OTHER]}, config.coalescing,
            coalescing_buffers(config.coalescing.app_buffers, config.rx_ring_size), std::move(hooks),
            device.name());
        if (request_irq)
            irq->watch((*request_irq)[0].fd());
        irq->start();
    }

    RxInterrupts& interrupts()
    {
        if (!irq)
            throw Error(Errc::invalid_argument, device.name(),
                        "the VF was opened in polling mode (Config::interrupts)");
        return *irq;
    }

    MacAddress reset_handshake(const Config& config)
    {
        device.enable_bus_master();
        const auto assigned = control.reset(config.pf_timeout);
        if (!assigned)
            throw Error(Errc::permission, device.name(),
                        "the PF refused the VF's reset: it has no MAC for this VF (sriovd --vf-mac N=MAC)");
        return *assigned;
    }
};

std::unique_ptr<Vf> Vf::open(const std::string& pci_address, const OpenOptions& options)
{
    auto vf = open_unstarted(pci_address, options, nullptr);
    vf->impl_->start();
    return vf;
}

std::unique_ptr<Vf> Vf::open_unstarted(const std::string& pci_address, const OpenOptions& options,
                                       PortBuffers* buffers)
{
    const Config& config = options.config;
    if (config.buffer_count < config.rx_ring_size + 1)
        throw Error(Errc::invalid_argument, pci_address,
                    fmt::format("{} buffers cannot fill an RX ring of {} and leave any to send",
                                config.buffer_count, config.rx_ring_size));
    if (config.interrupts == InterruptMode::interrupts)
        check_coalescing(config.coalescing, pci_address);
    const auto address = pci::Address::parse(pci_address);
    // The device and the token first: a mistyped address or an unreadable token file is the
    // likelier mistake, and the container's error (VFIO missing) would hide it.
    vfio::Device::check_openable(address);
    vfio::Device::Options device_options;
    device_options.vf_token = token_of(options);
    auto container = vfio::Container::open();
    auto device = vfio::Device::open(container, address, device_options);
    return std::unique_ptr<Vf>(
        new Vf(std::make_unique<Impl>(std::move(container), std::move(device), config, buffers)));
}

void Vf::start_queues() { impl_->start(); }

Vf::Vf(std::unique_ptr<Impl> impl) : impl_(std::move(impl))
{
    if (impl_) {
        rx_ = &impl_->rx;
        tx_ = &impl_->tx;
        pool_ = &impl_->pool;
    }
}

std::unique_ptr<Vf> Vf::over_queues(RxQueue& rx, TxQueue& tx, BufferPool& pool)
{
    auto vf = std::unique_ptr<Vf>(new Vf(nullptr));
    vf->rx_ = &rx;
    vf->tx_ = &tx;
    vf->pool_ = &pool;
    return vf;
}

Vf::~Vf()
{
    if (!impl_)
        return;  // over_queues: the caller owns the queues
    // Stop the device's DMA before its memory goes: the queues off, as a VF reset leaves them.
    // Their buffers go back to the pool (which may be a failover port's, outliving this Vf).
    try {
        if (impl_->irq)
            impl_->irq->stop();
        impl_->rx.disable();
        impl_->tx.disable();
    } catch (...) {
    }
    impl_->rx.give_back();
    impl_->tx.give_back();
}

const std::string& Vf::name() const { return impl_->device.name(); }
const MacAddress& Vf::mac() const { return impl_->mac; }
bool Vf::link_up() { return impl_->regs.read32(e::VTSTATUS.offset) & e::status::LU; }

std::uint32_t Vf::rx_burst(PacketBuffer** bufs, std::uint32_t n) { return rx_->burst(bufs, n); }
std::uint32_t Vf::tx_burst(PacketBuffer** bufs, std::uint32_t n) { return tx_->burst(bufs, n); }
PacketBuffer* Vf::alloc_buffer() { return pool_->alloc(); }
void Vf::free_buffer(PacketBuffer* b) { pool_->free(b); }
std::uint32_t Vf::reclaim_tx() { return tx_->reclaim(); }
const RxStats& Vf::rx_stats() const { return rx_->stats(); }
const TxStats& Vf::tx_stats() const { return tx_->stats(); }
std::uint32_t Vf::free_buffers() const { return pool_->available(); }

int Vf::rx_event_fd() const { return impl_->interrupts().fd(); }
bool Vf::wait(std::chrono::milliseconds timeout)
{
    const bool woken = impl_->interrupts().wait(timeout);
    const Events events = impl_->service_events();
    return woken || events.release_requested || events.pf_reset;
}
void Vf::rearm() { impl_->interrupts().rearm(); }
const InterruptStats& Vf::interrupt_stats() const
{
    static const InterruptStats none{};
    return impl_->irq ? impl_->irq->stats() : none;
}

void Vf::on_release_request(std::function<void()> callback) { impl_->on_release = std::move(callback); }
bool Vf::release_requested() const { return impl_->release_requested; }
int Vf::release_event_fd() const { return impl_->request_irq ? (*impl_->request_irq)[0].fd() : -1; }
Events Vf::poll_events() { return impl_->service_events(); }
const ControlStats& Vf::control_stats() const { return impl_->recovery.stats(); }

void Vf::set_mac(const MacAddress& mac) { impl_->ask([&] { impl_->control.set_mac(mac); }); }
void Vf::add_mac_filter(const MacAddress& mac) { impl_->ask([&] { impl_->control.add_mac_filter(mac); }); }
void Vf::clear_mac_filters() { impl_->ask([&] { impl_->control.clear_mac_filters(); }); }
void Vf::set_vlan(std::uint16_t vid, bool add) { impl_->ask([&] { impl_->control.set_vlan(vid, add); }); }
void Vf::set_multicast(std::span<const MacAddress> groups)
{
    impl_->ask([&] { impl_->control.set_multicast(groups); });
}
void Vf::set_max_frame(std::uint32_t bytes) { impl_->ask([&] { impl_->control.set_max_frame(bytes); }); }
void Vf::set_promisc(bool multicast) { impl_->ask([&] { impl_->control.set_promisc(multicast); }); }

}  // namespace sriov::vf
