// libvf's C API (include/sriov/libvf.h) over the C++ sriov::vf::Vf and sriov::vf::FailoverPort.
//
// Control-path calls run the C++ call inside one catch-all (guarded) that turns sriov::Error into
// its code and keeps the message in a fixed buffer, so nothing allocates to report a failure and
// no exception reaches C. The data path calls the Vf or the port directly: sriov_vf_buffer is the
// very PacketBuffer object (the layouts are checked below), so buffers pass both ways without
// copying.
#include "sriov/libvf.h"

#include "sriov/error.hpp"
#include "sriov/failover.hpp"
#include "sriov/libvf.hpp"

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <type_traits>
#include <vector>

namespace vf = sriov::vf;
using sriov::Errc;

// sriov_vf_buffer must be PacketBuffer seen from C: same members, types, offsets and size.
static_assert(std::is_standard_layout_v<vf::PacketBuffer> && std::is_standard_layout_v<sriov_vf_buffer>);
static_assert(sizeof(sriov_vf_buffer) == sizeof(vf::PacketBuffer));
static_assert(alignof(sriov_vf_buffer) == alignof(vf::PacketBuffer));
#define SRIOV_VF_SAME_MEMBER(m)                                                                    \
    static_assert(offsetof(sriov_vf_buffer, m) == offsetof(vf::PacketBuffer, m));                  \
    static_assert(std::is_same_v<decltype(sriov_vf_buffer::m), decltype(vf::PacketBuffer::m)>)
SRIOV_VF_SAME_MEMBER(data);
SRIOV_VF_SAME_MEMBER(iova);
SRIOV_VF_SAME_MEMBER(capacity);
SRIOV_VF_SAME_MEMBER(length);
SRIOV_VF_SAME_MEMBER(index);
#undef SRIOV_VF_SAME_MEMBER
static_assert(sizeof(sriov_vf_mac) == 6);

// The C enums of the failover port are the C++ ones by value, so they convert with a cast.
static_assert(SRIOV_VF_PATH_VF == static_cast<int>(vf::Path::vf));
static_assert(SRIOV_VF_PATH_STANDBY == static_cast<int>(vf::Path::standby));
static_assert(SRIOV_VF_SWITCH_RELEASED == static_cast<int>(vf::SwitchReason::released));
static_assert(SRIOV_VF_SWITCH_LINK_DOWN == static_cast<int>(vf::SwitchReason::link_down));
static_assert(SRIOV_VF_SWITCH_PF_RESET == static_cast<int>(vf::SwitchReason::pf_reset));
static_assert(SRIOV_VF_SWITCH_TX_STALLED == static_cast<int>(vf::SwitchReason::tx_stalled));
static_assert(SRIOV_VF_SWITCH_VF_BACK == static_cast<int>(vf::SwitchReason::vf_back));
static_assert(SRIOV_VF_SWITCH_LINK_BACK == static_cast<int>(vf::SwitchReason::link_back));
static_assert(SRIOV_VF_SWITCH_PF_RECOVERED == static_cast<int>(vf::SwitchReason::pf_recovered));
static_assert(SRIOV_VF_SWITCH_TX_RESUMED == static_cast<int>(vf::SwitchReason::tx_resumed));

struct sriov_vf {
    std::unique_ptr<vf::Vf> port;
    void (*release_callback)(void*) = nullptr;
    void* release_user = nullptr;
    mutable char message[512] = "";  // the last failure's message (sriov_vf_error_message)
};

struct sriov_vf_failover {
    std::unique_ptr<vf::FailoverPort> port;
    mutable char message[512] = "";  // the last failure's message (sriov_vf_failover_error_message)
};

