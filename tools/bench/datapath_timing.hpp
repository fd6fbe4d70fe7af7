// bench-datapath's timing pass: million packets per second of libvf's time, with the model's
// device thread on another core (see bench_datapath.cpp for the method).
#pragma once

#include "datapath_bench.hpp"

#include <cstdint>
#include <vector>

namespace bench {

struct TimingOptions {
    std::uint64_t packets;  // per subject, mode and burst size
    int libvf_core;
    int device_core;
};

// Fills in mpps and wall_mpps for every subject, mode and burst size; false (said on stderr) when
// frames stopped moving in one of them (a functional error; its figures stay empty).
bool timing_pass(const std::vector<std::uint32_t>& bursts, const TimingOptions& options, sriov::vf::DataPath path,
                 Results& results);

}  // namespace bench
