// vfctl's help: one text for the program and every command, short enough to read in one go.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sriov::vfctl {

// The help text: synopsis, every command with its settings and their ranges, the options.
std::string_view usage();

// Whether the words after the global options ask for help instead of a command: "help ...", or
// -h/--help anywhere, as in `vfctl set --help`.
bool asks_for_help(std::span<const std::string> words);

}  // namespace sriov::vfctl
