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
//   the time-stamp counter (x86). Mpps is packets over the sum of those times; bursts over 20 us
//   (preempted) are left out. "wall" is packets over wall time: what the model allowed. Both are
//   noisy on a shared machine.
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
// Goals (issue 7), at burst 32: fewer than 100 instructions per packet for RX+TX, more than
// 25 Mpps per core. See run-datapath.sh for the command that writes bench-results/.
#include "datapath_rig.hpp"
#include "datapath_steps.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/callgrind.h>
#include <x86intrin.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using bench::DatapathRig;
using sriov::vf::PacketBuffer;

enum Mode : unsigned { rx, tx, rxtx };
constexpr std::array<const char*, 3> mode_names{"rx", "tx", "rxtx"};
constexpr std::array<const char*, 3> mode_titles{"RX", "TX", "RX+TX"};
constexpr std::uint32_t max_burst = 64;
constexpr std::uint32_t goal_burst = 32;
constexpr double goal_instructions = 100;
constexpr double goal_mpps = 25;

struct Figures {
    std::optional<double> mpps;          // packets per second of libvf's time, in millions
    std::optional<double> wall_mpps;     // packets per second of wall time: at most the model's rate
    std::uint64_t preempted = 0;         // measured steps left out (interrupted or preempted)
    std::optional<double> instructions;  // per packet, libvf's side
};
using Results = std::map<std::uint32_t, std::array<Figures, 3>>;  // by burst size

std::uint32_t run_step(Mode mode, DatapathRig& rig, PacketBuffer** bufs, std::uint32_t burst)
{
    switch (mode) {
    case rx: return bench::libvf_rx_step(rig.rx(), rig.pool(), bufs, burst);
    case tx: return bench::libvf_tx_step(rig.tx(), rig.pool(), bufs, burst, DatapathRig::frame_size);
    case rxtx: return bench::libvf_forward_step(rig.rx(), rig.tx(), rig.pool(), bufs, burst);
    }
    return 0;
}

bool pin_to_core(int core)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// ---- Timing pass ------------------------------------------------------------------------------

struct TimingOptions {
    std::uint64_t packets;
    int libvf_core;
    int device_core;
};

// Steps longer than this were interrupted or preempted (a burst of 64 takes well under 1 us);
// they are left out of libvf's time.
constexpr double preempted_seconds = 20e-6;

// The time-stamp counter's ticks per second, against the steady clock over 50 ms of spinning.
double tsc_hz()
{
    const auto start = std::chrono::steady_clock::now();
    const std::uint64_t tsc_start = __rdtsc();
    while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(50)) {
    }
    const std::uint64_t ticks = __rdtsc() - tsc_start;
    return static_cast<double>(ticks) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Reads of the time-stamp counter that the timed code cannot be moved across by the processor's
// out-of-order execution: LFENCE before and after the first read, RDTSCP (after everything
// before it) and LFENCE for the second.
std::uint64_t tsc_begin()
{
    _mm_lfence();
    const std::uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}

std::uint64_t tsc_end()
{
    unsigned core;
    const std::uint64_t t = __rdtscp(&core);
    _mm_lfence();
    return t;
}

// Ticks that a begin/end pair around nothing costs: taken off each step.
std::uint64_t tsc_overhead()
{
    std::uint64_t best = ~std::uint64_t{0};
    for (int i = 0; i < 1000; ++i) {
        const std::uint64_t a = tsc_begin();
        best = std::min(best, tsc_end() - a);
    }
    return best;
}

