// The packet buffers of a failover port (issue 14): host memory and a pool that outlive any one
// opening of the VF, so that buffers the application holds stay valid while the VF is away.
// Each Vf opened on them maps the memory into its own VFIO container at the same IOVA (the one
// the first opening was given), and its queues take buffers from the port's pool.
#pragma once

#include "vf/buffer_pool.hpp"
#include "vfio/dma_memory.hpp"

#include <cstdint>
#include <optional>

namespace sriov::vf {

struct PortBuffers {
    vfio::HostMemory memory;
    std::optional<std::uint64_t> iova;  // set by the first Vf opened on these buffers
    std::optional<BufferPool> pool;     // made then, over memory at iova
};

}  // namespace sriov::vf
