#include "datapath_callgrind.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

extern char** environ;

namespace bench {

using sriov::vf::PacketBuffer;

// Runs inside callgrind (started by instruction_pass below): one dump per subject, mode and burst,
// named "bench-datapath SUBJECT MODE BURST PACKETS", holding only what the libvf steps executed.
// Every step must move a full burst, all of it to the device: the device delivers `burst` frames,
// the step receives them all, and what it sends the device completes. Anything less is a
// functional error (frames lost, or buffers not given back to the RX ring), reported on stderr
// with a non-zero exit; it would also leave the figure for a part of the work.
int instruction_pass_child(const std::vector<std::uint32_t>& bursts, std::uint64_t packets, sriov::vf::DataPath path)
{
    for (std::uint32_t burst : bursts)
        for (Mode mode : {rx, tx, rxtx})
            for (Subject subject : subjects) {
                DatapathRig rig(path);
                PacketBuffer* bufs[max_burst];
                std::string error;
                auto run = [&](std::uint64_t wanted) {
                    std::uint64_t done = 0;
                    while (done < wanted && error.empty()) {
                        const std::uint32_t delivered = mode != tx ? rig.device_rx(burst) : burst;
                        const std::uint32_t n = run_step(subject, mode, rig, bufs, burst);
                        const std::uint32_t completed = mode != rx ? rig.device_tx() : n;
                        if (delivered != burst)
                            error = fmt::format("the device found {} of {} RX descriptors posted", delivered, burst);
                        else if (n != burst)
                            error = fmt::format("a step moved {} of {} frames", n, burst);
                        else if (completed != n)
                            error = fmt::format("the device completed {} of the {} frames sent", completed, n);
                        done += n;
                    }
                    return done;
                };
                run(2 * DatapathRig::ring_size);  // every slot and buffer in use once
                CALLGRIND_ZERO_STATS;
                const std::uint64_t done = run(packets);
                const std::string name = fmt::format("bench-datapath {} {} {} {}", subject_names[subject],
                                                     mode_names[mode], burst, done);
                CALLGRIND_DUMP_STATS_AT(name.c_str());
                if (!error.empty()) {
                    fmt::print(stderr, "bench-datapath: frames not delivered, {} {} at burst {}: {}\n",
                               subject_titles[subject], mode_titles[mode], burst, error);
                    return 1;
                }
            }
    return 0;
}

namespace {

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

}  // namespace

bool instruction_pass(const std::vector<std::uint32_t>& bursts, std::uint64_t packets, sriov::vf::DataPath path,
                      Results& results)
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

    const std::string burst_list = fmt::format("{}", fmt::join(bursts, ","));
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
                                  std::to_string(packets),
                                  "--data-paths",
                                  std::string(sriov::vf::data_path_name(path))};
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
        fmt::print(stderr, "bench-datapath: the callgrind pass of the {} path failed (status {:#x})\n",
                   sriov::vf::data_path_name(path), status);
        return false;
    }

    unsigned found = 0;
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
        const auto dump = read_dump(e.path());
        if (!dump)
            continue;
        std::istringstream words(dump->first);
        std::string program, subject_name, mode_name;
        std::uint32_t burst = 0;
        double done = 0;
        if (!(words >> program >> subject_name >> mode_name >> burst >> done) || program != "bench-datapath"
            || done <= 0)
            continue;
        for (Subject subject : subjects)
            for (unsigned m = 0; m < mode_names.size(); ++m)
                if (subject_name == subject_names[subject] && mode_name == mode_names[m]) {
                    results[burst][subject][m].instructions = dump->second / done;
                    ++found;
                }
    }
    const std::size_t wanted = subjects.size() * mode_names.size() * bursts.size();
    if (found != wanted) {
        fmt::print(stderr, "bench-datapath: callgrind left {} of {} dumps\n", found, wanted);
        return false;
    }
    return true;
}
}  // namespace bench