namespace {

constexpr std::size_t message_size = sizeof(sriov_vf::message);
static_assert(sizeof(sriov_vf_failover::message) == message_size);
// Both kinds of open report here: a failed open has no handle to keep its message in.
thread_local char open_message[message_size] = "";

sriov_vf_err code_of(Errc code)
{
    switch (code) {
    case Errc::not_found: return SRIOV_VF_E_NOT_FOUND;
    case Errc::permission: return SRIOV_VF_E_PERMISSION;
    case Errc::busy: return SRIOV_VF_E_BUSY;
    case Errc::no_iommu: return SRIOV_VF_E_NO_IOMMU;
    case Errc::not_viable: return SRIOV_VF_E_NOT_VIABLE;
    case Errc::vf_token: return SRIOV_VF_E_VF_TOKEN;
    case Errc::memlock: return SRIOV_VF_E_MEMLOCK;
    case Errc::timeout: return SRIOV_VF_E_TIMEOUT;
    case Errc::invalid_argument: return SRIOV_VF_E_INVALID_ARGUMENT;
    case Errc::unsupported: return SRIOV_VF_E_UNSUPPORTED;
    case Errc::protocol: return SRIOV_VF_E_PROTOCOL;
    case Errc::io: return SRIOV_VF_E_IO;
    }
    return SRIOV_VF_E_INTERNAL;
}

void keep(char* buffer, const char* text)
{
    std::snprintf(buffer, message_size, "%s", text);
}

// Runs a control-path call; a failure becomes its code, its message goes into `buffer`.
template <typename Call>
sriov_vf_err guarded(char* buffer, Call&& call) noexcept
{
    try {
        call();
        return SRIOV_VF_OK;
    } catch (const sriov::Error& e) {
        keep(buffer, e.what());
        return code_of(e.code());
    } catch (const std::bad_alloc&) {
        keep(buffer, "libvf: out of memory");
        return SRIOV_VF_E_NO_MEMORY;
    } catch (const std::exception& e) {
        keep(buffer, e.what());
        return SRIOV_VF_E_INTERNAL;
    } catch (...) {
        keep(buffer, "libvf: an unexpected failure");
        return SRIOV_VF_E_INTERNAL;
    }
}

sriov_vf_err invalid(char* buffer, const char* text) noexcept
{
    keep(buffer, text);
    return SRIOV_VF_E_INVALID_ARGUMENT;
}

sriov::MacAddress mac_of(const sriov_vf_mac& m)
{
    sriov::MacAddress::Bytes bytes;
    std::memcpy(bytes.data(), m.bytes, bytes.size());
    return sriov::MacAddress(bytes);
}

vf::PacketBuffer** cxx(sriov_vf_buffer** bufs) { return reinterpret_cast<vf::PacketBuffer**>(bufs); }
sriov_vf_buffer* c(vf::PacketBuffer* b) { return reinterpret_cast<sriov_vf_buffer*>(b); }

vf::Config config_of(const sriov_vf_options& o)
{
    vf::Config config;
    config.rx_ring_size = o.rx_ring_size;
    config.tx_ring_size = o.tx_ring_size;
    config.buffer_count = o.buffer_count;
    config.buffer_size = o.buffer_size;
    config.pf_timeout = std::chrono::milliseconds(o.pf_timeout_ms);
    config.interrupts
        = o.interrupts == SRIOV_VF_INTERRUPTS ? vf::InterruptMode::interrupts : vf::InterruptMode::polling;
    vf::Coalescing& co = config.coalescing;
    switch (o.coalescing.mode) {
    case SRIOV_VF_COALESCE_OFF: co.mode = vf::Coalescing::Mode::off; break;
    case SRIOV_VF_COALESCE_FIXED: co.mode = vf::Coalescing::Mode::fixed; break;
    case SRIOV_VF_COALESCE_ADAPTIVE: co.mode = vf::Coalescing::Mode::adaptive; break;
    default: throw sriov::Error(Errc::invalid_argument, "sriov_vf_options", "unknown coalescing mode");
    }
    co.rate = o.coalescing.rate;
    co.safety_ratio = o.coalescing.safety_ratio;
    co.min_rate = o.coalescing.min_rate;
    co.app_buffers = o.coalescing.app_buffers;
    co.adapt_period = std::chrono::milliseconds(o.coalescing.adapt_period_ms);
    co.timing = o.coalescing.timing == SRIOV_VF_EITR_QEMU_10_0 ? vf::EitrTiming::qemu_10_0
                                                               : vf::EitrTiming::datasheet;
    return config;
}

// The VF's half of the options: its Config, token and token file.
vf::OpenOptions open_options_of(const sriov_vf_options* options)
{
    vf::OpenOptions o;
    if (options) {
        o.config = config_of(*options);
        if (options->vf_token)
            o.vf_token = options->vf_token;
        if (options->token_file)
            o.token_file = options->token_file;
    }
    return o;
}

std::uint64_t ns_of(std::chrono::nanoseconds d) { return static_cast<std::uint64_t>(d.count()); }

sriov_vf_path_stats path_stats_of(const vf::PathStats& s)
{
    return sriov_vf_path_stats{s.rx_frames, s.tx_frames, ns_of(s.active)};
}

}  // namespace

