// A VF's traffic counters as 64-bit totals, made from successive readings of the chip's 32-bit
// counters (PfDevice::read_vf_counters).
//
// The chip's counters wrap to 0 silently, so each sample() adds what every counter moved since the
// previous reading, modulo 2^32. That is only right if no counter moved by 2^32 or more in between:
// the caller must sample at least once per wrap period. The fastest is the received-octets counter:
// at 1 Gb/s it wraps in about 34 s (2^32 bytes at 125 MB/s), and traffic between VFs through the
// chip's internal switch need not be bound by the link speed. sriovd is to sample every VF from a
// timer well inside that, every few seconds (its statistics, issue 4).
//
// A reading cannot tell a wrap from counters that were set back to 0. When the caller knows the
// counters started over (after a PF reset), it calls rebase() with the first reading after it
// instead of sample(); what was counted between the last sample and the reset is lost, so sample
// just before a reset the caller makes itself.
//
// Not thread-safe; never throws.
#pragma once

#include "pf/pf_device.hpp"

#include <cstdint>

namespace sriov::pf {

struct VfTotals {
    std::uint64_t rx_packets = 0;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_packets = 0;
    std::uint64_t tx_bytes = 0;
    std::uint64_t rx_multicast = 0;
    friend bool operator==(const VfTotals&, const VfTotals&) = default;
};

class VfCounters {
public:
    // Totals 0, counting from chip counters at 0 (as after a PF reset).
    VfCounters() = default;
    // Totals 0, counting from `base`: what the chip counted before it is not included.
    explicit VfCounters(const VfCounterReading& base) : last_(base) {}

    // Adds to the totals what each counter moved since the last reading (modulo 2^32).
    void sample(const VfCounterReading& now);
    // The chip's counters started over (a PF reset): keeps the totals, adds nothing, and counts
    // from `now` on.
    void rebase(const VfCounterReading& now);
    // Starts the totals again from 0, counting from `now` (e.g. a new VF in the same slot).
    void reset(const VfCounterReading& now);

    const VfTotals& totals() const { return totals_; }
    // The reading the next sample() counts from.
    const VfCounterReading& last() const { return last_; }

private:
    VfCounterReading last_;
    VfTotals totals_;
};

}  // namespace sriov::pf
