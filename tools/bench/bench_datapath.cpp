// bench-datapath: what libvf's data path costs per packet (issue 7, part 1).
//
// The code measured is libvf's own (src/vf: RxQueue::burst, TxQueue::burst with its reclaim, the
// BufferPool), driven by the steps of datapath_steps.cpp, for bursts of 1 to 64 frames of 60
// bytes, in three ways: RX (rx_burst, buffers freed), TX (buffers allocated, tx_burst) and RX+TX
// (forwarding: rx_burst, then tx_burst of the same buffers). The device is the 82576 register
// model (test/model) in its device_thread mode: it fills RX descriptors with the 82576's write-back
// (DD last) and completes TX descriptors (DD, TDH) when a thread playing the device asks it to.
//
// Two passes, each reported per burst size:
// - Timing (million packets per second on one core): the libvf thread on one core, the device
//   thread spinning on the other (both pinned), so the device's work is not on libvf's core but
//   the descriptors' cache lines do move between the cores, as with a real device's DMA. The
//   model does about twice libvf's work per frame (it copies the frame and writes every
//   descriptor back), so the libvf thread would mostly wait for it: instead it starts each burst
//   only once a full burst is ready (waiting outside the measurement), and times each burst with
//   the time-stamp counter (x86). Mpps is the burst size over the median of those times (so that
//   bursts slowed by an interrupt, a preemption or caches cooled by another process do not
//   count). "wall" is packets over wall time: what the model allowed. Both are noisy on a shared
//   machine.
// - Instructions per packet: the program runs itself under callgrind, single-threaded, the device
//   work done between bursts, and callgrind collects only inside the bench::libvf_* steps
//   (--collect-atstart=no --toggle-collect), minus the model's handling of the doorbell write.
//   Every burst is full there too. This is the stable figure.
//
// The model's mutex is NOT in the measured path, by choice: a real doorbell is one posted MMIO
// store, and the model's locked register access (a mutex shared with the busy device thread, the
// offset decoding behind it) would be charged to libvf and make the libvf thread wait for the
// device's work. In device_thread mode the model latches a VF's RDT/TDT write with one atomic
// store instead, as a posted write; libvf still makes its virtual call through dev::RegisterIo
// (counted), and only the model's body of that call is excluded from the instruction count.
// libvf's other register accesses happen in start(), outside the measurement; the data path reads
// no register.
//
// Three subjects, measured the same way in the same run, each on a rig of its own:
// - queues: the steps call libvf's RxQueue, TxQueue and BufferPool directly (issue 7's table and
//   goals).
// - Vf: the steps call the plain Vf's members, which are out-of-line forwarding calls into the
//   library (src/vf/libvf.cpp), on a Vf built by Vf::over_queues on the rig's queues and pool.
// - port: the steps call a failover port with its VF active, built by FailoverPort::over_queues
//   on the rig's queues and pool: its bursts are the queues' behind one branch, its alloc and free
//   the pool's, all out of line like the Vf's.
// The port is judged against the Vf, like for like: against the queues it would also be charged
// with the call layer that any Vf application pays. The queues' figures are printed beside them.
//
// Data paths (issue 17): the queues run either their scalar steps or four descriptors at a time
// (SSE4.1, vf/data_path.hpp). Before measuring, the program forwards frames of varied lengths and
// contents through both and requires the same frames and counters from each (a difference is a
// functional error); then every pass runs once per path (--data-paths), the tables of issues 7 and
// 14 showing the last (SSE4.1 where the CPU has it), and a table of its own puts the queues' figures
// on both paths side by side, time per packet as 1000 / Mpps.
//
// Goals at burst 32: (issue 17) fewer than 60 instructions per packet for RX+TX through the
// queues on the SSE4.1 path; (issue 7) fewer than 100 instructions per packet for RX+TX through the
// queues, more than 25 Mpps per core; (issue 14) RX+TX through the failover port within 5% of the
// plain Vf's instructions per packet. A goal missed is printed (MISSED), never an error: the exit
// status is non-zero only when frames did not get through (a step moved less than the full burst
// the device offered, or the device did not complete what libvf sent, in the instruction pass;
// nothing moved for 10 s in the timing pass), or when a pass could not run. See run-datapath.sh
// for the command that writes bench-results/.
#include "datapath_bench.hpp"
#include "datapath_callgrind.hpp"
#include "datapath_paths.hpp"
#include "datapath_timing.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace bench;

