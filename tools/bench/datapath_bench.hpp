// What bench-datapath's passes share: the three ways of using libvf it measures, one step of
// each, the three subjects each way is measured on, and the figures it reports per burst size
// (see bench_datapath.cpp).
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

// The data paths compared (issue 17), in the order of PathResults.
inline constexpr std::array<sriov::vf::DataPath, 2> data_paths{sriov::vf::DataPath::scalar,
                                                                sriov::vf::DataPath::sse41};

// What the steps call, all over the rig's one pair of queues and pool: the queues and pool
// themselves (issue 7's figures), the plain Vf's out-of-line members (Vf::over_queues), a failover
// port with its VF active (FailoverPort::over_queues; issue 14 compares it with the plain Vf).
enum Subject : unsigned { queues, plain_vf, failover_port };
inline constexpr std::array<Subject, 3> subjects{queues, plain_vf, failover_port};
inline constexpr std::array<const char*, 3> subject_names{"queues", "vf", "port"};  // callgrind dumps
inline constexpr std::array<const char*, 3> subject_columns{"", "vf_", "port_"};    // CSV column prefixes
inline constexpr std::array<const char*, 3> subject_titles{"queues", "Vf", "port"};

struct Figures {
    std::optional<double> mpps;          // millions of packets per second of libvf's time (median burst)
    std::optional<double> wall_mpps;     // packets per second of wall time: at most the model's rate
    std::optional<double> instructions;  // per packet, libvf's side
};
using SubjectFigures = std::array<Figures, 3>;  // by Mode
using Results = std::map<std::uint32_t, std::array<SubjectFigures, 3>>;  // by burst size, then Subject
using PathResults = std::array<Results, data_paths.size()>;               // by data_paths' order

// One burst of `mode` through `subject` (see datapath_steps.hpp); returns the frames it moved.
inline std::uint32_t run_step(Subject subject, Mode mode, DatapathRig& rig, sriov::vf::PacketBuffer** bufs,
                              std::uint32_t burst)
{
    constexpr std::uint32_t length = DatapathRig::frame_size;
    switch (subject) {
    case queues:
        switch (mode) {
        case rx: return libvf_rx_step(rig.rx(), rig.pool(), bufs, burst);
        case tx: return libvf_tx_step(rig.tx(), rig.pool(), bufs, burst, length);
        case rxtx: return libvf_forward_step(rig.rx(), rig.tx(), rig.pool(), bufs, burst);
        }
        break;
    case plain_vf:
        switch (mode) {
        case rx: return libvf_rx_step(rig.plain_vf(), bufs, burst);
        case tx: return libvf_tx_step(rig.plain_vf(), bufs, burst, length);
        case rxtx: return libvf_forward_step(rig.plain_vf(), bufs, burst);
        }
        break;
    case failover_port:
        switch (mode) {
        case rx: return libvf_rx_step(rig.port(), bufs, burst);
        case tx: return libvf_tx_step(rig.port(), bufs, burst, length);
        case rxtx: return libvf_forward_step(rig.port(), bufs, burst);
        }
        break;
    }
    return 0;
}

}  // namespace bench
