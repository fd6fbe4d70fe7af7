// Traffic between the two VFs, both ways, all along: a UDP datagram each way every 20 ms between
// VF 0's address (this network namespace) and VF 1's (another namespace), on a thread of its own.
//
// A direction is flowing when its latest datagrams arrived one after the other: at least 5 (100 ms)
// with consecutive numbers, none more than 100 ms after the one before, the last one less than
// 100 ms ago. Such a run starts with the datagram after a loss or a silence; the recovery from a
// fault ends, in each direction, at the arrival of the first datagram of the run that is flowing
// when the probe is looked at. A disruption can come late (igbvf looks at its PF every 2 s, so it
// may reset its VF seconds after a PF reset): traffic counts as back once it has flowed for a
// while after the fault's action ended (wait_flowing()'s hold).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sriov::soak {

using Clock = std::chrono::steady_clock;

struct TrafficEnds {
    std::string address0;  // VF 0's IPv4 address, in this process's network namespace
    std::string address1;  // VF 1's IPv4 address, in netns1
    std::string netns1;    // the namespace's name (/run/netns/NAME)
};

class TrafficProbe {
public:
    // Throws sriov::Error if a socket cannot be made or bound (the namespace or an address missing).
    explicit TrafficProbe(const TrafficEnds& ends);
    ~TrafficProbe();
    TrafficProbe(const TrafficProbe&) = delete;
    TrafficProbe& operator=(const TrafficProbe&) = delete;

    // The moment since which both directions have been flowing, if both are now.
    std::optional<Clock::time_point> flowing_since() const;
    // Waits (looking every 10 ms) until both directions flow and have done so for `hold`, counted
    // from their runs' start or from `from` if that is later; gives up after timeout. Returns the
    // later of the two runs' starts.
    std::optional<Clock::time_point> wait_flowing(Clock::time_point from, std::chrono::milliseconds hold,
                                                  std::chrono::milliseconds timeout) const;
    // Datagrams sent and received so far, per direction (0: VF 0 to VF 1).
    std::string counts() const;

private:
    struct Direction {
        unsigned long sent = 0, received = 0;
        unsigned long last_seq = 0;
        unsigned run = 0;
        Clock::time_point run_start{}, last_arrival{};
    };
    void loop();
    void receive(int fd, Direction& d);

    int fd0_ = -1, fd1_ = -1;
    unsigned addr0_ = 0, addr1_ = 0;  // network order
    mutable std::mutex mutex_;
    Direction to1_, to0_;  // VF 0 -> VF 1, VF 1 -> VF 0
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace sriov::soak
