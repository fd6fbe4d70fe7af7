// bench-datapath's check that the data paths agree (issue 17): the same frames through the
// queues on each path must come out the same. Its failure is a functional error.
#pragma once

#include "sriov/vf/queue_stats.hpp"
#include "vf/data_path.hpp"

#include <cstdint>
#include <vector>

namespace bench {

// What forwarding delivered: each frame received (its bytes), what the device completed, the counters.
struct Delivered {
    std::vector<std::vector<std::uint8_t>> frames;
    std::uint64_t completed = 0;
    sriov::vf::RxStats rx;
    sriov::vf::TxStats tx;
};

// Frames of changing lengths and contents, in bursts of 1 to 64 (around the rings several
// times), forwarded through the queues of a rig on `path`.
Delivered forward_varied_frames(sriov::vf::DataPath path);

// Whether every path this CPU runs delivers what the scalar one does; says what differs on stderr.
bool data_paths_agree();

}  // namespace bench
