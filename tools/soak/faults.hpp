// The kinds of fault the soak injects, and which of them end sriovd.
#pragma once

#include <algorithm>
#include <array>
#include <random>
#include <string_view>

namespace sriov::soak {

enum class Fault {
    kill,           // kill -9 of sriovd at a random moment in traffic
    kill_in_set,    // kill -9 while a `vfctl set` is in flight
    kill_in_count,  // kill -9 while a VF count change (of the other PF) is in flight
    term,           // SIGTERM
    reset,          // vfctl reset of the traffic PF
    flr,            // a traffic VF's own function-level reset through sysfs
    link,           // the wire's link down and up (QEMU monitor)
    burst,          // a hostile VF's burst of mailbox requests and resets
};

inline constexpr std::array all_faults = {Fault::kill,  Fault::kill_in_set, Fault::kill_in_count, Fault::term,
                                          Fault::reset, Fault::flr,         Fault::link,          Fault::burst};
// What leaves sriovd running, for the runs that look for leaks.
inline constexpr std::array lasting_faults = {Fault::reset, Fault::flr, Fault::link, Fault::burst};

std::string_view name(Fault fault);
bool ends_sriovd(Fault fault);

// The fault of cycle `cycle` (1, 2, ...): the cycles go in blocks of N, each block a shuffle of
// `from` made from the seed and the block's number, so that every kind comes once per block and
// a cycle's fault depends only on the seed and its number.
template <std::size_t N>
Fault fault_of_cycle(unsigned long seed, unsigned cycle, std::array<Fault, N> from)
{
    const unsigned block = (cycle - 1) / N;
    std::seed_seq s{static_cast<unsigned>(seed), static_cast<unsigned>(seed >> 32), block, 0xb10cu};
    std::mt19937_64 rng(s);
    std::shuffle(from.begin(), from.end(), rng);
    return from[(cycle - 1) % N];
}

}  // namespace sriov::soak