// The device thread counts what it did; the libvf thread starts a step only once a full burst is
// there to take (RX: frames delivered; TX: room in the ring after reclaim), waiting outside the
// measured time, so that each measured step does as much as the instruction pass's steps do.
Figures time_one(Mode mode, std::uint32_t burst, const TimingOptions& o)
{
    DatapathRig rig;
    std::atomic<bool> stop{false};
    std::atomic<bool> device_pinned{true};
    std::atomic<std::uint64_t> delivered{0}, completed{0};
    std::thread device([&] {
        device_pinned = pin_to_core(o.device_core);
        std::uint64_t rx_done = 0, tx_done = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            if (mode != tx)
                delivered.store(rx_done += rig.device_rx(DatapathRig::ring_size), std::memory_order_release);
            if (mode != rx)
                completed.store(tx_done += rig.device_tx(), std::memory_order_release);
        }
    });
    PacketBuffer* bufs[max_burst];
    std::uint64_t received = 0, sent = 0;
    const std::uint64_t overhead = tsc_overhead();
    auto ready = [&] {
        if (mode != tx && delivered.load(std::memory_order_acquire) - received < burst)
            return false;
        // After reclaim the ring (one slot always empty) must have room for the whole burst.
        return mode == rx || sent - completed.load(std::memory_order_acquire) + burst < DatapathRig::ring_size;
    };
    struct Totals {
        std::uint64_t packets = 0, ticks = 0, preempted = 0;  // of the steps kept
        std::uint64_t moved = 0;                               // by all steps
    };
    auto run = [&](std::uint64_t packets, std::uint64_t preempted_ticks) {
        Totals t;
        while (t.moved < packets) {
            while (!ready()) {
            }
            const std::uint64_t start = tsc_begin();
            const std::uint32_t n = run_step(mode, rig, bufs, burst);
            const std::uint64_t ticks = tsc_end() - start;
            received += mode != tx ? n : 0;
            sent += mode != rx ? n : 0;
            t.moved += n;
            if (ticks > preempted_ticks) {
                ++t.preempted;
                continue;
            }
            t.packets += n;
            t.ticks += ticks > overhead ? ticks - overhead : 0;
        }
        return t;
    };
    const double hz = tsc_hz();
    run(std::max<std::uint64_t>(o.packets / 10, 1000), ~std::uint64_t{0});  // warm-up: caches, branches
    const auto wall_start = std::chrono::steady_clock::now();
    const Totals t = run(o.packets, static_cast<std::uint64_t>(preempted_seconds * hz));
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    stop = true;
    device.join();
    if (!device_pinned)
        fmt::print(stderr, "bench-datapath: could not pin the device thread to core {}\n", o.device_core);
    Figures f;
    f.mpps = static_cast<double>(t.packets) / (static_cast<double>(t.ticks) / hz) / 1e6;
    f.wall_mpps = static_cast<double>(t.moved) / wall / 1e6;
    f.preempted = t.preempted;
    return f;
}

void timing_pass(const std::vector<std::uint32_t>& bursts, const TimingOptions& o, Results& results)
{
    if (!pin_to_core(o.libvf_core))
        fmt::print(stderr, "bench-datapath: could not pin the libvf thread to core {}\n", o.libvf_core);
    for (std::uint32_t burst : bursts)
        for (Mode mode : {rx, tx, rxtx}) {
            const Figures f = time_one(mode, burst, o);
            results[burst][mode].mpps = f.mpps;
            results[burst][mode].wall_mpps = f.wall_mpps;
            results[burst][mode].preempted = f.preempted;
        }
}

// ---- Instruction pass -------------------------------------------------------------------------

// Runs inside callgrind (started by instruction_pass below): one dump per mode and burst, named
// "bench-datapath MODE BURST PACKETS", holding only what the libvf steps executed.
int instruction_pass_child(const std::vector<std::uint32_t>& bursts, std::uint64_t packets)
{
    for (std::uint32_t burst : bursts)
        for (Mode mode : {rx, tx, rxtx}) {
            DatapathRig rig;
            PacketBuffer* bufs[max_burst];
            auto run = [&](std::uint64_t wanted) {
                std::uint64_t done = 0;
                while (done < wanted) {
                    if (mode != tx)
                        rig.device_rx(burst);
                    done += run_step(mode, rig, bufs, burst);
                    if (mode != rx)
                        rig.device_tx();
                }
                return done;
            };
            run(2 * DatapathRig::ring_size);  // every slot and buffer in use once
            CALLGRIND_ZERO_STATS;
            const std::uint64_t done = run(packets);
            const std::string name = fmt::format("bench-datapath {} {} {}", mode_names[mode], burst, done);
            CALLGRIND_DUMP_STATS_AT(name.c_str());
        }
    return 0;
}

