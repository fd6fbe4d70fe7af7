#include "datapath_steps.hpp"

namespace bench {

using sriov::vf::BufferPool;
using sriov::vf::FailoverPort;
using sriov::vf::PacketBuffer;
using sriov::vf::RxQueue;
using sriov::vf::TxQueue;

namespace {

// The steps of the plain Vf and of the failover port: one body for both, since both name their data
// path alike (rx_burst, tx_burst, alloc_buffer, free_buffer). The same as the queues' steps below,
// which are kept written out as they were when issue 7's figures were taken: folding them into
// these templates too lays out TX's allocation loop differently (2 instructions more per burst).

template <class Port>
std::uint32_t rx_step(Port& port, PacketBuffer** bufs, std::uint32_t burst)
{
    const std::uint32_t n = port.rx_burst(bufs, burst);
    for (std::uint32_t i = 0; i < n; ++i)
        port.free_buffer(bufs[i]);
    return n;
}

template <class Port>
std::uint32_t tx_step(Port& port, PacketBuffer** bufs, std::uint32_t burst, std::uint32_t length)
{
    std::uint32_t n = 0;
    while (n < burst) {
        PacketBuffer* b = port.alloc_buffer();
        if (!b)
            break;
        b->length = length;
        bufs[n++] = b;
    }
    const std::uint32_t sent = port.tx_burst(bufs, n);
    for (std::uint32_t i = sent; i < n; ++i)
        port.free_buffer(bufs[i]);
    return sent;
}

template <class Port>
std::uint32_t forward_step(Port& port, PacketBuffer** bufs, std::uint32_t burst)
{
    const std::uint32_t n = port.rx_burst(bufs, burst);
    if (n == 0)
        return 0;
    const std::uint32_t sent = port.tx_burst(bufs, n);
    for (std::uint32_t i = sent; i < n; ++i)
        port.free_buffer(bufs[i]);
    return sent;
}

}  // namespace

[[gnu::noinline]] std::uint32_t libvf_rx_step(RxQueue& rx, BufferPool& pool, PacketBuffer** bufs, std::uint32_t burst)
{
    const std::uint32_t n = rx.burst(bufs, burst);
    for (std::uint32_t i = 0; i < n; ++i)
        pool.free(bufs[i]);
    return n;
}

[[gnu::noinline]] std::uint32_t libvf_rx_step(sriov::vf::Vf& vf, PacketBuffer** bufs, std::uint32_t burst)
{
    return rx_step(vf, bufs, burst);
}

[[gnu::noinline]] std::uint32_t libvf_rx_step(FailoverPort& port, PacketBuffer** bufs, std::uint32_t burst)
{
    return rx_step(port, bufs, burst);
}

[[gnu::noinline]] std::uint32_t libvf_tx_step(TxQueue& tx, BufferPool& pool, PacketBuffer** bufs, std::uint32_t burst,
                                              std::uint32_t length)
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

[[gnu::noinline]] std::uint32_t libvf_tx_step(sriov::vf::Vf& vf, PacketBuffer** bufs, std::uint32_t burst,
                                              std::uint32_t length)
{
    return tx_step(vf, bufs, burst, length);
}

[[gnu::noinline]] std::uint32_t libvf_tx_step(FailoverPort& port, PacketBuffer** bufs, std::uint32_t burst,
                                              std::uint32_t length)
{
    return tx_step(port, bufs, burst, length);
}

[[gnu::noinline]] std::uint32_t libvf_forward_step(RxQueue& rx, TxQueue& tx, BufferPool& pool, PacketBuffer** bufs,
                                                   std::uint32_t burst)
{
    const std::uint32_t n = rx.burst(bufs, burst);
    if (n == 0)
        return 0;
    const std::uint32_t sent = tx.burst(bufs, n);
    for (std::uint32_t i = sent; i < n; ++i)
        pool.free(bufs[i]);
    return sent;
}

[[gnu::noinline]] std::uint32_t libvf_forward_step(sriov::vf::Vf& vf, PacketBuffer** bufs, std::uint32_t burst)
{
    return forward_step(vf, bufs, burst);
}

[[gnu::noinline]] std::uint32_t libvf_forward_step(FailoverPort& port, PacketBuffer** bufs, std::uint32_t burst)
{
    return forward_step(port, bufs, burst);
}

}  // namespace bench
