// libvf's C API (include/sriov/libvf.h) over the C++ sriov::vf::Vf.
//
// Control-path calls run the C++ call inside one catch-all (guarded) that turns sriov::Error into
// its code and keeps the message in a fixed buffer, so nothing allocates to report a failure and
// no exception reaches C. The data path calls the Vf directly: sriov_vf_buffer is the very
// PacketBuffer object (the layouts are checked below), so buffers pass both ways without copying.
#include "sriov/libvf.h"

#include "sriov/error.hpp"
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

struct sriov_vf {
    std::unique_ptr<vf::Vf> port;
    void (*release_callback)(void*) = nullptr;
    void* release_user = nullptr;
    mutable char message[512] = "";  // the last failure's message (sriov_vf_error_message)
};

namespace {

constexpr std::size_t message_size = sizeof(sriov_vf::message);
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
        vf::OpenOptions o;
        if (options) {
            o.config = config_of(*options);
            if (options->vf_token)
                o.vf_token = options->vf_token;
            if (options->token_file)
                o.token_file = options->token_file;
        }
        auto handle = std::make_unique<sriov_vf>();
        handle->port = vf::Vf::open(pci_address, o);
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

}  // extern "C"
