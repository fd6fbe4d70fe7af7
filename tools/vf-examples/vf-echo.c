/* vf-echo: sends every Ethernet frame received on an 82576 VF back out, through libvf's C API.
 *
 *   vf-echo --vf 0000:00:12.2                                back to each frame's sender
 *   vf-echo --vf 0000:00:12.2 --dst 02:11:22:33:44:77 --interrupts
 *
 * A frame leaves from the buffer it came in (zero copy) with its Ethernet addresses rewritten:
 * the destination becomes the frame's source MAC (or --dst), the source this VF's MAC; the rest
 * is sent as it came. Frames the TX ring cannot take yet wait, and no new ones are received
 * meanwhile, so the echo never reorders or drops frames itself.
 *
 * Polling (the default) busy-polls the RX ring and looks at libvf's control path every 10 ms;
 * --interrupts sleeps until an MSI-X interrupt, polls the ring empty, then re-arms. It prints
 * "ready" once it can receive, a running count once a second, and a summary at the end. It stops
 * on SIGINT or SIGTERM, after --idle seconds without a frame, or when the kernel asks for the VF
 * back (e.g. sriovd lowering the VF count), each with exit status 0; 2 when libvf fails.
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
            "Stops on SIGINT or SIGTERM, after --idle, or when the kernel asks for the VF back.\n");
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
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
    };
    int c;
    double number;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'v': o->vf = optarg; break;
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
    sriov_vf* vf;
    sriov_vf_mac own;
    int to_dst;
    sriov_vf_mac dst;
    sriov_vf_buffer* out[burst_size]; /* rewritten frames out[next..count) wait for the TX ring */
    uint32_t next, count;
    unsigned long long received, echoed, dropped;
    double first, last; /* when the first and the last frame came */
};

/* Sends what waits; when nothing does, receives a burst and rewrites it. Returns the frames
 * received. */
static uint32_t echo_burst(struct echo* e)
{
    uint32_t n = 0;
    if (e->next == e->count) {
        sriov_vf_buffer* in[burst_size];
        n = sriov_vf_rx_burst(e->vf, in, burst_size);
        e->next = e->count = 0;
        for (uint32_t i = 0; i < n; ++i) {
            sriov_vf_buffer* b = in[i];
            if (b->length < ether_header) {
                sriov_vf_free_buffer(e->vf, b);
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
        const uint32_t sent = sriov_vf_tx_burst(e->vf, e->out + e->next, e->count - e->next);
        e->next += sent;
        e->echoed += sent;
    }
    return n;
}

static int fail(sriov_vf* vf, const char* what)
{
    fprintf(stderr, "vf-echo: %s: %s\n", what, sriov_vf_error_message(vf));
    sriov_vf_close(vf);
    return 2;
}

static void print_summary(const struct echo* e, const char* why, int interrupts)
{
    const double secs = e->received > 1 ? e->last - e->first : 0;
    printf("received %llu frames, echoed %llu, dropped %llu in %.3f s: %.0f frames/s\n", e->received,
           e->echoed, e->dropped, secs, secs > 0 ? (double)e->received / secs : 0.0);
    printf("stopped: %s\n", why);
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
    struct options o = {NULL, "/run/sriovd.token", NULL, 0, "adaptive", "datasheet", 512, 4096, 0, 10};
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

    if (sriov_vf_open(o.vf, &vo, &e.vf) != SRIOV_VF_OK)
        return fail(NULL, "cannot open the VF");
    int released = 0;
    sriov_vf_on_release_request(e.vf, on_release, &released);
    e.own = sriov_vf_get_mac(e.vf);
    const double link_end = now_seconds() + o.link_timeout;
    while (!sriov_vf_link_up(e.vf)) {
        if (now_seconds() >= link_end || stop_signal) {
            fprintf(stderr, "vf-echo: %s: no link within %g s (is the PF's link up?)\n", o.vf, o.link_timeout);
            sriov_vf_close(e.vf);
            return 2;
        }
        sleep_ms(10);
    }
    char own[18], dst[18];
    printf("%s: MAC %s, link up, echoing to %s (%s)\n", sriov_vf_name(e.vf), sriov_vf_mac_format(&e.own, own),
           e.to_dst ? sriov_vf_mac_format(&e.dst, dst) : "each frame's source",
           o.interrupts ? "interrupts" : "polling");
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
                return fail(e.vf, "waiting for an interrupt");
            if (woken && !released) {
                /* Poll until the ring is empty and nothing waits to be sent, then re-arm. */
                while ((echo_burst(&e) > 0 || e.next < e.count) && !stop_signal) {
                }
                if (sriov_vf_rearm(e.vf) != SRIOV_VF_OK)
                    return fail(e.vf, "re-arming the interrupt");
            }
        } else {
            echo_burst(&e);
        }
        const double now = now_seconds();
        if (!o.interrupts && now >= next_control) {
            next_control = now + 0.01;
            if (sriov_vf_poll_events(e.vf, NULL) != SRIOV_VF_OK)
                return fail(e.vf, "looking at the control path");
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
     * RX ring's) before closing stops the queues. */
    for (uint32_t i = e.next; i < e.count; ++i) {
        sriov_vf_free_buffer(e.vf, e.out[i]);
        ++e.dropped;
    }
    const double drain_end = now_seconds() + 2;
    while (!released && (sriov_vf_reclaim_tx(e.vf), sriov_vf_free_buffers(e.vf) + o.ring < o.buffers)
           && now_seconds() < drain_end)
        sleep_ms(1);
    print_summary(&e, why, o.interrupts);
    sriov_vf_close(e.vf);
    return 0;
}
