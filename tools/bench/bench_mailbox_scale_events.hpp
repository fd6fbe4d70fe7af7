// The VF side of bench-mailbox-scale driven by events (the default): every VF on one thread,
// each still libvf's own VF-side code (vf::VfControl's event-driven calls over mbx::VfMailbox), but
// woken by its mailbox interrupt (the model's PF-to-VF interrupt message) instead of reading
// VFMAILBOX every few hundred microseconds. The script is the threaded VFs' (VfScript): the reset
// handshake, then rounds of four requests, each timed from the request written to the answer read;
// a VF sends its next request as soon as the last was answered.
#pragma once

#include "bench_mailbox_scale_pf.hpp"
#include "bench_mailbox_scale_vf.hpp"

#include <memory>
#include <vector>

namespace sriov::bench {

// Plays every VF of `pfs` (VF v of PF p is runs[p * vfs_per_pf + v]) on the calling thread until
// each has finished its script or none was woken for script.timing.timeout. The PFs are served
// on pf_loop's thread; their VF interrupt hooks are set for the run and removed on that thread
// before returning. Never throws.
std::vector<VfRun> run_vfs_on_events(boost::asio::io_context& pf_loop, std::vector<std::unique_ptr<ModelPf>>& pfs,
                                     unsigned vfs_per_pf, const VfScript& script);

}  // namespace sriov::bench
