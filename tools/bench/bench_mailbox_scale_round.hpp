// One measurement of bench-mailbox-scale: `pfs` PFs of `vfs_per_pf` VFs each (bench_mailbox_scale_pf.hpp),
// all served on one event loop thread, and one thread per VF (bench_mailbox_scale_vf.hpp), every
// VF starting at the same moment.
#pragma once

#include "bench_mailbox_scale_vf.hpp"

#include "pf/request_policer.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sriov::bench {

// How the VFs are played: all on one thread, each woken by its mailbox interrupt (events), or one
// thread per VF reading VFMAILBOX every script.timing.poll (threads, the first rig, for comparison).
enum class VfDriver { events, threads };

struct RoundOptions {
    unsigned pfs = 1;
    unsigned vfs_per_pf = 7;
    VfScript script;
    pf::PolicingLimits limits;  // sriovd's defaults
    VfDriver driver = VfDriver::events;
    // With two CPUs or more: the PF side's loop on CPU 1 and, with VfDriver::events, the VF thread
    // on CPU 0, so that neither waits for the scheduler to give it the other's core.
    bool pin = true;
};

struct RoundResult {
    unsigned pfs = 0;
    unsigned vfs = 0;
    std::vector<std::chrono::nanoseconds> answers;     // every answered request after VF_RESET, sorted
    std::vector<std::chrono::nanoseconds> handshakes;  // every completed reset handshake, sorted
    // The PF side alone: a VF's request written to the PF's answer written, as the model timed
    // both (handshakes included), sorted.
    std::vector<std::chrono::nanoseconds> pf_side;
    double seconds = 0;                                // from the start to the last VF's last answer
    std::uint64_t answered = 0;                        // requests answered, VF_RESET included
    unsigned failures = 0;                             // over all VFs
    unsigned failed_vfs = 0;
    std::string first_failure;
    // The PF side's own counts, summed over the PFs.
    std::uint64_t pf_wakeups = 0;
    std::uint64_t pf_requests = 0;
    std::uint64_t pf_dropped = 0;
    std::uint64_t pf_errors = 0;
    double pf_loop_cpu_seconds = 0;  // CPU time of the PF side's event loop thread during the run
    std::uint64_t pf_register_reads = 0;   // the PF side's register accesses during the run
    std::uint64_t pf_register_writes = 0;
};

// Throws sriov::Error if a PF cannot be brought up on its model.
RoundResult run_round(const RoundOptions& options);

// Adds `more` (another run of the same PF count) to `total`: answer times pooled, counts and
// times summed.
void merge(RoundResult& total, const RoundResult& more);

// The p-th percentile (0 < p <= 100, nearest rank) of sorted values, in microseconds; 0 if none.
double percentile_us(const std::vector<std::chrono::nanoseconds>& sorted, double p);

}  // namespace sriov::bench
