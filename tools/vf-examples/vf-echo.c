/* vf-echo: sends every Ethernet frame received on an 82576 VF back out, through libvf's C API.
 *
 *   vf-echo --vf 0000:00:12.2                                back to each frame's sender
 *   vf-echo --vf 0000:00:12.2 --dst 02:11:22:33:44:77 --interrupts
 *   vf-echo --vf 0000:00:12.2 --standby ens4                 on a failover port
 *
 * A frame leaves from the buffer it came in (zero copy) with its Ethernet addresses rewritten:
 * the destination becomes the frame's source MAC (or --dst), the source this VF's MAC; the rest
 * is sent as it came. Without --dst a frame from this VF's own MAC is dropped, not sent back. Frames the TX ring cannot take yet wait, and no new ones are received
 * meanwhile, so the echo never reorders or drops frames itself.
 *
 * Polling (the default) busy-polls the RX ring and looks at libvf's control path every 10 ms;
 * --interrupts sleeps until an MSI-X interrupt, polls the ring empty, then re-arms. It prints
 * "ready" once it can receive, a running count once a second, and a summary at the end. It stops
 * on SIGINT or SIGTERM, after --idle seconds without a frame, or when the kernel asks for the VF
 * back (e.g. sriovd lowering the VF count), each with exit status 0; 2 when libvf fails.
 *
 * With --standby IFACE the same loop runs on a failover port (sriov_vf_failover): while the VF is
 * away (the kernel took it back, its link is down, its PF is in a long reset) the interface IFACE,
 * which has the VF's MAC or is promiscuous, carries the frames, and the port goes back to the VF
 * when it returns. The kernel's request is then a switch, not a reason to stop. The port's poll
 * runs every 10 ms in place of the VF's control path and does the switches; each is printed as
 * vf-pktgen prints it ("switch: vf -> standby (released) at 1234", the count being the frames
 * received so far), and the summary ends with the port's counts per path ("failover: vf tx ...").
 * A failover port polls, so --interrupts is refused with it.
 */
#define _GNU_SOURCE /* getopt_long */

