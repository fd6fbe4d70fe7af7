/* libvf's C API: an 82576 VF driven from user space through VFIO, with zero-copy packet I/O.
 *
 * The same library as the C++ API in <sriov/libvf.hpp>, seen from C (C11, or C++):
 *
 *     sriov_vf_options o;
 *     sriov_vf_options_init(&o);                 // the C++ Config's defaults
 *     o.token_file = "/var/lib/sriovd/vf-token";
 *     sriov_vf* vf;
 *     if (sriov_vf_open("0000:00:12.0", &o, &vf) != SRIOV_VF_OK) {
 *         fprintf(stderr, "%s\n", sriov_vf_error_message(NULL));
 *         return 1;
 *     }
 *     sriov_vf_buffer* in[32];
 *     uint32_t n = sriov_vf_rx_burst(vf, in, 32);  // zero-copy: the caller owns in[0..n)
 *     ... rewrite them, then sriov_vf_tx_burst(vf, in, n), or sriov_vf_free_buffer() each ...
 *     sriov_vf_close(vf);
 *
 * Control-path calls return an sriov_vf_err; on failure the message (what failed, about which
 * device, what to do) is sriov_vf_error_message(vf), or sriov_vf_error_message(NULL) for the
 * last failed sriov_vf_open of the calling thread. No C++ exception leaves the library.
 * The data path (rx/tx bursts, buffers, stats) makes no system call, takes no lock, allocates
 * nothing and reads no register; like the C++ Vf, one sriov_vf is used by one thread at a time.
 *
 * The failover port (sriov_vf_failover, the C++ FailoverPort of <sriov/failover.hpp>) is a VF
 * and a standby kernel interface behind one data path of the same shape, see its section below.
 */
