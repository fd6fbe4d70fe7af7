// vfctl's command grammar: the words after the global options, turned into a Command.
//
// Every mistake is reported as a UsageError whose what() is one line a person can act on: the bad
// word, what was expected, and for a misspelt keyword the valid ones (and the likely intended one).
#pragma once

#include "command.hpp"

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sriov::vfctl {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses the words of one command, e.g. {"set", "0000:00:02.0", "vf", "1", "mac", "02:..."}.
// `stats` is the global -s flag (it applies to show). Throws UsageError.
Command parse_command(std::span<const std::string> words, bool stats = false);

// The settings part of `set PF vf N ...`: keyword/value pairs. Throws UsageError.
VfSettings parse_vf_settings(std::span<const std::string> words);

// The command words (show, set, ...) and the setting keywords of `set PF vf N` (mac, vlan, ...), as
// the grammar knows them; the help text, man page and completion file are checked against them.
std::span<const std::string_view> command_words();
std::span<const std::string_view> setting_words();

// The closest of `candidates` to `word` if it is plausibly a misspelling of it, else "".
std::string_view closest_keyword(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace sriov::vfctl
