#include "bench_mailbox_scale_vf.hpp"

#include "vf/vf_control.hpp"

#include <fmt/format.h>

#include <array>
#include <exception>

namespace sriov::bench {

namespace {

using Clock = std::chrono::steady_clock;

void note_failure(VfRun& run, const std::string& what)
{
    if (run.failures++ == 0)
        run.first_failure = what;
}

}  // namespace

VfRun run_vf(dev::RegisterIo& regs, const std::string& name, const MacAddress& expected_mac,
             const VfScript& script, std::latch& start)
{
    VfRun run;
    run.answers.reserve(std::size_t{script.rounds} * VfScript::requests_per_round);
    const std::array<MacAddress, 2> groups{MacAddress::parse("01:00:5e:00:00:01"),
                                           MacAddress::parse("33:33:00:00:00:01")};
    constexpr std::uint16_t vid = 100;
    start.arrive_and_wait();  // whatever happens next: the others wait for every VF
    try {
        vf::VfControl vf(regs, name, script.timing);

        auto t = Clock::now();
        const auto mac = vf.reset(script.pf_ready);
        run.handshake = Clock::now() - t;
        if (mac != expected_mac) {
            note_failure(run, fmt::format("{}: VF_RESET gave {}, not {}", name,
                                          mac ? mac->to_string() : std::string("no MAC"), expected_mac));
            return run;
        }

        // Each request alone, so that one refused or lost request does not hide the others.
        const auto timed = [&](auto&& request) {
            try {
                const auto begin = Clock::now();
                request();
                run.answers.push_back(Clock::now() - begin);
            } catch (const std::exception& e) {
                note_failure(run, e.what());
            }
        };
        for (unsigned r = 0; r < script.rounds; ++r) {
            if (script.vlan_only) {
                timed([&] { vf.set_vlan(vid, true); });
                timed([&] { vf.set_vlan(vid, false); });
            } else {
                timed([&] { vf.set_max_frame(1522); });
                timed([&] { vf.set_multicast(groups); });
            }
            timed([&] { vf.set_vlan(vid, true); });
            timed([&] { vf.set_vlan(vid, false); });
        }
    } catch (const std::exception& e) {
        note_failure(run, e.what());
    }
    return run;
}

}  // namespace sriov::bench