constexpr std::uint32_t goal_burst = 32;
constexpr double goal_instructions = 100;
constexpr double goal_mpps = 25;
constexpr double goal_port_percent = 5;  // the failover port's RX+TX instructions over the plain Vf's
constexpr double goal_simd_instructions = 60;  // issue 17: RX+TX at burst 32 on the four-at-a-time path

using sriov::vf::DataPath;
using sriov::vf::data_path_name;

std::string cell(const std::optional<double>& v, const char* format)
{
    return v ? fmt::format(fmt::runtime(format), *v) : std::string("-");
}

// The port's figure relative to the plain Vf's, in percent; equal figures give 0 (not -0.0).
std::optional<double> relative(const std::optional<double>& port, const std::optional<double>& vf)
{
    if (!port || !vf || *vf == 0)
        return std::nullopt;
    const double percent = (*port / *vf - 1) * 100;
    return std::abs(percent) < 1e-9 ? 0.0 : percent;
}

// Issue 7's table: the queues called directly.
void print_table(const Results& results)
{
    fmt::print("libvf's queues and pool called directly (issue 7):\n");
    fmt::print("{:>5} | {:^23} | {:^23} | {:^23}\n", "", "RX", "TX", "RX+TX (forwarding)");
    fmt::print("{:>5} |", "burst");
    for (int i = 0; i < 3; ++i)
        fmt::print(" {:>6} {:>6} {:>9} |", "Mpps", "wall", "instr/pkt");
    fmt::print("\n");
    for (const auto& [burst, f] : results) {
        fmt::print("{:>5} |", burst);
        for (const Figures& m : f[queues])
            fmt::print(" {:>6} {:>6} {:>9} |", cell(m.mpps, "{:.1f}"), cell(m.wall_mpps, "{:.1f}"),
                       cell(m.instructions, "{:.1f}"));
        fmt::print("\n");
    }
    fmt::print("Mpps: millions of packets per second of the libvf thread's time, from the median time of a\n"
               "  full burst (its core pinned, the model's device thread on the other; noisy on a shared\n"
               "  machine). wall: packets per second of wall time, which the model's device thread bounds.\n"
               "  instr/pkt: libvf's side, counted by callgrind (stable).\n");

    const auto goal = results.find(goal_burst);
    if (goal == results.end())
        return;
    const SubjectFigures& f = goal->second[queues];
    if (f[rxtx].instructions)
        fmt::print("goal at burst {}: RX+TX < {:.0f} instructions/packet: {:.1f}, {}\n", goal_burst,
                   goal_instructions, *f[rxtx].instructions,
                   *f[rxtx].instructions < goal_instructions ? "met" : "MISSED");
    for (Mode m : {rx, tx, rxtx})
        if (f[m].mpps)
            fmt::print("goal at burst {}: {} > {:.0f} Mpps per core: {:.1f}, {}\n", goal_burst, mode_titles[m],
                       goal_mpps, *f[m].mpps, *f[m].mpps > goal_mpps ? "met" : "MISSED");
}

// The three subjects side by side, for instructions per packet and for Mpps, and issue 14's goal.
void print_comparison(const Results& results)
{
    fmt::print("\nThe failover port (issue 14) beside the plain Vf, over the same queues. Vf: the steps call the\n"
               "Vf's data path, out-of-line calls into libvf (Vf::over_queues); port: they call a FailoverPort\n"
               "with its VF active (FailoverPort::over_queues). The port is judged against\n"
               "the Vf, like for like: against the queues called directly (the table above) it would also be\n"
               "charged with the call layer every Vf application pays. vs Vf: the port's figure over the Vf's.\n");
    auto table = [&](const char* title, std::optional<double> Figures::*what) {
        fmt::print("{}\n", title);
        fmt::print("{:>5} | {:^29} | {:^29} | {:^29} |\n", "", "RX", "TX", "RX+TX (forwarding)");
        fmt::print("{:>5} |", "burst");
        for (int i = 0; i < 3; ++i)
            fmt::print(" {:>6} {:>6} {:>6} {:>7} |", "queues", "Vf", "port", "vs Vf");
        fmt::print("\n");
        for (const auto& [burst, f] : results) {
            fmt::print("{:>5} |", burst);
            for (Mode m : {rx, tx, rxtx})
                fmt::print(" {:>6} {:>6} {:>6} {:>7} |", cell(f[queues][m].*what, "{:.1f}"),
                           cell(f[plain_vf][m].*what, "{:.1f}"), cell(f[failover_port][m].*what, "{:.1f}"),
                           cell(relative(f[failover_port][m].*what, f[plain_vf][m].*what), "{:+.1f}%"));
            fmt::print("\n");
        }
    };
    table("instructions per packet (callgrind, stable):", &Figures::instructions);
    table("Mpps (median full burst; noisy on a shared machine, the subjects measured one after the other):",
          &Figures::mpps);

    const auto goal = results.find(goal_burst);
    if (goal == results.end())
        return;
    const auto& f = goal->second;
    auto line = [&](std::optional<double> Figures::*what, const char* unit) {
        const std::optional<double> port = f[failover_port][rxtx].*what;
        const std::optional<double> vf = f[plain_vf][rxtx].*what;
        if (port && vf)
            fmt::print("burst {} RX+TX: plain Vf {:.1f} {}, failover port {:.1f} ({}); queues called directly {}\n",
                       goal_burst, *vf, unit, *port, cell(relative(port, vf), "{:+.1f}%"),
                       cell(f[queues][rxtx].*what, "{:.1f}"));
    };
    line(&Figures::instructions, "instr/packet");
    line(&Figures::mpps, "Mpps (noisy)");
    const std::optional<double> diff =
        relative(f[failover_port][rxtx].instructions, f[plain_vf][rxtx].instructions);
    if (diff)
        fmt::print("goal at burst {} (issue 14): failover port's RX+TX instructions/packet within {:.0f}% of the "
                   "plain Vf's: {:+.1f}%, {}\n",
                   goal_burst, goal_port_percent, *diff, *diff <= goal_port_percent ? "met" : "MISSED");
    else
        fmt::print("goal at burst {} (issue 14): failover port's RX+TX instructions/packet within {:.0f}% of the "
                   "plain Vf's: not measured (no instruction figures)\n",
                   goal_burst, goal_port_percent);
}

