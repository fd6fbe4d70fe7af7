// What the libvf thread of bench-datapath does per burst: the code whose cost is measured.
//
// Each step is one application's use of libvf for one burst, in a translation unit of its own so
// that it is a real function: callgrind collects inside these functions only
// (--toggle-collect=bench::libvf_*), which is how the instruction pass counts libvf's side alone.
// The buffers' contents are not touched: reading or writing frames is the application's cost, not
// libvf's.
//
// Each step comes for three subjects (datapath_bench.hpp), the same source for each: libvf's queues
// and pool called directly (issue 7's figures), the plain Vf's calls (Vf::over_queues), and a
// failover port (issue 14).
#pragma once

#include "sriov/failover.hpp"
#include "sriov/libvf.hpp"
#include "vf/buffer_pool.hpp"
#include "vf/rx_queue.hpp"
#include "vf/tx_queue.hpp"

#include <cstdint>

namespace bench {

// RX: rx_burst, and each received buffer given back to the pool. Returns frames received.
std::uint32_t libvf_rx_step(sriov::vf::RxQueue& rx, sriov::vf::BufferPool& pool, sriov::vf::PacketBuffer** bufs,
                            std::uint32_t burst);
std::uint32_t libvf_rx_step(sriov::vf::Vf& vf, sriov::vf::PacketBuffer** bufs, std::uint32_t burst);
std::uint32_t libvf_rx_step(sriov::vf::FailoverPort& port, sriov::vf::PacketBuffer** bufs, std::uint32_t burst);
// TX: `burst` buffers taken from the pool with a length set, tx_burst (which reclaims what the
// device completed), and those it did not take given back. Returns frames queued.
std::uint32_t libvf_tx_step(sriov::vf::TxQueue& tx, sriov::vf::BufferPool& pool, sriov::vf::PacketBuffer** bufs,
                            std::uint32_t burst, std::uint32_t length);
std::uint32_t libvf_tx_step(sriov::vf::Vf& vf, sriov::vf::PacketBuffer** bufs, std::uint32_t burst, std::uint32_t length);
std::uint32_t libvf_tx_step(sriov::vf::FailoverPort& port, sriov::vf::PacketBuffer** bufs, std::uint32_t burst,
                            std::uint32_t length);
// RX+TX, forwarding: rx_burst, then tx_burst of the same buffers; any it did not take are given
// back (dropped). Returns frames sent.
std::uint32_t libvf_forward_step(sriov::vf::RxQueue& rx, sriov::vf::TxQueue& tx, sriov::vf::BufferPool& pool,
                                 sriov::vf::PacketBuffer** bufs, std::uint32_t burst);
std::uint32_t libvf_forward_step(sriov::vf::Vf& vf, sriov::vf::PacketBuffer** bufs, std::uint32_t burst);
std::uint32_t libvf_forward_step(sriov::vf::FailoverPort& port, sriov::vf::PacketBuffer** bufs, std::uint32_t burst);

}  // namespace bench
