// Policing the requests of VFs that misbehave: a token bucket per VF bounds how many mailbox
// requests sriovd serves per second, and counters of malformed, refused and dropped (over the
// rate) requests, kept per time window, decide when a VF has done enough harm to be quarantined.
//
// Decisions only: the mailbox service asks before serving a request and reports how it was
// answered; quarantining (stopping the VF's queues) is VfSupervisor's. Time is passed in.
#pragma once

#include "pf/token_bucket.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sriov::pf {

struct PolicingLimits {
    double requests_per_s = 20;  // requests a VF may send per second, sustained
    unsigned burst = 64;         // and at once (igbvf sends about a dozen when it starts)
    // Within one window, more than this many of a kind quarantines the VF; 0 turns that check off.
    unsigned max_malformed = 10;
    unsigned max_refused = 30;
    unsigned max_dropped = 64;
    std::chrono::seconds window{60};
    friend bool operator==(const PolicingLimits&, const PolicingLimits&) = default;
};

// Totals since sriovd started, for statistics.
struct VfRequestCounters {
    std::uint64_t requests = 0;   // messages read from the VF, dropped ones included
    std::uint64_t refused = 0;    // answered NACK by policy
    std::uint64_t malformed = 0;  // not a valid request
    std::uint64_t dropped = 0;    // over the rate: not served, not answered
    std::uint64_t quarantines = 0;
};

enum class RequestResult { served, refused, malformed };

class RequestPolicer {
public:
    using Clock = TokenBucket::Clock;

    RequestPolicer(unsigned num_vfs, PolicingLimits limits);

    // A request from vf arrived: true if it may be served; false if the VF is over its rate (the
    // request is counted as dropped). Throws std::out_of_range for a bad vf.
    bool admit(unsigned vf, Clock::time_point now);

    // How an admitted request was answered. Throws std::out_of_range for a bad vf.
    void record(unsigned vf, RequestResult result);

    // Why vf should be quarantined now (which limit it passed, in words), or nothing.
    // Throws std::out_of_range for a bad vf.
    std::optional<std::string> offence(unsigned vf) const;

    // Counts the quarantine and starts the VF afresh: its window counts cleared, its bucket full
    // (an operator released it, or it was just quarantined and its past is settled).
    void forgive(unsigned vf, Clock::time_point now, bool quarantined);

    const VfRequestCounters& counters(unsigned vf) const { return vfs_.at(vf).totals; }
    // num_vfs VFs from now on, every one starting afresh (the VF count changed).
    void resize(unsigned num_vfs);
    const PolicingLimits& limits() const { return limits_; }

private:
    struct PerVf {
        TokenBucket bucket;
        Clock::time_point window_start{};
        unsigned malformed = 0;
        unsigned refused = 0;
        unsigned dropped = 0;
        VfRequestCounters totals;
    };
    void roll_window(PerVf& v, Clock::time_point now) const;

    PolicingLimits limits_;
    std::vector<PerVf> vfs_;
};

}  // namespace sriov::pf