#include <sriov/libvf.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { burst_size = 32, ether_header = 14 };

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static void on_release(void* user)
{
    printf("the kernel asks for the VF back: stopping\n");
    fflush(stdout);
    *(int*)user = 1;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

struct options {
    const char* vf;
    const char* standby; /* a failover port with this standby interface, or NULL */
    const char* token_file;
    const char* dst;
    int interrupts;
    const char* coalesce;
    const char* eitr_timing;
    unsigned long ring;
    unsigned long buffers;
    double idle;
    double link_timeout;
};

static void usage(FILE* out)
{
    fprintf(out,
            "Usage: vf-echo --vf PCI_ADDRESS [options]\n"
            "Sends every frame received on an 82576 VF back out through libvf (needs root, or the\n"
            "operators' group): to the frame's source MAC, or to --dst.\n"
            "\n"
            "  --vf ADDR            PCI address of the VF (bound to vfio-pci)\n"
            "  --standby IFACE      run on a failover port: IFACE (with the VF's MAC, or promiscuous)\n"
            "                       carries the frames while the VF is away (needs CAP_NET_RAW; polls,\n"
            "                       so not with --interrupts)\n"
            "  --token-file FILE    file with the VF token (default /run/sriovd.token; \"\" for none)\n"
            "  --dst MAC            send every frame to MAC instead of back to its source\n"
            "  --interrupts         sleep until an MSI-X interrupt instead of polling\n"
            "  --coalesce MODE      with --interrupts: off, fixed:N (interrupts/s) or adaptive (default)\n"
            "  --eitr-timing T      datasheet (the 82576, default) or qemu (QEMU 10.0's igb)\n"
            "  --ring N             descriptors per ring, a power of two (default 512)\n"
            "  --buffers N          packet buffers (default 4096)\n"
            "  --idle S             stop after S seconds without a frame (default 0: never)\n"
            "  --link-timeout S     seconds to wait for link (default 10)\n"
            "  -h, --help           this text\n"
            "\n"
            "Stops on SIGINT or SIGTERM, after --idle, or when the kernel asks for the VF back (with\n"
            "--standby the frames go through IFACE then, until the VF returns).\n");
}

static int bad_option(const char* what, const char* value)
{
    fprintf(stderr, "vf-echo: %s: %s (see --help)\n", what, value);
    return 1;
}

static int parse_number(const char* text, double* out)
{
    char* end;
    *out = strtod(text, &end);
    return end != text && *end == '\0' && *out >= 0;
}

/* Parses argv into o; returns -1 to go on, else the exit status. */
static int parse_options(int argc, char** argv, struct options* o)
{
    static const struct option longs[] = {
        {"vf", required_argument, NULL, 'v'},          {"token-file", required_argument, NULL, 't'},
        {"dst", required_argument, NULL, 'd'},         {"interrupts", no_argument, NULL, 'i'},
        {"coalesce", required_argument, NULL, 'c'},    {"eitr-timing", required_argument, NULL, 'e'},
        {"ring", required_argument, NULL, 'r'},        {"buffers", required_argument, NULL, 'b'},
        {"idle", required_argument, NULL, 'I'},        {"link-timeout", required_argument, NULL, 'l'},
        {"standby", required_argument, NULL, 's'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    double number;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'v': o->vf = optarg; break;
        case 's': o->standby = optarg; break;
        case 't': o->token_file = optarg; break;
        case 'd': o->dst = optarg; break;
        case 'i': o->interrupts = 1; break;
        case 'c': o->coalesce = optarg; break;
        case 'e': o->eitr_timing = optarg; break;
        case 'r':
        case 'b':
            if (!parse_number(optarg, &number) || number < 1 || number > 1e6)
                return bad_option(c == 'r' ? "--ring" : "--buffers", optarg);
            *(c == 'r' ? &o->ring : &o->buffers) = (unsigned long)number;
            break;
        case 'I':
            if (!parse_number(optarg, &o->idle))
                return bad_option("--idle", optarg);
            break;
        case 'l':
            if (!parse_number(optarg, &o->link_timeout))
                return bad_option("--link-timeout", optarg);
            break;
        case 'h': usage(stdout); return 0;
        default: return 1; /* getopt_long said why */
        }
    }
    if (optind < argc)
        return bad_option("unexpected argument", argv[optind]);
    if (!o->vf)
        return bad_option("missing option", "--vf");
    if (o->standby && !o->standby[0])
        return bad_option("--standby", "no interface given");
    if (o->standby && o->interrupts)
        return bad_option("--standby", "a failover port polls: leave out --interrupts");
    return -1;
}

/* The options as libvf's; returns 0, or 1 after saying what is wrong. */
static int open_options(const struct options* o, sriov_vf_options* v)
{
    sriov_vf_options_init(v);
    v->token_file = o->token_file[0] ? o->token_file : NULL;
    v->rx_ring_size = v->tx_ring_size = (uint32_t)o->ring;
    v->buffer_count = (uint32_t)o->buffers;
    if (!o->interrupts)
        return 0;
    v->interrupts = SRIOV_VF_INTERRUPTS;
    if (strcmp(o->coalesce, "off") == 0) {
        v->coalescing.mode = SRIOV_VF_COALESCE_OFF;
    } else if (strcmp(o->coalesce, "adaptive") == 0) {
        v->coalescing.mode = SRIOV_VF_COALESCE_ADAPTIVE;
    } else if (strncmp(o->coalesce, "fixed:", 6) == 0 && parse_number(o->coalesce + 6, &v->coalescing.rate)) {
        v->coalescing.mode = SRIOV_VF_COALESCE_FIXED;
    } else {
        return bad_option("--coalesce (off, fixed:N or adaptive)", o->coalesce);
    }
    if (strcmp(o->eitr_timing, "qemu") == 0)
        v->coalescing.timing = SRIOV_VF_EITR_QEMU_10_0;
    else if (strcmp(o->eitr_timing, "datasheet") != 0)
        return bad_option("--eitr-timing (datasheet or qemu)", o->eitr_timing);
    return 0;
}

struct echo {
    sriov_vf* vf;                /* the VF; NULL with --standby */
    sriov_vf_failover* failover; /* with --standby the failover port, else NULL */
    sriov_vf_mac own;
    int to_dst;
    sriov_vf_mac dst;
    sriov_vf_buffer* out[burst_size]; /* rewritten frames out[next..count) wait for the TX ring */
    uint32_t next, count;
    unsigned long long received, echoed, dropped;
    double first, last; /* when the first and the last frame came */
};

/* The port that is open, the VF or the failover port: both have the same data path. */
static uint32_t port_rx_burst(struct echo* e, sriov_vf_buffer** bufs, uint32_t n)
{
    return e->failover ? sriov_vf_failover_rx_burst(e->failover, bufs, n) : sriov_vf_rx_burst(e->vf, bufs, n);
}

static uint32_t port_tx_burst(struct echo* e, sriov_vf_buffer** bufs, uint32_t n)
{
    return e->failover ? sriov_vf_failover_tx_burst(e->failover, bufs, n) : sriov_vf_tx_burst(e->vf, bufs, n);
}

static void port_free_buffer(struct echo* e, sriov_vf_buffer* b)
{
    if (e->failover)
        sriov_vf_failover_free_buffer(e->failover, b);
    else
        sriov_vf_free_buffer(e->vf, b);
}

/* Frees what the device has sent; returns the free buffers then. */
static uint32_t port_reclaim(struct echo* e)
{
    if (e->failover) {
        sriov_vf_failover_reclaim_tx(e->failover);
        return sriov_vf_failover_free_buffers(e->failover);
    }
    sriov_vf_reclaim_tx(e->vf);
    return sriov_vf_free_buffers(e->vf);
}

static bool port_link_up(struct echo* e)
{
    return e->failover ? sriov_vf_failover_link_up(e->failover) : sriov_vf_link_up(e->vf);
}

/* The control path of a polling loop: the failover port's switches, or the VF's events. */
static sriov_vf_err port_control(struct echo* e)
{
    return e->failover ? sriov_vf_failover_poll(e->failover) : sriov_vf_poll_events(e->vf, NULL);
}

static void port_close(struct echo* e)
{
    sriov_vf_failover_close(e->failover);
    sriov_vf_close(e->vf);
    e->failover = NULL;
    e->vf = NULL;
}

/* Called by the failover port from its poll after a switch: one line, in vf-pktgen's words. */
static void on_switch(const sriov_vf_switch_event* s, void* user)
{
    const struct echo* e = user;
    printf("switch: %s -> %s (%s) at %llu", sriov_vf_path_name(s->from), sriov_vf_path_name(s->to),
           sriov_vf_switch_reason_name(s->reason), e->received);
    if (s->tx_given_up)
        printf(", %llu TX frames given up", (unsigned long long)s->tx_given_up);
    printf("\n");
    fflush(stdout);
}

/* Sends what waits; when nothing does, receives a burst and rewrites it. Returns the frames
 * received. */
static uint32_t echo_burst(struct echo* e)
{
    uint32_t n = 0;
    if (e->next == e->count) {
        sriov_vf_buffer* in[burst_size];
        n = port_rx_burst(e, in, burst_size);
        e->next = e->count = 0;
        for (uint32_t i = 0; i < n; ++i) {
            sriov_vf_buffer* b = in[i];
            /* Too short, or (sending back) a frame from this VF's own MAC, which would come
             * back for ever: a failover port's announcement of the MAC, say. */
            if (b->length < ether_header || (!e->to_dst && memcmp(b->data + 6, e->own.bytes, 6) == 0)) {
                port_free_buffer(e, b);
                ++e->dropped;
                continue;
            }
            memcpy(b->data, e->to_dst ? e->dst.bytes : b->data + 6, 6);
            memcpy(b->data + 6, e->own.bytes, 6);
            e->out[e->count++] = b;
        }
        if (n) {
            e->last = now_seconds();
            if (e->received == 0)
                e->first = e->last;
            e->received += n;
        }
    }
    if (e->next < e->count) {
        const uint32_t sent = port_tx_burst(e, e->out + e->next, e->count - e->next);
        e->next += sent;
        e->echoed += sent;
    }
    return n;
}

/* Says what failed with libvf's message (a failed open's, when nothing is open), closes the port. */
static int fail(struct echo* e, const char* what)
{
    fprintf(stderr, "vf-echo: %s: %s\n", what,
            e->failover ? sriov_vf_failover_error_message(e->failover) : sriov_vf_error_message(e->vf));
    port_close(e);
    return 2;
}

static void print_summary(const struct echo* e, const char* why, int interrupts)
{
    const double secs = e->received > 1 ? e->last - e->first : 0;
    printf("received %llu frames, echoed %llu, dropped %llu in %.3f s: %.0f frames/s\n", e->received,
           e->echoed, e->dropped, secs, secs > 0 ? (double)e->received / secs : 0.0);
    printf("stopped: %s\n", why);
    if (e->failover) {
        sriov_vf_failover_stats f;
        sriov_vf_failover_get_stats(e->failover, &f);
        printf("failover: vf tx %llu rx %llu (%.3f s), standby tx %llu rx %llu (%.3f s), switch-overs %llu, "
               "switch-backs %llu, announcements %llu, copies dropped %llu, TX given up %llu, standby "
               "discarded %llu, reopen failures %llu, standby overflows %llu\n",
               (unsigned long long)f.vf.tx_frames, (unsigned long long)f.vf.rx_frames, (double)f.vf.active_ns / 1e9,
               (unsigned long long)f.standby.tx_frames, (unsigned long long)f.standby.rx_frames,
               (double)f.standby.active_ns / 1e9, (unsigned long long)f.switch_overs,
               (unsigned long long)f.switch_backs, (unsigned long long)f.announcements,
               (unsigned long long)f.copies_dropped, (unsigned long long)f.tx_given_up,
               (unsigned long long)f.standby_discarded, (unsigned long long)f.reopen_failures,
               (unsigned long long)f.standby_overflows);
        fflush(stdout);
        return;
    }
    sriov_vf_stats s;
    sriov_vf_get_stats(e->vf, &s);
    printf("libvf: RX %llu frames, %llu bytes, no buffer %llu, errors %llu; TX %llu frames, %llu bytes, "
           "ring full %llu\n",
           (unsigned long long)s.rx_packets, (unsigned long long)s.rx_bytes, (unsigned long long)s.rx_no_buffer,
           (unsigned long long)s.rx_errors, (unsigned long long)s.tx_packets, (unsigned long long)s.tx_bytes,
           (unsigned long long)s.tx_ring_full);
    if (interrupts) {
        sriov_vf_interrupt_stats is;
        sriov_vf_get_interrupt_stats(e->vf, &is);
        printf("interrupts %llu (RX vector %llu), wake-ups %llu, frames per interrupt %.2f, last VTEITR 0x%08x\n",
               (unsigned long long)is.interrupts, (unsigned long long)is.rx_interrupts,
               (unsigned long long)is.wakeups,
               is.interrupts ? (double)e->received / (double)is.interrupts : 0.0, (unsigned)is.eitr);
    }
    fflush(stdout);
}

int main(int argc, char** argv)
{
    struct options o = {NULL, NULL, "/run/sriovd.token", NULL, 0, "adaptive", "datasheet", 512, 4096, 0, 10};
    const int parsed = parse_options(argc, argv, &o);
    if (parsed >= 0)
        return parsed;
    struct echo e;
    memset(&e, 0, sizeof e);
    if (o.dst) {
        if (sriov_vf_mac_parse(o.dst, &e.dst) != SRIOV_VF_OK)
            return bad_option("--dst is not a MAC address", o.dst);
        e.to_dst = 1;
    }
    sriov_vf_options vo;
    if (open_options(&o, &vo) != 0)
        return 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* The kernel's request for the VF stops the echo on a VF; a failover port switches instead. */
    int released = 0;
    char mode[64];
    if (o.standby) {
        sriov_vf_failover_options fo;
        sriov_vf_failover_options_init(&fo);
        fo.standby = o.standby;
        fo.on_switch = on_switch;
        fo.user = &e;
        if (sriov_vf_failover_open(o.vf, &vo, &fo, &e.failover) != SRIOV_VF_OK)
            return fail(&e, "cannot open the failover port");
        e.own = sriov_vf_failover_get_mac(e.failover);
        snprintf(mode, sizeof mode, "polling, standby %s", o.standby);
    } else {
        if (sriov_vf_open(o.vf, &vo, &e.vf) != SRIOV_VF_OK)
            return fail(&e, "cannot open the VF");
        sriov_vf_on_release_request(e.vf, on_release, &released);
        e.own = sriov_vf_get_mac(e.vf);
        snprintf(mode, sizeof mode, "%s", o.interrupts ? "interrupts" : "polling");
    }
    const double link_end = now_seconds() + o.link_timeout;
    while (!port_link_up(&e)) {
        if (now_seconds() >= link_end || stop_signal) {
            fprintf(stderr, "vf-echo: %s: no link within %g s (is the PF's link up?)\n", o.vf, o.link_timeout);
            port_close(&e);
            return 2;
        }
        sleep_ms(10);
    }
    char own[18], dst[18];
    printf("%s: MAC %s, link up, echoing to %s (%s)\n",
           e.failover ? sriov_vf_failover_name(e.failover) : sriov_vf_name(e.vf), sriov_vf_mac_format(&e.own, own),
           e.to_dst ? sriov_vf_mac_format(&e.dst, dst) : "each frame's source", mode);
    printf("ready\n");
    fflush(stdout);

    const double start = now_seconds();
    double next_control = start, next_report = start + 1;
    e.last = start;
    const char* why = NULL;
    char idle_reason[64];
    while (!why) {
        if (o.interrupts) {
            bool woken = false;
            if (sriov_vf_wait(e.vf, 100, &woken) != SRIOV_VF_OK)
                return fail(&e, "waiting for an interrupt");
            if (woken && !released) {
                /* Poll until the ring is empty and nothing waits to be sent, then re-arm. */
                while ((echo_burst(&e) > 0 || e.next < e.count) && !stop_signal) {
                }
                if (sriov_vf_rearm(e.vf) != SRIOV_VF_OK)
                    return fail(&e, "re-arming the interrupt");
            }
        } else {
            echo_burst(&e);
        }
        const double now = now_seconds();
        if (!o.interrupts && now >= next_control) {
            next_control = now + 0.01;
            if (port_control(&e) != SRIOV_VF_OK)
                return fail(&e, "looking at the control path");
        }
        if (now >= next_report) {
            printf("received %llu, echoed %llu\n", e.received, e.echoed);
            fflush(stdout);
            next_report += 1;
        }
        if (released) {
            why = "the kernel asked for the VF back";
        } else if (stop_signal) {
            why = stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
        } else if (o.idle > 0 && now - e.last > o.idle) {
            snprintf(idle_reason, sizeof idle_reason, "no frame for %g s", o.idle);
            why = idle_reason;
        }
    }

    /* Frames still waiting are given up; then the TX ring may empty (every buffer back but the
     * RX ring's) before closing stops the queues. A failover port on its standby keeps no buffer
     * in a ring (the standby copies), so there is nothing to wait for there. */
    for (uint32_t i = e.next; i < e.count; ++i) {
        port_free_buffer(&e, e.out[i]);
        ++e.dropped;
    }
    const double drain_end = now_seconds() + 2;
    while (!released && port_reclaim(&e) + o.ring < o.buffers && now_seconds() < drain_end)
        sleep_ms(1);
    print_summary(&e, why, o.interrupts);
    port_close(&e);
    return 0;
}