// A callgrind dump's trigger name and its total of instructions (the "totals:" line).
std::optional<std::pair<std::string, double>> read_dump(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::string line, name;
    std::optional<double> total;
    const std::string trigger = "desc: Trigger: Client Request: ";
    while (std::getline(in, line)) {
        if (line.starts_with(trigger))
            name = line.substr(trigger.size());
        else if (line.starts_with("totals: ") || line.starts_with("summary: "))
            total = std::stod(line.substr(line.find(' ') + 1));
    }
    if (name.empty() || !total)
        return std::nullopt;
    return std::pair{name, *total};
}

bool instruction_pass(const std::vector<std::uint32_t>& bursts, std::uint64_t packets, Results& results)
{
    namespace fs = std::filesystem;
    char dir_template[] = "/tmp/bench-datapath-XXXXXX";
    if (!mkdtemp(dir_template)) {
        std::perror("bench-datapath: mkdtemp");
        return false;
    }
    const fs::path dir(dir_template);
    struct RemoveDir {
        fs::path p;
        ~RemoveDir()
        {
            std::error_code ec;
            fs::remove_all(p, ec);
        }
    } remove_dir{dir};

    std::string burst_list;
    for (std::uint32_t b : bursts)
        burst_list += (burst_list.empty() ? "" : ",") + std::to_string(b);
    std::vector<std::string> args{"valgrind",
                                  "--tool=callgrind",
                                  "-q",
                                  "--collect-atstart=no",
                                  "--toggle-collect=bench::libvf_*",
                                  "--toggle-collect=sriov::model::E82576Model::VfView::write32*",
                                  "--callgrind-out-file=" + (dir / "callgrind.out").string(),
                                  fs::read_symlink("/proc/self/exe").string(),
                                  "--instruction-pass",
                                  "--bursts",
                                  burst_list,
                                  "--instruction-packets",
                                  std::to_string(packets)};
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid;
    if (const int err = posix_spawnp(&pid, "valgrind", nullptr, nullptr, argv.data(), environ); err != 0) {
        fmt::print(stderr, "bench-datapath: cannot run valgrind ({}); install it (tools/setup.sh) or use --pass timing\n",
                   std::strerror(err));
        return false;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fmt::print(stderr, "bench-datapath: the callgrind pass failed (status {:#x})\n", status);
        return false;
    }

    unsigned found = 0;
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
        const auto dump = read_dump(e.path());
        if (!dump)
            continue;
        std::istringstream words(dump->first);
        std::string program, mode_name;
        std::uint32_t burst = 0;
        double done = 0;
        if (!(words >> program >> mode_name >> burst >> done) || program != "bench-datapath" || done <= 0)
            continue;
        for (unsigned m = 0; m < mode_names.size(); ++m)
            if (mode_name == mode_names[m]) {
                results[burst][m].instructions = dump->second / done;
                ++found;
            }
    }
    if (found != 3 * bursts.size()) {
        fmt::print(stderr, "bench-datapath: callgrind left {} of {} dumps\n", found, 3 * bursts.size());
        return false;
    }
    return true;
}

// ---- Output -----------------------------------------------------------------------------------

std::string cell(const std::optional<double>& v, const char* format)
{
    return v ? fmt::format(fmt::runtime(format), *v) : std::string("-");
}

