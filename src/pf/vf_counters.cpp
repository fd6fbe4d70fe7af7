// VfCounters: 64-bit totals from wrapping 32-bit readings.
#include "pf/vf_counters.hpp"

namespace sriov::pf {

namespace {

// Unsigned 32-bit subtraction is modulo 2^32, so a counter that wrapped once since `before`
// still gives how far it moved.
void add_delta(std::uint64_t& total, std::uint32_t before, std::uint32_t now)
{
    total += static_cast<std::uint32_t>(now - before);
}

}  // namespace

void VfCounters::sample(const VfCounterReading& now)
{
    add_delta(totals_.rx_packets, last_.rx_packets, now.rx_packets);
    add_delta(totals_.rx_bytes, last_.rx_bytes, now.rx_bytes);
    add_delta(totals_.tx_packets, last_.tx_packets, now.tx_packets);
    add_delta(totals_.tx_bytes, last_.tx_bytes, now.tx_bytes);
    add_delta(totals_.rx_multicast, last_.rx_multicast, now.rx_multicast);
    last_ = now;
}

void VfCounters::rebase(const VfCounterReading& now)
{
    last_ = now;
}

void VfCounters::reset(const VfCounterReading& now)
{
    totals_ = {};
    last_ = now;
}

}  // namespace sriov::pf
