// One soak: sriovd run and restarted as systemd would, traffic between the two VFs all along, the
// operator's changes, one fault per cycle, and the checks after each (soak.cpp: the cycle and the
// faults; checks.cpp: the checks).
#pragma once

#include "daemon.hpp"
#include "expected.hpp"
#include "faults.hpp"
#include "rig.hpp"
#include "traffic_probe.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace sriov::soak {

struct CycleResult {
    unsigned cycle = 0;
    Fault fault = Fault::kill;
    double recovery_ms = 0;          // fault to traffic flowing both ways again
    double restart_ms = 0;           // faults that end sriovd: fault to the new sriovd ready
    std::string change;              // what the operator did, and how it ended
    std::vector<std::string> failures;
    Footprint footprint;             // sriovd's after the cycle
};

class Soak {
public:
    // hold: how long traffic must flow after a fault's action ended to count as back.
    Soak(Rig rig, std::chrono::milliseconds restart_delay, std::chrono::milliseconds hold, std::string log_dir);

    // Starts sriovd, the traffic, and learns the starting state (the state files as sriovd wrote
    // them, which the first checks compare with vfctl and igbvf). Throws sriov::Error.
    void start();
    // Runs cycle `cycle` of `seed`, its fault one of `faults` (fault_of_cycle()), and everything
    // else random from a generator seeded by the seed and the cycle's number.
    template <std::size_t N>
    CycleResult cycle(unsigned long seed, unsigned cycle, const std::array<Fault, N>& faults)
    {
        auto rng = cycle_rng(seed, cycle);
        return run_cycle(rng, cycle, fault_of_cycle(seed, cycle, faults));
    }
    Daemon& daemon() { return daemon_; }
    std::string traffic_counts() const { return probe_->counts(); }

private:
    static std::mt19937_64 cycle_rng(unsigned long seed, unsigned cycle);
    CycleResult run_cycle(std::mt19937_64& rng, unsigned cycle, Fault fault);

    // The faults (soak.cpp); each returns the moment of the fault.
    Clock::time_point kill(std::mt19937_64& rng, int signal, CycleResult& r);
    Clock::time_point kill_in_set(std::mt19937_64& rng, CycleResult& r);
    Clock::time_point kill_in_count(std::mt19937_64& rng, CycleResult& r);
    Clock::time_point other_fault(std::mt19937_64& rng, Fault fault, CycleResult& r);
    void restart(Clock::time_point fault, CycleResult& r);
    Change draw_change(std::mt19937_64& rng);
    void confirmed_change(const Change& change, CycleResult& r);
    void operator_change(std::mt19937_64& rng, CycleResult& r);
    bool count_change(unsigned to, std::chrono::milliseconds wait, bool stop_when_confirmed, CycleResult& r);
    void adopt_count(unsigned now);

    // The checks (checks.cpp), each adding failures to r.
    void check_views(CycleResult& r);
    void check_links(CycleResult& r);
    void check_trust(const TrafficVf& vf, CycleResult& r);

    Rig rig_;
    Daemon daemon_;
    std::unique_ptr<TrafficProbe> probe_;
    std::map<std::string, PfView> expected_;  // by PF
    std::chrono::milliseconds hold_;
    std::map<unsigned, Settings> fresh_vfs_;  // of the count PF: a VF added by a count change, as first seen
};

}  // namespace sriov::soak