std::optional<double> ns_per_packet(const std::optional<double>& mpps)
{
    return mpps && *mpps > 0 ? std::optional<double>(1000 / *mpps) : std::nullopt;
}

// Issue 17's table: the queues on each data path side by side, instructions and TSC time per packet.
void print_paths(const std::vector<DataPath>& paths, const PathResults& by_path)
{
    fmt::print("\nlibvf's queues on each data path (issue 17): instructions per packet (callgrind) and ns per packet\n"
               "(1000 / Mpps: the TSC median of a full burst, noisy), {}:\n",
               paths.size() == 2 ? "scalar / SSE4.1" : std::string(data_path_name(paths[0])));
    fmt::print("{:>5} | {:^15} | {:^15} | {:^15} | {:^15} | {:^15} | {:^15} |\n", "burst", "RX instr", "TX instr",
               "RX+TX instr", "RX ns", "TX ns", "RX+TX ns");
    auto index = [](DataPath p) { return p == DataPath::scalar ? 0u : 1u; };
    for (const auto& [burst, unused] : by_path[index(paths[0])]) {
        fmt::print("{:>5} |", burst);
        for (int what = 0; what < 2; ++what)
            for (Mode m : {rx, tx, rxtx}) {
                std::string c;
                for (DataPath p : paths) {
                    const Figures& f = by_path[index(p)].at(burst)[queues][m];
                    c += (c.empty() ? "" : " / ")
                         + (what == 0 ? cell(f.instructions, "{:.1f}") : cell(ns_per_packet(f.mpps), "{:.2f}"));
                }
                fmt::print(" {:>15} |", c);
            }
        fmt::print("\n");
    }
    if (std::find(paths.begin(), paths.end(), DataPath::sse41) == paths.end())
        return;
    const auto goal = by_path[1].find(goal_burst);
    if (goal == by_path[1].end() || !goal->second[queues][rxtx].instructions)
        return;
    const double v = *goal->second[queues][rxtx].instructions;
    fmt::print("goal at burst {} (issue 17): RX+TX < {:.0f} instructions/packet on the SSE4.1 path: {:.1f}, {}\n",
               goal_burst, goal_simd_instructions, v, v < goal_simd_instructions ? "met" : "MISSED");
}