void print_table(const Results& results)
{
    fmt::print("{:>5} | {:^23} | {:^23} | {:^23}\n", "", "RX", "TX", "RX+TX (forwarding)");
    fmt::print("{:>5} |", "burst");
    for (int i = 0; i < 3; ++i)
        fmt::print(" {:>6} {:>6} {:>9} |", "Mpps", "wall", "instr/pkt");
    fmt::print("\n");
    std::uint64_t preempted = 0;
    for (const auto& [burst, f] : results) {
        fmt::print("{:>5} |", burst);
        for (const Figures& m : f) {
            fmt::print(" {:>6} {:>6} {:>9} |", cell(m.mpps, "{:.1f}"), cell(m.wall_mpps, "{:.1f}"),
                       cell(m.instructions, "{:.1f}"));
            preempted += m.preempted;
        }
        fmt::print("\n");
    }
    fmt::print("Mpps: packets per second of the libvf thread's time in full bursts, in millions (its core\n"
               "  pinned, the model's device thread on the other; noisy on a shared machine; {} steps\n"
               "  over {:.0f} us left out as preempted). wall: packets per second of wall time, which the\n"
               "  model's device thread bounds. instr/pkt: libvf's side, counted by callgrind (stable).\n",
               preempted, preempted_seconds * 1e6);

    const auto goal = results.find(goal_burst);
    if (goal == results.end())
        return;
    const std::array<Figures, 3>& f = goal->second;
    if (f[rxtx].instructions)
        fmt::print("goal at burst {}: RX+TX < {:.0f} instructions/packet: {:.1f}, {}\n", goal_burst,
                   goal_instructions, *f[rxtx].instructions,
                   *f[rxtx].instructions < goal_instructions ? "met" : "MISSED");
    for (Mode m : {rx, tx, rxtx})
        if (f[m].mpps)
            fmt::print("goal at burst {}: {} > {:.0f} Mpps per core: {:.1f}, {}\n", goal_burst, mode_titles[m],
                       goal_mpps, *f[m].mpps, *f[m].mpps > goal_mpps ? "met" : "MISSED");
}

bool write_csv(const std::string& path, const Results& results)
{
    std::ofstream out(path);
    out << "burst";
    for (const char* what : {"mpps", "wall_mpps", "instructions_per_packet"})
        for (const char* mode : mode_names)
            out << ',' << mode << '_' << what;
    out << '\n';
    auto value = [](const std::optional<double>& v) { return v ? fmt::format("{:.2f}", *v) : std::string(); };
    for (const auto& [burst, f] : results) {
        out << burst;
        for (const Figures& m : f)
            out << ',' << value(m.mpps);
        for (const Figures& m : f)
            out << ',' << value(m.wall_mpps);
        for (const Figures& m : f)
            out << ',' << value(m.instructions);
        out << '\n';
    }
    return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"bench-datapath: libvf's RX and TX bursts against the 82576 model playing the device; "
                 "prints Mpps per core and instructions per packet for each burst size"};
    std::vector<std::uint32_t> bursts{1, 4, 8, 16, 32, 64};
    std::string pass = "both";
    TimingOptions timing{10'000'000, 0, 1};
    std::uint64_t instruction_packets = 100'000;
    std::string csv;
    bool child = false;
    app.add_option("--bursts", bursts, "burst sizes, 1 to 64")
        ->delimiter(',')
        ->check(CLI::Range(1u, max_burst));
    app.add_option("--pass", pass, "which measurements: timing, instructions (callgrind) or both")
        ->check(CLI::IsMember({"timing", "instructions", "both"}));
    app.add_option("--packets", timing.packets, "packets per measurement of the timing pass")
        ->check(CLI::PositiveNumber);
    app.add_option("--instruction-packets", instruction_packets, "packets per measurement under callgrind")
        ->check(CLI::PositiveNumber);
    app.add_option("--libvf-core", timing.libvf_core, "core for the libvf thread");
    app.add_option("--device-core", timing.device_core, "core for the thread playing the device");
    app.add_option("--csv", csv, "write the figures to this CSV file");
    app.add_flag("--instruction-pass", child, "(internal) the pass run under callgrind")->group("");
    CLI11_PARSE(app, argc, argv);

    if (child)
        return instruction_pass_child(bursts, instruction_packets);

    Results results;
    for (std::uint32_t b : bursts)
        results[b];
    bool ok = true;
    if (pass != "instructions")
        timing_pass(bursts, timing, results);
    if (pass != "timing")
        ok = instruction_pass(bursts, instruction_packets, results);
    print_table(results);
    if (!csv.empty() && !write_csv(csv, results)) {
        fmt::print(stderr, "bench-datapath: cannot write {}\n", csv);
        return 1;
    }
    return ok ? 0 : 1;
}
