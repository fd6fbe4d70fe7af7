// bench-datapath's instruction pass: the program runs itself under callgrind, which collects
// only inside the bench::libvf_* steps; each subject, mode and burst size is one dump (see
// bench_datapath.cpp for the method).
#pragma once

#include "datapath_bench.hpp"

#include <cstdint>
#include <vector>

namespace bench {

// Runs `valgrind --tool=callgrind` on this program with --instruction-pass and fills in
// instructions for every subject, mode and burst size, with the queues on `path`; false (said on stderr) when it could not,
// or when a step did not deliver its frames (a functional error).
bool instruction_pass(const std::vector<std::uint32_t>& bursts, std::uint64_t packets, sriov::vf::DataPath path,
                      Results& results);

// What runs under callgrind (--instruction-pass): `packets` per subject, mode and burst size;
// returns non-zero when a step did not deliver its frames.
int instruction_pass_child(const std::vector<std::uint32_t>& bursts, std::uint64_t packets, sriov::vf::DataPath path);

}  // namespace bench
