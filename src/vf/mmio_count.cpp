// The Vf's view of its queues' register-access counts (only in builds with SRIOV_COUNT_MMIO:
// src/vf/CMakeLists.txt adds this file to those).
#include "sriov/libvf.hpp"

#include "vf/rx_queue.hpp"
#include "vf/tx_queue.hpp"

namespace sriov::vf {

const MmioStats& Vf::rx_mmio() const { return rx_->mmio(); }
const MmioStats& Vf::tx_mmio() const { return tx_->mmio(); }

}  // namespace sriov::vf
