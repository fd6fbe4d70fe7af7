#include "datapath_steps.hpp"

namespace bench {

using sriov::vf::BufferPool;
using sriov::vf::PacketBuffer;

[[gnu::noinline]] std::uint32_t libvf_rx_step(sriov::vf::RxQueue& rx, BufferPool& pool, PacketBuffer** bufs,
                                              std::uint32_t burst)
{
    const std::uint32_t n = rx.burst(bufs, burst);
    for (std::uint32_t i = 0; i < n; ++i)
        pool.free(bufs[i]);
    return n;
}

[[gnu::noinline]] std::uint32_t libvf_tx_step(sriov::vf::TxQueue& tx, BufferPool& pool, PacketBuffer** bufs,
                                              std::uint32_t burst, std::uint32_t length)
{
    std::uint32_t n = 0;
    while (n < burst) {
        PacketBuffer* b = pool.alloc();
        if (!b)
            break;
        b->length = length;
        bufs[n++] = b;
    }
    const std::uint32_t sent = tx.burst(bufs, n);
    for (std::uint32_t i = sent; i < n; ++i)
        pool.free(bufs[i]);
    return sent;
}

[[gnu::noinline]] std::uint32_t libvf_forward_step(sriov::vf::RxQueue& rx, sriov::vf::TxQueue& tx,
                                                   BufferPool& pool, PacketBuffer** bufs, std::uint32_t burst)
{
    const std::uint32_t n = rx.burst(bufs, burst);
    if (n == 0)
        return 0;
    const std::uint32_t sent = tx.burst(bufs, n);
    for (std::uint32_t i = sent; i < n; ++i)
        pool.free(bufs[i]);
    return sent;
}

}  // namespace bench
