// The set-up bench-datapath measures: libvf's RX and TX queue 0 of VF 0, with its buffer pool,
// over the 82576 register model (test/model) playing the device; and over those same queues and
// pool, the two ways an application reaches them: a plain Vf (Vf::over_queues) and a failover port
// with its VF active (FailoverPort::over_queues, issue 14).
//
// The PF is made ready for VF traffic as sriovd leaves it (link up, RCTL.EN with SECRC, TCTL.EN;
// VMDq off, so VFRE/VFTE do not gate the queues), the queues are started by libvf's own start(),
// then the model is switched to DescriptorWork::device_thread: from there on libvf's doorbells
// are latched by the model without its lock, and the device's work is done by whoever calls
// device_rx() / device_tx() (another thread in the timing pass, the same one between measured
// calls in the instruction pass).
#pragma once

#include "model/e82576_model.hpp"
#include "sriov/failover.hpp"
#include "sriov/libvf.hpp"
#include "vf/buffer_pool.hpp"
#include "vf/data_path.hpp"
#include "vf/rx_queue.hpp"
#include "vf/tx_queue.hpp"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

namespace bench {

// Host memory standing for DMA memory: page-aligned, zeroed, freed with the object.
class HostDma {
public:
    HostDma(std::uint64_t iova, std::size_t size);
    sriov::vf::DmaRegion region() const { return {memory_.get(), iova_, size_}; }

private:
    struct Free {
        void operator()(void* p) const { std::free(p); }
    };
    std::unique_ptr<void, Free> memory_;
    std::uint64_t iova_;
    std::size_t size_;
};

class DatapathRig {
public:
    // libvf's defaults (sriov/libvf.hpp Config): rings of 512, 4096 buffers of 2 KiB.
    static constexpr std::uint32_t ring_size = 512;
    static constexpr std::uint32_t buffer_count = 4096;
    static constexpr std::uint32_t buffer_size = 2048;
    static constexpr std::uint32_t frame_size = 60;  // a minimum Ethernet frame without its FCS

    // The queues run `path` (issue 17: the scalar steps or four descriptors at a time).
    explicit DatapathRig(sriov::vf::DataPath path);
    DatapathRig(const DatapathRig&) = delete;
    DatapathRig& operator=(const DatapathRig&) = delete;

    sriov::vf::RxQueue& rx() { return rx_; }
    sriov::vf::TxQueue& tx() { return tx_; }
    sriov::vf::BufferPool& pool() { return pool_; }
    sriov::vf::Vf& plain_vf() { return *plain_vf_; }
    sriov::vf::FailoverPort& port() { return *port_; }

    // The device's work: up to `max` frames into the posted RX descriptors; the TX descriptors
    // libvf offered, completed. Each returns how many.
    std::uint32_t device_rx(std::uint32_t max);
    // One frame of its own (for comparing what the data paths deliver), as device_rx does.
    bool device_rx_frame(std::span<const std::uint8_t> frame);
    std::uint32_t device_tx();

private:
    std::unique_ptr<sriov::model::E82576Model> model_;
    HostDma rings_;
    HostDma buffers_;
    sriov::vf::BufferPool pool_;
    sriov::vf::RxQueue rx_;
    sriov::vf::TxQueue tx_;
    std::unique_ptr<sriov::vf::Vf> plain_vf_;  // over rx_, tx_ and pool_: gone before them
    std::unique_ptr<sriov::vf::FailoverPort> port_;  // over rx_, tx_ and pool_: gone before them
};

}  // namespace bench
