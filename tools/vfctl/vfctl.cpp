// vfctl: the operators' command line for sriovd, in the vocabulary of `ip link ... vf N ...`.
#include "ctl/client.hpp"
#include "grammar.hpp"
#include "output.hpp"
#include "usage.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace sriov;
using namespace sriov::vfctl;

namespace {

control::Operation to_operation(const Command& cmd)
{
    struct Convert {
        control::Operation operator()(const Show& s) const
        {
            if (s.stats)
                return control::Stats{s.pf, s.vf};
            return control::Show{s.pf, s.vf};
        }
        control::Operation operator()(const SetVf& s) const { return control::SetVf{s.pf, s.vf, s.settings}; }
        control::Operation operator()(const SetNumVfs& s) const { return control::SetNumVfs{s.pf, s.count}; }
        control::Operation operator()(const Reset& r) const { return control::Reset{r.pf, r.vf}; }
        control::Operation operator()(const Release& r) const { return control::Release{r.pf, r.vf}; }
        control::Operation operator()(const Monitor&) const { return control::Subscribe{}; }
        control::Operation operator()(const Status&) const { return control::Status{}; }
    };
    return std::visit(Convert{}, cmd);
}

int run(const Command& cmd, const std::string& socket, bool json)
{
    control::Client client(socket);
    const std::string result = client.call(control::Request{0, to_operation(cmd)});
    if (std::holds_alternative<Monitor>(cmd)) {
        // Until sriovd goes away; a line at a time, so that a pipe or a file sees each event at once.
        for (;;) {
            const std::string event = client.next_event();
            fmt::print("{}\n", json ? event : event_line(event, std::chrono::system_clock::now()));
            std::fflush(stdout);
        }
    }
    if (json) {
        fmt::print("{}\n", result);
        return 0;
    }
    if (const auto* show = std::get_if<Show>(&cmd)) {
        if (show->stats)
            fmt::print("{}", stats_table(result));
        else if (show->pf)
            fmt::print("{}", show_detail(result));
        else
            fmt::print("{}", show_table(result));
    } else if (std::holds_alternative<Status>(cmd)) {
        fmt::print("{}", status_text(result));
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    bool json = false;
    bool stats = false;
    bool help = false;
    std::string socket(control::default_socket);
    CLI::App app{"vfctl: configure SR-IOV VFs through sriovd"};
    app.set_help_flag();  // our own --help, which knows the command grammar
    app.add_flag("-h,--help", help);
    app.add_flag("-j,--json", json);
    app.add_flag("-s,--stats", stats);
    app.add_option("--socket", socket);
    app.prefix_command();  // the first word that is not an option starts the command
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        fmt::print(stderr, "vfctl: {}\n", e.what());
        return 2;
    }
    const std::vector<std::string> words = app.remaining();
    if (help || asks_for_help(words)) {
        fmt::print("{}", usage());
        return 0;
    }
    try {
        return run(parse_command(words, stats), socket, json);
    } catch (const UsageError& e) {
        fmt::print(stderr, "vfctl: {}\n", e.what());
        return 2;
    } catch (const Error& e) {
        fmt::print(stderr, "vfctl: {}\n", e.what());
        return 1;
    }
}
