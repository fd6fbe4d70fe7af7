#include "soak.hpp"

#include "changes.hpp"
#include "kernel_view.hpp"
#include "process.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

#include <csignal>
#include <fstream>
#include <thread>

namespace sriov::soak {

namespace {

using namespace std::chrono_literals;

double ms_between(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

std::chrono::milliseconds random_ms(std::mt19937_64& rng, unsigned from, unsigned to)
{
    return std::chrono::milliseconds(from + rng() % (to - from + 1));
}

constexpr auto recovery_timeout = 30s;

}  // namespace

Soak::Soak(Rig rig, std::chrono::milliseconds restart_delay, std::chrono::milliseconds hold, std::string log_dir)
    : rig_(std::move(rig)), daemon_(rig_.sriovd, 2, std::move(log_dir), restart_delay), hold_(hold)
{
}

void Soak::start()
{
    daemon_.start();
    probe_ = std::make_unique<TrafficProbe>(TrafficEnds{rig_.vf0.address, rig_.vf1.address, rig_.vf1.netns});
    for (const auto& pf : {rig_.traffic_pf, rig_.count_pf})
        expected_[pf] = read_state_file(rig_.state_dir, pf);
    if (!probe_->wait_flowing(Clock::now(), 0ms, recovery_timeout))
        throw Error(Errc::timeout, "traffic", "VF 0 and VF 1 do not exchange datagrams: " + probe_->counts());
}

std::mt19937_64 Soak::cycle_rng(unsigned long seed, unsigned cycle)
{
    std::seed_seq s{static_cast<unsigned>(seed), static_cast<unsigned>(seed >> 32), cycle};
    return std::mt19937_64(s);
}

CycleResult Soak::run_cycle(std::mt19937_64& rng, unsigned cycle, Fault fault)
{
    CycleResult r;
    r.cycle = cycle;
    r.fault = fault;
    try {
        Clock::time_point at;
        switch (fault) {
        case Fault::kill: at = kill(rng, SIGKILL, r); break;
        case Fault::term: at = kill(rng, SIGTERM, r); break;
        case Fault::kill_in_set: at = kill_in_set(rng, r); break;
        case Fault::kill_in_count: at = kill_in_count(rng, r); break;
        default: at = other_fault(rng, fault, r); break;
        }
        // What sriovd keeps is checked while the traffic must keep flowing for hold_; what igbvf
        // shows once it has (a VF may still reset itself meanwhile, and the trust check changes a
        // VF's MAC for a moment).
        const auto settled = Clock::now();
        const bool back = probe_->wait_flowing(settled, 0ms, recovery_timeout).has_value();
        int status = 0;
        if (daemon_.died(status)) {
            r.failures.push_back(fmt::format("sriovd ended by itself (status {}); its log: {}", status,
                                             daemon_.log_path()));
            daemon_.start();
        }
        check_views(r);
        if (const auto since = back ? probe_->wait_flowing(settled, hold_, recovery_timeout) : std::nullopt)
            r.recovery_ms = std::max(0.0, ms_between(at, *since));
        else
            r.failures.push_back(fmt::format("traffic not flowing both ways for {} ms within {} s of the fault ({})",
                                             hold_.count(), recovery_timeout.count(), probe_->counts()));
        check_links(r);
        check_trust(rig_.vf0, r);
        check_trust(rig_.vf1, r);
    } catch (const Error& e) {
        r.failures.push_back(e.what());
    }
    r.footprint = daemon_.footprint();
    return r;
}

// A confirmed operator's change before the fault, on a traffic VF or on a VF of the other PF.
Change Soak::draw_change(std::mt19937_64& rng)
{
    if (rng() % 2)
        return traffic_vf_change(rng, rig_.traffic_pf, rng() % 2 ? rig_.vf1.index : rig_.vf0.index);
    const unsigned n = expected_.at(rig_.count_pf).num_vfs;
    return other_vf_change(rng, rig_.count_pf, static_cast<unsigned>(rng() % n));
}

void Soak::confirmed_change(const Change& change, CycleResult& r)
{
    std::vector<std::string> argv = {"vfctl", "set", change.pf, "vf", std::to_string(change.vf)};
    argv.insert(argv.end(), change.args.begin(), change.args.end());
    const Outcome o = run(argv);
    r.change = change.text();
    if (!o.ok()) {
        r.failures.push_back(fmt::format("{} failed (status {}): {}", change.text(), o.status, o.output));
        return;
    }
    for (const auto& [key, value] : change.values)
        expected_.at(change.pf).vfs.at(change.vf)[key] = value;
}

void Soak::restart(Clock::time_point fault, CycleResult& r)
{
    const int status = daemon_.restart_after_signal();
    r.restart_ms = ms_between(fault, Clock::now());
    if (r.fault == Fault::term && status != 0)
        r.failures.push_back(fmt::format("sriovd exited with status {} after SIGTERM", status));
}

Clock::time_point Soak::kill(std::mt19937_64& rng, int signal, CycleResult& r)
{
    operator_change(rng, r);
    std::this_thread::sleep_for(random_ms(rng, 0, 300));
    const auto at = Clock::now();
    daemon_.signal(signal);
    restart(at, r);
    return at;
}

Clock::time_point Soak::kill_in_set(std::mt19937_64& rng, CycleResult& r)
{
    const Change change = draw_change(rng);
    const PfView before = expected_.at(change.pf);
    std::vector<std::string> argv = {"vfctl", "set", change.pf, "vf", std::to_string(change.vf)};
    argv.insert(argv.end(), change.args.begin(), change.args.end());
    int out = -1;
    const pid_t vfctl = spawn_captured(argv, out);
    std::this_thread::sleep_for(random_ms(rng, 0, 150));
    const auto at = Clock::now();
    daemon_.signal(SIGKILL);
    std::string output;
    const int status = wait_child(vfctl, 30s, out, &output);
    restart(at, r);
    const PfView found = read_state_file(rig_.state_dir, change.pf);
    const Found f = found_in(change, before, found);
    r.change = fmt::format("{} (status {}, found {})", change.text(), status,
                           f == Found::all ? "applied" : f == Found::none ? "absent" : "in part");
    if (status == 0 && f != Found::all)
        r.failures.push_back(fmt::format("{} exited 0 but is not in the state file", change.text()));
    else if (f == Found::part)
        r.failures.push_back(fmt::format("{}, cut short, is in the state file in part", change.text()));
    else if (f == Found::all)
        for (const auto& [key, value] : change.values)
            expected_.at(change.pf).vfs.at(change.vf)[key] = value;
    return at;
}

// The operator's VF count change on the count PF: `vfctl set PF numvfs N` answers at once and the
// change goes on in sriovd; it is confirmed once sysfs shows the new count (on the way it shows 0:
// every VF is removed first). Looks every 10 ms for `wait` (until it is confirmed, if
// stop_when_confirmed); returns whether sysfs reached the count.
bool Soak::count_change(unsigned to, std::chrono::milliseconds wait, bool stop_when_confirmed, CycleResult& r)
{
    const Outcome o = run({"vfctl", "set", rig_.count_pf, "numvfs", std::to_string(to)});
    if (!o.ok())
        r.failures.push_back(fmt::format("vfctl set {} numvfs {} failed: {}", rig_.count_pf, to, o.output));
    const auto deadline = Clock::now() + wait;
    bool reached = false;
    do {
        reached = reached || sriov_numvfs(rig_.count_pf) == to;
        if (reached && stop_when_confirmed)
            return true;
        std::this_thread::sleep_for(10ms);
    } while (Clock::now() < deadline);
    return reached;
}

// The count sysfs shows is the one confirmed: VFs removed are forgotten, a VF added has the settings
// it had the first time one was added (the configuration's, or the defaults).
void Soak::adopt_count(unsigned now)
{
    PfView& want = expected_.at(rig_.count_pf);
    const PfView found = read_state_file(rig_.state_dir, rig_.count_pf);
    const unsigned from = want.num_vfs;
    want.vfs.resize(now);
    for (unsigned vf = from; vf < now && vf < found.vfs.size(); ++vf)
        want.vfs[vf] = fresh_vfs_.emplace(vf, found.vfs[vf]).first->second;
    want.num_vfs = now;
}

Clock::time_point Soak::kill_in_count(std::mt19937_64& rng, CycleResult& r)
{
    const unsigned from = expected_.at(rig_.count_pf).num_vfs;
    const unsigned to = from == rig_.count_low ? rig_.count_high : rig_.count_low;
    // A change takes about 1.5 s here (removing the VFs is most of it): kill anywhere in it.
    const bool confirmed = count_change(to, random_ms(rng, 0, 1500), false, r);
    const auto at = Clock::now();
    daemon_.signal(SIGKILL);
    restart(at, r);
    const unsigned now = sriov_numvfs(rig_.count_pf);
    r.change = fmt::format("vfctl set {} numvfs {} (from {}; {}; after the restart sysfs has {})", rig_.count_pf, to,
                           from, confirmed ? "confirmed" : "killed before sysfs had it", now);
    if (now != from && now != to)
        r.failures.push_back(fmt::format("sysfs has {} VFs after a change from {} to {} was cut short", now, from, to));
    else if (confirmed && now != to)
        r.failures.push_back(fmt::format("sysfs had {} VFs before the kill, {} after the restart", to, now));
    else
        adopt_count(now);
    return at;
}

// Before a fault, an operator's change: now and then of the count PF's VF count, else of a VF.
void Soak::operator_change(std::mt19937_64& rng, CycleResult& r)
{
    if (rng() % 6 != 0) {
        confirmed_change(draw_change(rng), r);
        return;
    }
    const unsigned from = expected_.at(rig_.count_pf).num_vfs;
    const unsigned to = from == rig_.count_low ? rig_.count_high : rig_.count_low;
    r.change = fmt::format("vfctl set {} numvfs {}", rig_.count_pf, to);
    if (count_change(to, 30s, true, r))
        adopt_count(to);
    else
        r.failures.push_back(fmt::format("sysfs does not show {} VFs 30 s after vfctl set numvfs {}", to, to));
}

Clock::time_point Soak::other_fault(std::mt19937_64& rng, Fault fault, CycleResult& r)
{
    operator_change(rng, r);
    const auto at = Clock::now();
    switch (fault) {
    case Fault::reset: {
        const Outcome o = run({"vfctl", "reset", rig_.traffic_pf});
        if (!o.ok())
            r.failures.push_back(fmt::format("vfctl reset {} failed: {}", rig_.traffic_pf, o.output));
        break;
    }
    case Fault::flr: {
        const TrafficVf& vf = rng() % 2 ? rig_.vf1 : rig_.vf0;
        const auto address = vf_address(rig_.traffic_pf, vf.index).value_or("?");
        std::ofstream reset(fmt::format("/sys/bus/pci/devices/{}/reset", address));
        reset << "1" << std::flush;
        if (!reset)
            r.failures.push_back(fmt::format("the FLR of VF {} ({}) through sysfs failed", vf.index, address));
        break;
    }
    case Fault::link: {
        const auto down = random_ms(rng, 100, 800);
        for (const char* state : {"off", "on"}) {
            const Outcome o = run({"sh", "-c", rig_.link_command, "sh", state});
            if (!o.ok())
                r.failures.push_back(fmt::format("the wire's link {}: {}", state, o.output));
            if (state == std::string_view("off"))
                std::this_thread::sleep_for(down);
        }
        break;
    }
    case Fault::burst: {
        const auto address = vf_address(rig_.traffic_pf, rig_.hostile_vf).value_or("?");
        const Outcome o = run({"sh", "-c", rig_.hostile_command, "sh", address});
        if (!o.ok())
            r.failures.push_back(fmt::format("the hostile VF's burst failed (status {}): {}", o.status, o.output));
        break;
    }
    default: break;
    }
    return at;
}

}  // namespace sriov::soak
