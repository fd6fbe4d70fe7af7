// What bench-datapath's passes share: the three ways of using libvf it measures, one step of
// each, and the figures it reports per burst size (see bench_datapath.cpp).
#pragma once

#include "datapath_rig.hpp"
#include "datapath_steps.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>

namespace bench {

// RX: rx_burst, buffers freed; TX: buffers allocated, tx_burst; RX+TX: forwarding.
enum Mode : unsigned { rx, tx, rxtx };
inline constexpr std::array<const char*, 3> mode_names{"rx", "tx", "rxtx"};  // in the CSV
inline constexpr std::array<const char*, 3> mode_titles{"RX", "TX", "RX+TX"};
inline constexpr std::uint32_t max_burst = 64;

struct Figures {
    std::optional<double> mpps;          // millions of packets per second of libvf's time (median burst)
    std::optional<double> wall_mpps;     // packets per second of wall time: at most the model's rate
    std::optional<double> instructions;  // per packet, libvf's side
};
using Results = std::map<std::uint32_t, std::array<Figures, 3>>;  // by burst size, then Mode

// One burst of `mode` (see datapath_steps.hpp); returns the frames it moved.
inline std::uint32_t run_step(Mode mode, DatapathRig& rig, sriov::vf::PacketBuffer** bufs,
                              std::uint32_t burst)
{
    switch (mode) {
    case rx: return libvf_rx_step(rig.rx(), rig.pool(), bufs, burst);
    case tx: return libvf_tx_step(rig.tx(), rig.pool(), bufs, burst, DatapathRig::frame_size);
    case rxtx: return libvf_forward_step(rig.rx(), rig.tx(), rig.pool(), bufs, burst);
    }
    return 0;
}

}  // namespace bench
