#include "datapath_rig.hpp"

#include "sriov/e82576_regs.hpp"

#include <array>
#include <chrono>
#include <cstring>
#include <new>

namespace bench {

using namespace sriov::e82576;
using sriov::model::DescriptorWork;
using sriov::model::E82576Model;
using sriov::vf::Doorbell;

namespace {

constexpr unsigned vf_index = 0;
constexpr std::uint64_t rings_iova = 0x100000;  // RX ring, then the TX ring 64 KiB further
constexpr std::uint64_t tx_ring_offset = 0x10000;
constexpr std::uint64_t buffers_iova = 0x1000000;
constexpr auto enable_timeout = std::chrono::milliseconds(100);

// The frame the device receives: broadcast, from a locally administered address, an IPv4
// ethertype; what follows does not matter to libvf.
std::array<std::uint8_t, DatapathRig::frame_size> test_frame()
{
    std::array<std::uint8_t, DatapathRig::frame_size> f{};
    for (unsigned i = 0; i < 6; ++i)
        f[i] = 0xFF;
    f[6] = 0x02;
    f[12] = 0x08;
    return f;
}

const std::array<std::uint8_t, DatapathRig::frame_size> frame = test_frame();

// What sriovd has done before a VF driver starts (sections 2.2, 2.3): one VF, the link
// negotiated, RX with the CRC stripped, TX on.
std::unique_ptr<E82576Model> pf_ready_for_traffic()
{
    auto m = std::make_unique<E82576Model>();
    m->set_num_vfs(1);
    m->pf().write32(MDIC.offset, mdic::PHY_ADDR << mdic::PHY_SHIFT | phy::BMCR << mdic::REG_SHIFT
                                     | mdic::OP_WRITE | phy::BMCR_ANENABLE | phy::BMCR_ANRESTART);
    m->pf().write32(RCTL.offset, rctl::EN | rctl::SECRC | rctl::BAM);
    m->pf().write32(TCTL.offset, tctl::EN | tctl::PSP);
    return m;
}

sriov::vf::DmaRegion part(const sriov::vf::DmaRegion& r, std::uint64_t offset)
{
    return {r.bytes() + offset, r.iova + offset, r.size - offset};
}

}  // namespace

HostDma::HostDma(std::uint64_t iova, std::size_t size)
    : memory_(std::aligned_alloc(4096, (size + 4095) / 4096 * 4096)), iova_(iova), size_(size)
{
    if (!memory_)
        throw std::bad_alloc();
    std::memset(memory_.get(), 0, size);
}

DatapathRig::DatapathRig(sriov::vf::DataPath path)
    : model_(pf_ready_for_traffic()), rings_(rings_iova, 2 * tx_ring_offset),
      buffers_(buffers_iova, std::size_t{buffer_count} * buffer_size),
      pool_(buffers_.region(), buffer_count, buffer_size),
      rx_(model_->vf(vf_index), Doorbell(model_->vf(vf_index), VF_RDT(0)), rings_.region(), ring_size, pool_,
          "VF 0 RX"),
      tx_(model_->vf(vf_index), Doorbell(model_->vf(vf_index), VF_TDT(0)), part(rings_.region(), tx_ring_offset),
          ring_size, pool_, "VF 0 TX"),
      plain_vf_(sriov::vf::Vf::over_queues(rx_, tx_, pool_)), port_(sriov::vf::FailoverPort::over_queues(rx_, tx_, pool_))
{
    model_->attach_dma(rings_iova, rings_.region().virt, rings_.region().size);
    model_->attach_dma(buffers_iova, buffers_.region().virt, buffers_.region().size);
    rx_.set_data_path(path);
    tx_.set_data_path(path);
    rx_.start(enable_timeout);
    tx_.start(enable_timeout);
    model_->set_descriptor_work(DescriptorWork::device_thread);
}

std::uint32_t DatapathRig::device_rx(std::uint32_t max)
{
    return model_->fill_rx(vf_index, frame, max);
}

bool DatapathRig::device_rx_frame(std::span<const std::uint8_t> f)
{
    return model_->fill_rx(vf_index, f, 1) == 1;
}

std::uint32_t DatapathRig::device_tx()
{
    return model_->complete_tx(vf_index);
}

}  // namespace bench
