// Which implementation of the RX and TX bursts a queue runs (issue 17).
//
// scalar: one descriptor at a time, portable, the reference. sse41: four descriptors at a time
// with 128-bit loads and stores (x86-64 with SSE4.1), falling back to the scalar steps for what
// does not fill a group of four (the end of a burst, the ring's wrap, errors, a short pool). Both
// deliver the same frames in the same order with the same counters; the unit tests run both.
//
// The choice is made once, when a queue is built, from CPUID; LIBVF_DATA_PATH=scalar in the
// environment forces the scalar path (for comparisons, or a CPU or tool that mishandles SSE4.1).
// No AVX-512: valgrind 3.19, which measures the data path, cannot run it.
#pragma once

#include <string>
#include <string_view>

namespace sriov::vf {

enum class DataPath { scalar, sse41 };

// The best path this CPU runs, unless LIBVF_DATA_PATH=scalar asks for the scalar one.
DataPath best_data_path();
// Whether this build and CPU can run `path` (scalar always).
bool data_path_supported(DataPath path);
std::string_view data_path_name(DataPath path);
// Throws sriov::Error(invalid_argument) naming `subject` when `path` is not supported.
void require_data_path(DataPath path, const std::string& subject);

}  // namespace sriov::vf