bool write_csv(const std::string& path, const Results& results, const std::vector<DataPath>& paths,
               const PathResults& by_path)
{
    // The queues' columns first, unprefixed, as before there were subjects; then the same for the
    // plain Vf (vf_...) and the failover port (port_...).
    std::ofstream out(path);
    out << "burst";
    for (Subject subject : subjects)
        for (const char* what : {"mpps", "wall_mpps", "instructions_per_packet"})
            for (const char* mode : mode_names)
                out << ',' << subject_columns[subject] << mode << '_' << what;
    // Then the queues on each data path (issue 17): scalar_..., sse41_...
    auto column_prefix = [](DataPath p) { return p == DataPath::scalar ? "scalar_" : "sse41_"; };
    for (DataPath p : paths)
        for (const char* what : {"instructions_per_packet", "ns_per_packet"})
            for (const char* mode : mode_names)
                out << ',' << column_prefix(p) << mode << '_' << what;
    out << '\n';
    auto value = [](const std::optional<double>& v) { return v ? fmt::format("{:.2f}", *v) : std::string(); };
    for (const auto& [burst, f] : results) {
        out << burst;
        for (Subject subject : subjects) {
            for (const Figures& m : f[subject])
                out << ',' << value(m.mpps);
            for (const Figures& m : f[subject])
                out << ',' << value(m.wall_mpps);
            for (const Figures& m : f[subject])
                out << ',' << value(m.instructions);
        }
        for (DataPath p : paths) {
            const auto& pf = by_path[p == DataPath::scalar ? 0 : 1].at(burst)[queues];
            for (const Figures& m : pf)
                out << ',' << value(m.instructions);
            for (const Figures& m : pf)
                out << ',' << value(ns_per_packet(m.mpps));
        }
        out << '\n';
    }
    return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"bench-datapath: libvf's RX and TX bursts against the 82576 model playing the device, through its "
                 "queues, a plain Vf's calls and a failover port; prints Mpps per core and instructions per packet "
                 "for each burst size"};
    std::vector<std::uint32_t> bursts{1, 4, 8, 16, 32, 64};
    std::string pass = "both";
    TimingOptions timing{10'000'000, 0, 1};
    std::uint64_t instruction_packets = 100'000;
    std::string csv;
    bool child = false;
    std::string path_choice = "both";
    app.add_option("--bursts", bursts, "burst sizes, 1 to 64")
        ->delimiter(',')
        ->check(CLI::Range(1u, max_burst));
    app.add_option("--pass", pass, "which measurements: timing, instructions (callgrind) or both")
        ->check(CLI::IsMember({"timing", "instructions", "both"}));
    app.add_option("--packets", timing.packets,
                   "packets per measurement of the timing pass (one per subject, mode and burst size)")
        ->check(CLI::PositiveNumber);
    app.add_option("--instruction-packets", instruction_packets, "packets per measurement under callgrind")
        ->check(CLI::PositiveNumber);
    app.add_option("--libvf-core", timing.libvf_core, "core for the libvf thread");
    app.add_option("--device-core", timing.device_core, "core for the thread playing the device");
    app.add_option("--csv", csv, "write the figures to this CSV file");
    app.add_option("--data-paths", path_choice,
                   "which data paths of the queues to measure (issue 17): both (those this CPU runs), scalar or sse4.1; "
                   "the tables of issues 7 and 14 show the last")
        ->check(CLI::IsMember({"both", "scalar", "sse4.1"}));
    app.add_flag("--instruction-pass", child, "(internal) the pass run under callgrind")->group("");
    CLI11_PARSE(app, argc, argv);

    std::vector<DataPath> paths;
    for (DataPath p : data_paths)
        if ((path_choice == "both" || path_choice == data_path_name(p)) && sriov::vf::data_path_supported(p))
            paths.push_back(p);
    if (paths.empty()) {
        fmt::print(stderr, "bench-datapath: the {} data path does not run on this CPU\n", path_choice);
        return 1;
    }
    if (child)
        return instruction_pass_child(bursts, instruction_packets, paths[0]);

    // Before anything is measured: every path must deliver the frames the scalar one does.
    bool ok = data_paths_agree();
    if (ok)
        fmt::print("data paths: {} deliver the same frames\n",
                   paths.size() == 2 ? "scalar and SSE4.1" : std::string(data_path_name(paths[0])));
    PathResults by_path;
    for (DataPath p : paths) {
        Results& results = by_path[p == DataPath::scalar ? 0 : 1];
        for (std::uint32_t b : bursts)
            results[b];
        if (pass != "instructions")
            ok = timing_pass(bursts, timing, p, results) && ok;
        if (pass != "timing")
            ok = instruction_pass(bursts, instruction_packets, p, results) && ok;
    }
    const Results& results = by_path[paths.back() == DataPath::scalar ? 0 : 1];
    fmt::print("data path of the tables of issues 7 and 14: {}\n", data_path_name(paths.back()));
    print_table(results);
    print_comparison(results);
    print_paths(paths, by_path);
    if (!csv.empty() && !write_csv(csv, results, paths, by_path)) {
        fmt::print(stderr, "bench-datapath: cannot write {}\n", csv);
        return 1;
    }
    return ok ? 0 : 1;
}