extern "C" {

const char* sriov_vf_strerror(sriov_vf_err code) noexcept
{
    switch (code) {
    case SRIOV_VF_OK: return "ok";
    case SRIOV_VF_E_NO_MEMORY: return "no_memory";
    case SRIOV_VF_E_INTERNAL: return "internal";
    default: break;
    }
    if (code >= SRIOV_VF_E_NOT_FOUND && code <= SRIOV_VF_E_IO)
        return sriov::to_string(static_cast<Errc>(code - SRIOV_VF_E_NOT_FOUND)).data();
    return "unknown";
}

sriov_vf_err sriov_vf_mac_parse(const char* text, sriov_vf_mac* mac) noexcept
{
    if (!text || !mac)
        return SRIOV_VF_E_INVALID_ARGUMENT;
    const auto parsed = sriov::MacAddress::try_parse(text);
    if (!parsed)
        return SRIOV_VF_E_INVALID_ARGUMENT;
    std::memcpy(mac->bytes, parsed->bytes().data(), sizeof mac->bytes);
    return SRIOV_VF_OK;
}

char* sriov_vf_mac_format(const sriov_vf_mac* mac, char out[18]) noexcept
{
    const std::uint8_t* b = mac->bytes;
    std::snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    return out;
}

void sriov_vf_options_init(sriov_vf_options* options) noexcept
{
    const vf::Config d;
    *options = sriov_vf_options{};
    options->rx_ring_size = d.rx_ring_size;
    options->tx_ring_size = d.tx_ring_size;
    options->buffer_count = d.buffer_count;
    options->buffer_size = d.buffer_size;
    options->pf_timeout_ms = static_cast<std::uint32_t>(d.pf_timeout.count());
    options->interrupts = d.interrupts == vf::InterruptMode::interrupts ? SRIOV_VF_INTERRUPTS : SRIOV_VF_POLLING;
    const vf::Coalescing& co = d.coalescing;
    options->coalescing.mode = co.mode == vf::Coalescing::Mode::off     ? SRIOV_VF_COALESCE_OFF
                               : co.mode == vf::Coalescing::Mode::fixed ? SRIOV_VF_COALESCE_FIXED
                                                                        : SRIOV_VF_COALESCE_ADAPTIVE;
    options->coalescing.rate = co.rate;
    options->coalescing.safety_ratio = co.safety_ratio;
    options->coalescing.min_rate = co.min_rate;
    options->coalescing.app_buffers = co.app_buffers;
    options->coalescing.adapt_period_ms = static_cast<std::uint32_t>(co.adapt_period.count());
    options->coalescing.timing
        = co.timing == vf::EitrTiming::qemu_10_0 ? SRIOV_VF_EITR_QEMU_10_0 : SRIOV_VF_EITR_DATASHEET;
}

sriov_vf_err sriov_vf_open(const char* pci_address, const sriov_vf_options* options, sriov_vf** out) noexcept
{
    if (!out)
        return invalid(open_message, "sriov_vf_open: no place for the handle (vf is NULL)");
    *out = nullptr;
    if (!pci_address)
        return invalid(open_message, "sriov_vf_open: no PCI address given");
    return guarded(open_message, [&] {
        auto handle = std::make_unique<sriov_vf>();
        handle->port = vf::Vf::open(pci_address, open_options_of(options));
        sriov_vf* h = handle.get();
        h->port->on_release_request([h] {
            if (h->release_callback)
                h->release_callback(h->release_user);
        });
        *out = handle.release();
    });
}

void sriov_vf_close(sriov_vf* vf) noexcept
{
    delete vf;  // ~Vf stops the queues and never throws
}

const char* sriov_vf_error_message(const sriov_vf* vf) noexcept
{
    return vf ? vf->message : open_message;
}

const char* sriov_vf_name(const sriov_vf* vf) noexcept { return vf->port->name().c_str(); }

sriov_vf_mac sriov_vf_get_mac(const sriov_vf* vf) noexcept
{
    sriov_vf_mac m;
    std::memcpy(m.bytes, vf->port->mac().bytes().data(), sizeof m.bytes);
    return m;
}

bool sriov_vf_link_up(sriov_vf* vf) noexcept { return vf->port->link_up(); }

// ---- The data path: straight through to the Vf.
uint32_t sriov_vf_rx_burst(sriov_vf* vf, sriov_vf_buffer** bufs, uint32_t n) noexcept
{
    return vf->port->rx_burst(cxx(bufs), n);
}
uint32_t sriov_vf_tx_burst(sriov_vf* vf, sriov_vf_buffer** bufs, uint32_t n) noexcept
{
    return vf->port->tx_burst(cxx(bufs), n);
}
sriov_vf_buffer* sriov_vf_alloc_buffer(sriov_vf* vf) noexcept { return c(vf->port->alloc_buffer()); }
void sriov_vf_free_buffer(sriov_vf* vf, sriov_vf_buffer* b) noexcept
{
    vf->port->free_buffer(reinterpret_cast<vf::PacketBuffer*>(b));
}
uint32_t sriov_vf_reclaim_tx(sriov_vf* vf) noexcept { return vf->port->reclaim_tx(); }
uint32_t sriov_vf_free_buffers(const sriov_vf* vf) noexcept { return vf->port->free_buffers(); }

void sriov_vf_get_stats(const sriov_vf* vf, sriov_vf_stats* stats) noexcept
{
    const vf::RxStats& rx = vf->port->rx_stats();
    const vf::TxStats& tx = vf->port->tx_stats();
    *stats = sriov_vf_stats{rx.packets, rx.bytes, rx.no_buffer, rx.errors, tx.packets, tx.bytes, tx.ring_full};
}

// ---- Interrupt mode.
sriov_vf_err sriov_vf_rx_event_fd(const sriov_vf* vf, int* fd) noexcept
{
    return guarded(vf->message, [&] { *fd = vf->port->rx_event_fd(); });
}

sriov_vf_err sriov_vf_wait(sriov_vf* vf, int timeout_ms, bool* woken) noexcept
{
    return guarded(vf->message, [&] {
        const bool w = vf->port->wait(std::chrono::milliseconds(timeout_ms));
        if (woken)
            *woken = w;
    });
}

sriov_vf_err sriov_vf_rearm(sriov_vf* vf) noexcept
{
    return guarded(vf->message, [&] { vf->port->rearm(); });
}

void sriov_vf_get_interrupt_stats(const sriov_vf* vf, sriov_vf_interrupt_stats* stats) noexcept
{
    const vf::InterruptStats& s = vf->port->interrupt_stats();
    *stats = sriov_vf_interrupt_stats{s.interrupts, s.rx_interrupts, s.wakeups, s.pf_messages,
                                      s.pf_resets,  s.eitr,          s.interrupt_rate};
}

// ---- The kernel's request for the VF, PF resets.
void sriov_vf_on_release_request(sriov_vf* vf, void (*callback)(void*), void* user) noexcept
{
    vf->release_callback = callback;
    vf->release_user = user;
}

bool sriov_vf_release_requested(const sriov_vf* vf) noexcept { return vf->port->release_requested(); }
int sriov_vf_release_event_fd(const sriov_vf* vf) noexcept { return vf->port->release_event_fd(); }

sriov_vf_err sriov_vf_poll_events(sriov_vf* vf, sriov_vf_events* events) noexcept
{
    return guarded(vf->message, [&] {
        const vf::Events e = vf->port->poll_events();
        if (events)
            *events = sriov_vf_events{e.release_requested, e.pf_reset, e.pf_down};
    });
}

void sriov_vf_get_control_stats(const sriov_vf* vf, sriov_vf_control_stats* stats) noexcept
{
    const vf::ControlStats& s = vf->port->control_stats();
    *stats = sriov_vf_control_stats{s.pf_resets, s.recovery_failures, s.tx_given_up, s.release_requests};
}

// ---- Requests to the PF.
sriov_vf_err sriov_vf_set_mac(sriov_vf* vf, const sriov_vf_mac* mac) noexcept
{
    return guarded(vf->message, [&] { vf->port->set_mac(mac_of(*mac)); });
}

sriov_vf_err sriov_vf_add_mac_filter(sriov_vf* vf, const sriov_vf_mac* mac) noexcept
{
    return guarded(vf->message, [&] { vf->port->add_mac_filter(mac_of(*mac)); });
}

sriov_vf_err sriov_vf_clear_mac_filters(sriov_vf* vf) noexcept
{
    return guarded(vf->message, [&] { vf->port->clear_mac_filters(); });
}

sriov_vf_err sriov_vf_add_vlan(sriov_vf* vf, uint16_t vid) noexcept
{
    return guarded(vf->message, [&] { vf->port->set_vlan(vid, true); });
}

sriov_vf_err sriov_vf_remove_vlan(sriov_vf* vf, uint16_t vid) noexcept
{
    return guarded(vf->message, [&] { vf->port->set_vlan(vid, false); });
}

sriov_vf_err sriov_vf_set_multicast(sriov_vf* vf, const sriov_vf_mac* groups, size_t count) noexcept
{
    return guarded(vf->message, [&] {
        if (count && !groups)
            throw sriov::Error(Errc::invalid_argument, vf->port->name(), "a multicast list of NULL");
        std::vector<sriov::MacAddress> list;
        list.reserve(count);
        for (size_t i = 0; i < count; ++i)
            list.push_back(mac_of(groups[i]));
        vf->port->set_multicast(list);
    });
}

sriov_vf_err sriov_vf_set_max_frame(sriov_vf* vf, uint32_t bytes) noexcept
{
    return guarded(vf->message, [&] { vf->port->set_max_frame(bytes); });
}

sriov_vf_err sriov_vf_set_promisc(sriov_vf* vf, bool multicast) noexcept
{
    return guarded(vf->message, [&] { vf->port->set_promisc(multicast); });
}

// ---- The failover port.
const char* sriov_vf_path_name(sriov_vf_path path) noexcept
{
    if (static_cast<unsigned>(path) > SRIOV_VF_PATH_STANDBY)
        return "unknown";  // the C++ to_string would call any other value "standby"
    return vf::to_string(static_cast<vf::Path>(path));
}

const char* sriov_vf_switch_reason_name(sriov_vf_switch_reason reason) noexcept
{
    if (static_cast<unsigned>(reason) > SRIOV_VF_SWITCH_TX_RESUMED)
        return "unknown";  // as sriov_vf_strerror says of a code it does not know
    return vf::to_string(static_cast<vf::SwitchReason>(reason));
}

void sriov_vf_failover_options_init(sriov_vf_failover_options* options) noexcept
{
    const vf::FailoverOptions d;
    *options = sriov_vf_failover_options{};
    options->settle_ms = static_cast<std::uint32_t>(d.settle.count());
    options->pf_reset_timeout_ms = static_cast<std::uint32_t>(d.pf_reset_timeout.count());
    options->tx_stall_timeout_ms = static_cast<std::uint32_t>(d.tx_stall_timeout.count());
    options->vf_check_interval_ms = static_cast<std::uint32_t>(d.vf_check_interval.count());
    options->drain_timeout_ms = static_cast<std::uint32_t>(d.drain_timeout.count());
}

sriov_vf_err sriov_vf_failover_open(const char* pci_address, const sriov_vf_options* vf_options,
                                    const sriov_vf_failover_options* options, sriov_vf_failover** out) noexcept
{
    if (!out)
        return invalid(open_message, "sriov_vf_failover_open: no place for the handle (port is NULL)");
    *out = nullptr;
    if (!pci_address)
        return invalid(open_message, "sriov_vf_failover_open: no PCI address given");
    return guarded(open_message, [&] {
        vf::FailoverOptions o;
        o.vf = open_options_of(vf_options);
        if (options) {
            if (options->standby)
                o.standby = options->standby;
            o.settle = std::chrono::milliseconds(options->settle_ms);
            o.pf_reset_timeout = std::chrono::milliseconds(options->pf_reset_timeout_ms);
            o.tx_stall_timeout = std::chrono::milliseconds(options->tx_stall_timeout_ms);
            o.vf_check_interval = std::chrono::milliseconds(options->vf_check_interval_ms);
            o.drain_timeout = std::chrono::milliseconds(options->drain_timeout_ms);
            if (auto* callback = options->on_switch) {
                o.on_switch = [callback, user = options->user](const vf::SwitchEvent& e) {
                    const sriov_vf_switch_event event{static_cast<sriov_vf_path>(e.from),
                                                      static_cast<sriov_vf_path>(e.to),
                                                      static_cast<sriov_vf_switch_reason>(e.reason), e.tx_given_up};
                    callback(&event, user);
                };
            }
        }
        auto handle = std::make_unique<sriov_vf_failover>();
        handle->port = vf::FailoverPort::open(pci_address, o);
        *out = handle.release();
    });
}

void sriov_vf_failover_close(sriov_vf_failover* port) noexcept
{
    delete port;  // ~FailoverPort waits for a VF being opened again, closes the rest; never throws
}

const char* sriov_vf_failover_error_message(const sriov_vf_failover* port) noexcept
{
    return port ? port->message : open_message;
}

const char* sriov_vf_failover_name(const sriov_vf_failover* port) noexcept { return port->port->name().c_str(); }

sriov_vf_mac sriov_vf_failover_get_mac(const sriov_vf_failover* port) noexcept
{
    sriov_vf_mac m;
    std::memcpy(m.bytes, port->port->mac().bytes().data(), sizeof m.bytes);
    return m;
}

sriov_vf_path sriov_vf_failover_active_path(const sriov_vf_failover* port) noexcept
{
    return static_cast<sriov_vf_path>(port->port->active());
}

bool sriov_vf_failover_has_vf(const sriov_vf_failover* port) noexcept { return port->port->has_vf(); }
bool sriov_vf_failover_stopped(const sriov_vf_failover* port) noexcept { return port->port->stopped(); }
bool sriov_vf_failover_link_up(sriov_vf_failover* port) noexcept { return port->port->link_up(); }

// The data path: straight through to the port, whose fast path is one branch before the VF's.
uint32_t sriov_vf_failover_rx_burst(sriov_vf_failover* port, sriov_vf_buffer** bufs, uint32_t n) noexcept
{
    return port->port->rx_burst(cxx(bufs), n);
}
uint32_t sriov_vf_failover_tx_burst(sriov_vf_failover* port, sriov_vf_buffer** bufs, uint32_t n) noexcept
{
    return port->port->tx_burst(cxx(bufs), n);
}
sriov_vf_buffer* sriov_vf_failover_alloc_buffer(sriov_vf_failover* port) noexcept
{
    return c(port->port->alloc_buffer());
}
void sriov_vf_failover_free_buffer(sriov_vf_failover* port, sriov_vf_buffer* b) noexcept
{
    port->port->free_buffer(reinterpret_cast<vf::PacketBuffer*>(b));
}
uint32_t sriov_vf_failover_reclaim_tx(sriov_vf_failover* port) noexcept { return port->port->reclaim_tx(); }
uint32_t sriov_vf_failover_free_buffers(const sriov_vf_failover* port) noexcept
{
    return port->port->free_buffers();
}

// FailoverPort::poll catches and logs the switches' failures itself; guarded is there for what
// escapes even that (a failure to log), which must not reach C either.
sriov_vf_err sriov_vf_failover_poll(sriov_vf_failover* port) noexcept
{
    return guarded(port->message, [&] { port->port->poll(); });
}

void sriov_vf_failover_get_stats(const sriov_vf_failover* port, sriov_vf_failover_stats* stats) noexcept
{
    const vf::FailoverStats s = port->port->stats();
    *stats = sriov_vf_failover_stats{path_stats_of(s.vf),  path_stats_of(s.standby), s.switch_overs,
                                     s.switch_backs,       s.copies_dropped,         s.tx_given_up,
                                     s.standby_discarded,  s.foreign_dropped,        s.reopen_failures,
                                     s.announcements,      s.rx_no_buffer,           s.standby_overflows};
}

}  // extern "C"