#ifndef SRIOV_LIBVF_H
#define SRIOV_LIBVF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define SRIOV_VF_NOEXCEPT noexcept
extern "C" {
#else
#define SRIOV_VF_NOEXCEPT
#endif

/* Error codes: 0 for success, then sriov::Errc's codes in its order (include/sriov/error.hpp). */
typedef enum sriov_vf_err {
    SRIOV_VF_OK = 0,
    SRIOV_VF_E_NOT_FOUND,         /* no such device, file, driver or VF */
    SRIOV_VF_E_PERMISSION,        /* a right is missing, or the PF refused a request */
    SRIOV_VF_E_BUSY,              /* held by someone else */
    SRIOV_VF_E_NO_IOMMU,          /* the kernel has no IOMMU enabled */
    SRIOV_VF_E_NOT_VIABLE,        /* the VF's IOMMU group has a device on a non-VFIO driver */
    SRIOV_VF_E_VF_TOKEN,          /* the VF token is missing or wrong */
    SRIOV_VF_E_MEMLOCK,           /* pinning DMA memory failed: RLIMIT_MEMLOCK too small */
    SRIOV_VF_E_TIMEOUT,           /* a bounded wait ran out (the PF did not answer) */
    SRIOV_VF_E_INVALID_ARGUMENT,  /* bad input, or an interrupt-mode call in polling mode */
    SRIOV_VF_E_UNSUPPORTED,       /* the device or kernel lacks a feature */
    SRIOV_VF_E_PROTOCOL,          /* the PF or device answered something malformed */
    SRIOV_VF_E_IO,                /* any other system-call failure */
    SRIOV_VF_E_NO_MEMORY,         /* (C API only) out of memory */
    SRIOV_VF_E_INTERNAL           /* (C API only) a failure libvf did not expect */
} sriov_vf_err;

/* A short lower-case name of a code, e.g. "timeout" (as sriov::to_string). Never NULL. */
const char* sriov_vf_strerror(sriov_vf_err code) SRIOV_VF_NOEXCEPT;

/* The VF: opaque. */
typedef struct sriov_vf sriov_vf;

/* A packet buffer: the same object as the C++ sriov::vf::PacketBuffer, seen from C. Buffers are
 * the library's (in DMA memory); the application only sets `length` (and the bytes at `data`). */
typedef struct sriov_vf_buffer {
    uint8_t* data;      /* the frame's first byte */
    uint64_t iova;      /* where the device sees `data` */
    uint32_t capacity;  /* bytes available at `data` */
    uint32_t length;    /* bytes of frame: set by rx_burst, by the caller before tx_burst */
    uint32_t index;     /* the buffer's number in its pool (the library's bookkeeping) */
} sriov_vf_buffer;

typedef struct sriov_vf_mac {
    uint8_t bytes[6]; /* byte 0 first on the wire */
} sriov_vf_mac;

/* "02:11:22:33:44:55" (either case) into *mac: SRIOV_VF_OK or SRIOV_VF_E_INVALID_ARGUMENT. */
sriov_vf_err sriov_vf_mac_parse(const char* text, sriov_vf_mac* mac) SRIOV_VF_NOEXCEPT;
/* Lower-case "02:11:22:33:44:55" with its terminating NUL into out[18]; returns out. */
char* sriov_vf_mac_format(const sriov_vf_mac* mac, char out[18]) SRIOV_VF_NOEXCEPT;

typedef enum sriov_vf_interrupt_mode {
    SRIOV_VF_POLLING = 0,  /* the application polls rx_burst */
    SRIOV_VF_INTERRUPTS    /* MSI-X on the RX vector: sriov_vf_wait / rx_event_fd, then rearm */
} sriov_vf_interrupt_mode;

typedef enum sriov_vf_coalescing_mode {
    SRIOV_VF_COALESCE_OFF = 0,  /* an interrupt for every frame */
    SRIOV_VF_COALESCE_FIXED,    /* at most `rate` interrupts per second */
    SRIOV_VF_COALESCE_ADAPTIVE  /* IF = max(pps / (bufs * safety_ratio), min_rate) */
} sriov_vf_coalescing_mode;

typedef enum sriov_vf_eitr_timing {
    SRIOV_VF_EITR_DATASHEET = 0,  /* the 82576 itself */
    SRIOV_VF_EITR_QEMU_10_0       /* QEMU 10.0's igb (see README, "What the emulator cannot show") */
} sriov_vf_eitr_timing;

typedef struct sriov_vf_coalescing {
    sriov_vf_coalescing_mode mode;
    double rate;                /* fixed: interrupts per second */
    double safety_ratio;        /* adaptive: the share of bufs one interrupt may carry, (0, 1] */
    double min_rate;            /* adaptive: the lowest interrupt frequency (bounds latency) */
    uint32_t app_buffers;       /* adaptive: frames taken per wake-up (0: the RX ring) */
    uint32_t adapt_period_ms;   /* adaptive: how often the rate is measured again */
    sriov_vf_eitr_timing timing;
} sriov_vf_coalescing;

typedef struct sriov_vf_options {
    const char* vf_token;    /* the VF token as a UUID, or NULL: then token_file, if given */
    const char* token_file;  /* a file holding the token (sriovd --token-file), or NULL */
    uint32_t rx_ring_size;   /* descriptors: a power of two, 8..4096 */
    uint32_t tx_ring_size;
    uint32_t buffer_count;   /* packet buffers shared by RX, TX and the application */
    uint32_t buffer_size;    /* bytes per buffer: a whole number of KiB */
    uint32_t pf_timeout_ms;  /* how long the PF may take to be ready and answer */
    sriov_vf_interrupt_mode interrupts;
    sriov_vf_coalescing coalescing;
} sriov_vf_options;

/* Fills *options with the defaults of the C++ API (no token, polling, rings of 512, ...). */
void sriov_vf_options_init(sriov_vf_options* options) SRIOV_VF_NOEXCEPT;

/* Opens the VF at `pci_address` (e.g. "0000:00:12.0") as sriov::vf::Vf::open does; options may
 * be NULL for the defaults. On success *vf is the handle; on failure *vf is NULL and the reason
 * is sriov_vf_error_message(NULL) in this thread. */
sriov_vf_err sriov_vf_open(const char* pci_address, const sriov_vf_options* options,
                           sriov_vf** vf) SRIOV_VF_NOEXCEPT;
/* Stops the VF's queues, unmaps its memory and closes it; every buffer becomes invalid. NULL is
 * allowed. */
void sriov_vf_close(sriov_vf* vf) SRIOV_VF_NOEXCEPT;

/* The message of the last failed call on vf ("" if none), valid until the next call on vf; for
 * vf == NULL, that of this thread's last failed sriov_vf_open. */
const char* sriov_vf_error_message(const sriov_vf* vf) SRIOV_VF_NOEXCEPT;

const char* sriov_vf_name(const sriov_vf* vf) SRIOV_VF_NOEXCEPT;  /* the PCI address */
sriov_vf_mac sriov_vf_get_mac(const sriov_vf* vf) SRIOV_VF_NOEXCEPT;  /* as the PF assigned it */
/* The PF's link is up (a register read: not for the fast path). */
bool sriov_vf_link_up(sriov_vf* vf) SRIOV_VF_NOEXCEPT;

/* ---- The data path: as the C++ Vf's functions of the same names. */
/* Receives up to n frames into bufs; returns how many. The caller owns them. */
uint32_t sriov_vf_rx_burst(sriov_vf* vf, sriov_vf_buffer** bufs, uint32_t n) SRIOV_VF_NOEXCEPT;
/* Sends up to n frames (buffers of this VF with length set); returns how many were taken. The
 * VF owns those and frees them once sent; the caller keeps the rest (the ring was full). */
uint32_t sriov_vf_tx_burst(sriov_vf* vf, sriov_vf_buffer** bufs, uint32_t n) SRIOV_VF_NOEXCEPT;
/* A free buffer (length 0), or NULL when every buffer is in use. */
sriov_vf_buffer* sriov_vf_alloc_buffer(sriov_vf* vf) SRIOV_VF_NOEXCEPT;
/* Gives back a buffer of this VF that the caller owns. */
void sriov_vf_free_buffer(sriov_vf* vf, sriov_vf_buffer* b) SRIOV_VF_NOEXCEPT;
/* Frees buffers the device has finished sending (tx_burst does it too); returns how many. */
uint32_t sriov_vf_reclaim_tx(sriov_vf* vf) SRIOV_VF_NOEXCEPT;
uint32_t sriov_vf_free_buffers(const sriov_vf* vf) SRIOV_VF_NOEXCEPT;

/* The queues' counters, 64-bit totals since the VF was opened. */
typedef struct sriov_vf_stats {
    uint64_t rx_packets;
    uint64_t rx_bytes;
    uint64_t rx_no_buffer;  /* frames dropped: no fresh buffer to post */
    uint64_t rx_errors;     /* frames dropped: spanning buffers or with an error bit */
    uint64_t tx_packets;
    uint64_t tx_bytes;
    uint64_t tx_ring_full;  /* frames tx_burst could not take */
} sriov_vf_stats;
void sriov_vf_get_stats(const sriov_vf* vf, sriov_vf_stats* stats) SRIOV_VF_NOEXCEPT;

/* ---- Interrupt mode (options.interrupts); each returns SRIOV_VF_E_INVALID_ARGUMENT in polling
 * mode. Control path: system calls and register access. */
/* *fd: readable when an interrupt needs attention (for epoll or poll); then sriov_vf_wait(0). */
sriov_vf_err sriov_vf_rx_event_fd(const sriov_vf* vf, int* fd) SRIOV_VF_NOEXCEPT;
/* Waits up to timeout_ms (negative: without limit) for an interrupt. *woken (may be NULL) is
 * true when one came, frames are pending, the kernel asked for the VF back or a PF reset was
 * recovered from: then poll rx_burst until it returns 0, then sriov_vf_rearm. Also does
 * sriov_vf_poll_events' work. */
sriov_vf_err sriov_vf_wait(sriov_vf* vf, int timeout_ms, bool* woken) SRIOV_VF_NOEXCEPT;
/* The RX interrupt on again after the ring was polled empty (adapts the coalescing). */
sriov_vf_err sriov_vf_rearm(sriov_vf* vf) SRIOV_VF_NOEXCEPT;

typedef struct sriov_vf_interrupt_stats {
    uint64_t interrupts;     /* MSI-X messages over all vectors */
    uint64_t rx_interrupts;  /* those on the RX vector */
    uint64_t wakeups;        /* waits that returned woken */
    uint64_t pf_messages;    /* PF messages found after an interrupt */
    uint64_t pf_resets;      /* PF resets found after an interrupt */
    uint32_t eitr;           /* the value last written to VTEITR of the RX vector */
    double interrupt_rate;   /* adaptive: the last interrupt frequency asked for */
} sriov_vf_interrupt_stats;
/* All zero in polling mode. */
void sriov_vf_get_interrupt_stats(const sriov_vf* vf, sriov_vf_interrupt_stats* stats) SRIOV_VF_NOEXCEPT;

/* ---- The kernel asking for the VF back, PF resets: the application looks from its loop. */
/* Called once, in the thread calling poll_events or wait, when the kernel asks for the VF back;
 * the application should then stop and sriov_vf_close the VF. callback may be NULL. */
void sriov_vf_on_release_request(sriov_vf* vf, void (*callback)(void* user), void* user) SRIOV_VF_NOEXCEPT;
bool sriov_vf_release_requested(const sriov_vf* vf) SRIOV_VF_NOEXCEPT;
/* Readable when the kernel asks for the VF back (then poll_events); -1 if the device has none. */
int sriov_vf_release_event_fd(const sriov_vf* vf) SRIOV_VF_NOEXCEPT;

typedef struct sriov_vf_events {
    bool release_requested;  /* the kernel asks for the VF back: close it (the callback ran) */
    bool pf_reset;           /* the PF had reset; the VF was set up again in this call */
    bool pf_down;            /* a PF reset is under way (or its recovery failed so far) */
} sriov_vf_events;
/* For polling applications, every few milliseconds: the kernel's request, PF messages and
 * resets (the VF set up again by itself). events may be NULL. */
sriov_vf_err sriov_vf_poll_events(sriov_vf* vf, sriov_vf_events* events) SRIOV_VF_NOEXCEPT;

typedef struct sriov_vf_control_stats {
    uint64_t pf_resets;          /* PF resets recovered from */
    uint64_t recovery_failures;  /* recovery attempts that failed, retried */
    uint64_t tx_given_up;        /* frames in the TX ring when a PF reset stopped it */
    uint64_t release_requests;   /* the kernel's requests for the VF */
} sriov_vf_control_stats;
void sriov_vf_get_control_stats(const sriov_vf* vf, sriov_vf_control_stats* stats) SRIOV_VF_NOEXCEPT;

/* ---- Requests to the PF: SRIOV_VF_E_PERMISSION when it refuses, SRIOV_VF_E_TIMEOUT when it
 * does not answer, SRIOV_VF_E_INVALID_ARGUMENT for values that do not fit the message. */
sriov_vf_err sriov_vf_set_mac(sriov_vf* vf, const sriov_vf_mac* mac) SRIOV_VF_NOEXCEPT;
sriov_vf_err sriov_vf_add_mac_filter(sriov_vf* vf, const sriov_vf_mac* mac) SRIOV_VF_NOEXCEPT;
sriov_vf_err sriov_vf_clear_mac_filters(sriov_vf* vf) SRIOV_VF_NOEXCEPT;
sriov_vf_err sriov_vf_add_vlan(sriov_vf* vf, uint16_t vid) SRIOV_VF_NOEXCEPT;
sriov_vf_err sriov_vf_remove_vlan(sriov_vf* vf, uint16_t vid) SRIOV_VF_NOEXCEPT;
sriov_vf_err sriov_vf_set_multicast(sriov_vf* vf, const sriov_vf_mac* groups, size_t count) SRIOV_VF_NOEXCEPT;
sriov_vf_err sriov_vf_set_max_frame(sriov_vf* vf, uint32_t bytes) SRIOV_VF_NOEXCEPT;
/* multicast: true asks for every multicast frame, false for only the groups set (QEMU ignores it). */
sriov_vf_err sriov_vf_set_promisc(sriov_vf* vf, bool multicast) SRIOV_VF_NOEXCEPT;

/* ---- The failover port (C++: sriov::vf::FailoverPort, whose header explains the switches).
 * The VF carries the traffic while it is there; a standby kernel network interface (with the
 * VF's MAC, or promiscuous) carries it while the kernel has taken the VF back, its link is down,
 * its PF is in a long reset or its TX has stalled; the port goes back to the VF when it
 * returns. The application's loop and buffers are the same on both paths:
 *
 *     sriov_vf_failover_options fo;
 *     sriov_vf_failover_options_init(&fo);
 *     fo.standby = "ens4";
 *     sriov_vf_failover* port;
 *     if (sriov_vf_failover_open("0000:00:12.0", &o, &fo, &port) != SRIOV_VF_OK) ...  // o: as above
 *     for (;;) {
 *         n = sriov_vf_failover_rx_burst(port, in, 32); ... sriov_vf_failover_tx_burst(port, out, m);
 *         if (every 10 ms) sriov_vf_failover_poll(port);    // the switches happen here
 *     }
 *
 * Errors are reported as for sriov_vf: a code, and the message in
 * sriov_vf_failover_error_message(port), or (port NULL) in this thread's message of its last
 * failed open, which sriov_vf_error_message(NULL) returns too. A port has no interrupt mode: it
 * polls. Like the C++ port, one sriov_vf_failover is used by one thread at a time, and its
 * poll runs in the same loop as its data path. Needs CAP_NET_RAW beyond what a VF needs. */
typedef struct sriov_vf_failover sriov_vf_failover;

typedef enum sriov_vf_path {
    SRIOV_VF_PATH_VF = 0,  /* the VF */
    SRIOV_VF_PATH_STANDBY  /* the standby interface */
} sriov_vf_path;

typedef enum sriov_vf_switch_reason {
    SRIOV_VF_SWITCH_RELEASED = 0,  /* the kernel asked for the VF back (planned: nothing lost) */
    SRIOV_VF_SWITCH_LINK_DOWN,     /* the VF's link went down while the standby had carrier */
    SRIOV_VF_SWITCH_PF_RESET,      /* a PF reset lasted longer than pf_reset_timeout_ms */
    SRIOV_VF_SWITCH_TX_STALLED,    /* frames waited in the VF's TX ring, none sent for
                                    * tx_stall_timeout_ms (e.g. the PF stopped the VF's queues) */
    SRIOV_VF_SWITCH_VF_BACK,       /* the VF's device is there again and was opened */
    SRIOV_VF_SWITCH_LINK_BACK,     /* the VF's link is up again */
    SRIOV_VF_SWITCH_PF_RECOVERED,  /* the PF's reset ended and the VF was set up again */
    SRIOV_VF_SWITCH_TX_RESUMED     /* after TX_STALLED: the VF sent a probe frame again */
} sriov_vf_switch_reason;

/* The C++ names, e.g. "standby", "link_down"; "unknown" for a value out of range. Never NULL. */
const char* sriov_vf_path_name(sriov_vf_path path) SRIOV_VF_NOEXCEPT;
const char* sriov_vf_switch_reason_name(sriov_vf_switch_reason reason) SRIOV_VF_NOEXCEPT;

typedef struct sriov_vf_switch_event {
    sriov_vf_path from;
    sriov_vf_path to;
    sriov_vf_switch_reason reason;
    uint64_t tx_given_up;  /* unplanned: frames in the VF's TX ring that may not have been sent */
} sriov_vf_switch_event;

typedef struct sriov_vf_failover_options {
    const char* standby;  /* the standby interface, or NULL (or ""): none, and the port stops
                           * when the kernel takes the VF back */
    uint32_t settle_ms;             /* both paths watched around a switch */
    uint32_t pf_reset_timeout_ms;   /* a PF reset longer than this: to the standby */
    uint32_t tx_stall_timeout_ms;   /* the VF's TX ring holds frames, sends none this long: to the standby */
    uint32_t vf_check_interval_ms;  /* how often to look for the returning VF */
    uint32_t drain_timeout_ms;      /* the longest wait for a TX queue to empty at a switch */
    /* Called after each switch, from sriov_vf_failover_poll in its thread, or NULL. The event is
     * valid during the call only. */
    void (*on_switch)(const sriov_vf_switch_event* event, void* user);
    void* user;  /* passed to on_switch */
} sriov_vf_failover_options;

/* Fills *options with the defaults of the C++ FailoverOptions (no standby, no callback). */
void sriov_vf_failover_options_init(sriov_vf_failover_options* options) SRIOV_VF_NOEXCEPT;

/* Opens the VF at `pci_address` as sriov_vf_open does (vf_options may be NULL for the defaults;
 * interrupts must stay off) and the standby interface of `options` (NULL: the defaults). On
 * success *port is the handle; on failure *port is NULL and the reason is
 * sriov_vf_failover_error_message(NULL) in this thread: the VF's errors as for sriov_vf_open,
 * the standby's name the interface (no such interface, no CAP_NET_RAW, neither the VF's MAC nor
 * promiscuous, down). */
sriov_vf_err sriov_vf_failover_open(const char* pci_address, const sriov_vf_options* vf_options,
                                    const sriov_vf_failover_options* options,
                                    sriov_vf_failover** port) SRIOV_VF_NOEXCEPT;
/* Closes the VF (if it has one) and the standby; every buffer becomes invalid. NULL is allowed. */
void sriov_vf_failover_close(sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;

/* The message of the last failed call on port ("" if none), valid until the next call on port;
 * for port == NULL, that of this thread's last failed open, of a port or of a VF. */
const char* sriov_vf_failover_error_message(const sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;

const char* sriov_vf_failover_name(const sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;  /* the VF's PCI address */
/* The VF's MAC, which both paths carry. */
sriov_vf_mac sriov_vf_failover_get_mac(const sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;
/* The path that carries TX now. */
sriov_vf_path sriov_vf_failover_active_path(const sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;
/* A VF is open (it may be in a switch, or its link down). */
bool sriov_vf_failover_has_vf(const sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;
/* Without a standby only: the kernel took the VF back and the port carries nothing any more;
 * the application should close it. */
bool sriov_vf_failover_stopped(const sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;
/* The active path has link: the VF's, or the standby's carrier (control path: not for the
 * fast path). */
bool sriov_vf_failover_link_up(sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;

/* The data path, with the contracts of the sriov_vf_ functions of the same names. Buffers come
 * from the port and stay valid across switches; while the VF carries the traffic and no switch
 * is under way, these are the VF's own bursts. */
uint32_t sriov_vf_failover_rx_burst(sriov_vf_failover* port, sriov_vf_buffer** bufs, uint32_t n) SRIOV_VF_NOEXCEPT;
/* During a planned switch tx_burst takes nothing for a while, as with a full ring. */
uint32_t sriov_vf_failover_tx_burst(sriov_vf_failover* port, sriov_vf_buffer** bufs, uint32_t n) SRIOV_VF_NOEXCEPT;
sriov_vf_buffer* sriov_vf_failover_alloc_buffer(sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;
void sriov_vf_failover_free_buffer(sriov_vf_failover* port, sriov_vf_buffer* b) SRIOV_VF_NOEXCEPT;
/* Frees buffers the VF has finished sending (the standby copies frames, so it holds none). */
uint32_t sriov_vf_failover_reclaim_tx(sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;
uint32_t sriov_vf_failover_free_buffers(const sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;

/* The control path, every few milliseconds (every 10 ms keeps a planned switch within about
 * settle_ms + 10 ms): serves the VF's events, notices failures, runs the switches and calls
 * on_switch. What goes wrong in a switch is logged and tried again on a later call, not
 * returned: the result is SRIOV_VF_OK unless libvf itself failed (SRIOV_VF_E_NO_MEMORY,
 * SRIOV_VF_E_INTERNAL). */
sriov_vf_err sriov_vf_failover_poll(sriov_vf_failover* port) SRIOV_VF_NOEXCEPT;

typedef struct sriov_vf_path_stats {
    uint64_t rx_frames;  /* delivered to the application through this path */
    uint64_t tx_frames;  /* taken by this path's device or socket */
    uint64_t active_ns;  /* how long this path carried the traffic */
} sriov_vf_path_stats;

/* Totals since the port was opened. */
typedef struct sriov_vf_failover_stats {
    sriov_vf_path_stats vf;
    sriov_vf_path_stats standby;
    uint64_t switch_overs;       /* VF -> standby */
    uint64_t switch_backs;       /* standby -> VF */
    uint64_t copies_dropped;     /* received frames found to be copies around a switch */
    uint64_t tx_given_up;        /* unplanned switches: frames left in the VF's TX ring */
    uint64_t standby_discarded;  /* frames the standby received while the VF carried traffic */
    uint64_t foreign_dropped;    /* standby frames for another MAC (promiscuous standby) */
    uint64_t reopen_failures;    /* attempts to open the returning VF that failed (retried) */
    uint64_t announcements;      /* frames announcing the MAC after a switch (in tx_frames) */
    uint64_t rx_no_buffer;       /* frames the VF dropped for want of a free buffer */
    uint64_t standby_overflows;  /* frames the standby's socket dropped, its queue full */
} sriov_vf_failover_stats;
void sriov_vf_failover_get_stats(const sriov_vf_failover* port, sriov_vf_failover_stats* stats) SRIOV_VF_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* SRIOV_LIBVF_H */
