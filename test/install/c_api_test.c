/* libvf's C API without a device (test libvf.c_api, unit): the defaults, MAC addresses, error
 * names, and open failures that come back as codes and messages, one message per thread; the
 * same for the failover port, and the names of its paths and switch reasons.
 * Built in C11 against the shared libvf, as a C consumer sees it. */
#include <sriov/libvf.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond);                     \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_STR(actual, expected)                                                                \
    do {                                                                                           \
        const char* a_ = (actual);                                                                 \
        if (strcmp(a_, (expected)) != 0) {                                                         \
            fprintf(stderr, "%s:%d: \"%s\", expected \"%s\"\n", __FILE__, __LINE__, a_, (expected)); \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

static void defaults_are_the_cxx_apis(void)
{
    sriov_vf_options o;
    memset(&o, 0xab, sizeof o);
    sriov_vf_options_init(&o);
    CHECK(o.vf_token == NULL && o.token_file == NULL);
    CHECK(o.rx_ring_size == 512 && o.tx_ring_size == 512);
    CHECK(o.buffer_count == 4096 && o.buffer_size == 2048);
    CHECK(o.pf_timeout_ms == 10000);
    CHECK(o.interrupts == SRIOV_VF_POLLING);
    CHECK(o.coalescing.mode == SRIOV_VF_COALESCE_ADAPTIVE);
    CHECK(o.coalescing.rate == 8000 && o.coalescing.safety_ratio == 0.5 && o.coalescing.min_rate == 1000);
    CHECK(o.coalescing.app_buffers == 0 && o.coalescing.adapt_period_ms == 20);
    CHECK(o.coalescing.timing == SRIOV_VF_EITR_DATASHEET);
}

static void mac_addresses(void)
{
    sriov_vf_mac m;
    char text[18];
    CHECK(sriov_vf_mac_parse("02:11:22:33:44:5F", &m) == SRIOV_VF_OK);
    CHECK(m.bytes[0] == 0x02 && m.bytes[5] == 0x5f);
    CHECK_STR(sriov_vf_mac_format(&m, text), "02:11:22:33:44:5f");
    CHECK(sriov_vf_mac_parse("02:11:22:33:44", &m) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK(sriov_vf_mac_parse("zz:11:22:33:44:55", &m) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK(sriov_vf_mac_parse(NULL, &m) == SRIOV_VF_E_INVALID_ARGUMENT);
}

static void error_names(void)
{
    static const char* const names[] = {"ok",      "not_found", "permission", "busy",
                                        "no_iommu", "not_viable", "vf_token", "memlock",
                                        "timeout", "invalid_argument", "unsupported", "protocol",
                                        "io",      "no_memory", "internal"};
    for (int code = SRIOV_VF_OK; code <= SRIOV_VF_E_INTERNAL; ++code)
        CHECK_STR(sriov_vf_strerror((sriov_vf_err)code), names[code]);
    CHECK_STR(sriov_vf_strerror((sriov_vf_err)99), "unknown");
}

static void open_failures_are_codes_with_messages(void)
{
    sriov_vf* vf = (sriov_vf*)&vf; /* must be set to NULL */
    CHECK(sriov_vf_open("12.0x", NULL, &vf) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK(vf == NULL);
    CHECK_STR(sriov_vf_error_message(NULL), "12.0x: not a PCI address (expected DDDD:BB:DD.F)");

    /* The configuration is checked before any device is touched. */
    sriov_vf_options o;
    sriov_vf_options_init(&o);
    o.buffer_count = 100;
    CHECK(sriov_vf_open("0000:00:12.0", &o, &vf) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK_STR(sriov_vf_error_message(NULL),
              "0000:00:12.0: 100 buffers cannot fill an RX ring of 512 and leave any to send");
    sriov_vf_options_init(&o);
    o.coalescing.mode = (sriov_vf_coalescing_mode)7;
    CHECK(sriov_vf_open("0000:00:12.0", &o, &vf) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK_STR(sriov_vf_error_message(NULL), "sriov_vf_options: unknown coalescing mode");

    CHECK(sriov_vf_open(NULL, NULL, &vf) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK_STR(sriov_vf_error_message(NULL), "sriov_vf_open: no PCI address given");
    CHECK(sriov_vf_open("0000:00:12.0", NULL, NULL) == SRIOV_VF_E_INVALID_ARGUMENT);
    sriov_vf_close(NULL); /* allowed */
}

static void failover_defaults_are_the_cxx_apis(void)
{
    sriov_vf_failover_options o;
    memset(&o, 0xab, sizeof o);
    sriov_vf_failover_options_init(&o);
    CHECK(o.standby == NULL);
    CHECK(o.settle_ms == 20 && o.pf_reset_timeout_ms == 500 && o.tx_stall_timeout_ms == 40);
    CHECK(o.vf_check_interval_ms == 100 && o.drain_timeout_ms == 100);
    CHECK(o.on_switch == NULL && o.user == NULL);
}

static void path_and_reason_names(void)
{
    CHECK_STR(sriov_vf_path_name(SRIOV_VF_PATH_VF), "vf");
    CHECK_STR(sriov_vf_path_name(SRIOV_VF_PATH_STANDBY), "standby");
    CHECK_STR(sriov_vf_path_name((sriov_vf_path)2), "unknown");
    CHECK_STR(sriov_vf_path_name((sriov_vf_path)-1), "unknown");
    static const char* const reasons[] = {"released", "link_down", "pf_reset",     "tx_stalled",
                                          "vf_back",  "link_back", "pf_recovered", "tx_resumed"};
    for (int r = SRIOV_VF_SWITCH_RELEASED; r <= SRIOV_VF_SWITCH_TX_RESUMED; ++r)
        CHECK_STR(sriov_vf_switch_reason_name((sriov_vf_switch_reason)r), reasons[r]);
    CHECK_STR(sriov_vf_switch_reason_name((sriov_vf_switch_reason)8), "unknown");
    CHECK_STR(sriov_vf_switch_reason_name((sriov_vf_switch_reason)-1), "unknown");
}

static int switches;

static void count_switch(const sriov_vf_switch_event* event, void* user)
{
    (void)event;
    ++*(int*)user;
}

static void failover_open_failures_are_codes_with_messages(void)
{
    sriov_vf_failover* port = (sriov_vf_failover*)&port; /* must be set to NULL */
    sriov_vf_failover_options fo;
    sriov_vf_failover_options_init(&fo);
    fo.standby = "sb-missing0";
    fo.on_switch = count_switch;
    fo.user = &switches;

    /* A VF that does not exist: the C++ port's error (the VF is opened before the standby), one
     * line naming the address; sriov_vf_error_message(NULL) is the same thread's open message. */
    CHECK(sriov_vf_failover_open("ffff:ee:1f.7", NULL, &fo, &port) == SRIOV_VF_E_NOT_FOUND);
    CHECK(port == NULL);
    CHECK_STR(sriov_vf_failover_error_message(NULL), "ffff:ee:1f.7: no such PCI device");
    CHECK(strchr(sriov_vf_failover_error_message(NULL), '\n') == NULL);
    CHECK(sriov_vf_error_message(NULL) == sriov_vf_failover_error_message(NULL));
    CHECK(switches == 0);

    port = (sriov_vf_failover*)&port;
    CHECK(sriov_vf_failover_open("12.0x", NULL, NULL, &port) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK(port == NULL);
    CHECK_STR(sriov_vf_failover_error_message(NULL), "12.0x: not a PCI address (expected DDDD:BB:DD.F)");

    /* A failover port polls: interrupt mode is refused before any device is touched. */
    sriov_vf_options o;
    sriov_vf_options_init(&o);
    o.interrupts = SRIOV_VF_INTERRUPTS;
    CHECK(sriov_vf_failover_open("0000:00:12.0", &o, &fo, &port) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK_STR(sriov_vf_failover_error_message(NULL),
              "0000:00:12.0: a failover port polls: open it without interrupts");
    sriov_vf_options_init(&o);
    o.coalescing.mode = (sriov_vf_coalescing_mode)7;
    CHECK(sriov_vf_failover_open("0000:00:12.0", &o, &fo, &port) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK_STR(sriov_vf_failover_error_message(NULL), "sriov_vf_options: unknown coalescing mode");

    CHECK(sriov_vf_failover_open(NULL, NULL, &fo, &port) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK_STR(sriov_vf_failover_error_message(NULL), "sriov_vf_failover_open: no PCI address given");
    CHECK(sriov_vf_failover_open("0000:00:12.0", NULL, &fo, NULL) == SRIOV_VF_E_INVALID_ARGUMENT);
    CHECK_STR(sriov_vf_failover_error_message(NULL),
              "sriov_vf_failover_open: no place for the handle (port is NULL)");
    sriov_vf_failover_close(NULL); /* allowed */
}

static void* fail_an_open(void* unused)
{
    (void)unused;
    sriov_vf* vf;
    sriov_vf_open("another thread", NULL, &vf);
    sriov_vf_failover* port;
    sriov_vf_failover_open("another thread's port", NULL, NULL, &port);
    return NULL;
}

static void open_messages_are_per_thread(void)
{
    sriov_vf* vf;
    sriov_vf_open("this thread", NULL, &vf);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, fail_an_open, NULL) == 0);
    pthread_join(t, NULL);
    CHECK_STR(sriov_vf_error_message(NULL), "this thread: not a PCI address (expected DDDD:BB:DD.F)");
}

int main(void)
{
    defaults_are_the_cxx_apis();
    mac_addresses();
    error_names();
    open_failures_are_codes_with_messages();
    failover_defaults_are_the_cxx_apis();
    path_and_reason_names();
    failover_open_failures_are_codes_with_messages();
    open_messages_are_per_thread();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("libvf C API: all checks passed\n");
    return 0;
}
