// vfctl's man page and bash completion know every word of its grammar: a command or setting added
// to grammar.cpp without them fails here. (The completion's answers are checked by
// vfctl_completion_test.sh, the page's formatting by vfctl_man_page_test.sh.)
#include "grammar.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>

using namespace sriov::vfctl;

namespace {

std::string read(const std::string& name)
{
    const std::string path = std::string(VFCTL_SOURCE_DIR) + "/" + name;
    std::ifstream in(path);
    INFO(path);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// `word` on its own, not inside another word ("set" in "reset" or "settings" does not count).
bool has_word(std::string_view text, std::string_view word)
{
    const auto part_of_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (auto at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
        const bool starts = at == 0 || !part_of_word(text[at - 1]);
        const bool ends = at + word.size() == text.size() || !part_of_word(text[at + word.size()]);
        if (starts && ends)
            return true;
    }
    return false;
}

// Whether the man page sets `word` in bold, as it sets keywords: on a line of a macro that sets
// bold (.B, .BR, .BI, .RB, .IB) or after \fB. Comments do not count.
bool bold_in_man_page(const std::string& page, std::string_view word)
{
    std::istringstream lines(page);
    for (std::string line; std::getline(lines, line);) {
        const bool bold_macro = line.starts_with(".B ") || line.starts_with(".BR ") || line.starts_with(".BI ") ||
                                line.starts_with(".RB ") || line.starts_with(".IB ");
        if (bold_macro && has_word(line.substr(line.find(' ')), word))
            return true;
        for (auto at = line.find("\\fB"); at != std::string::npos; at = line.find("\\fB", at + 1))
            if (line.compare(at + 3, word.size(), word) == 0 && has_word(line.substr(at + 3), word))
                return true;
    }
    return false;
}

}  // namespace

TEST_CASE("vfctl: the man page describes every command and setting of the grammar")
{
    const std::string page = read("vfctl.8");
    REQUIRE(command_words().size() == 6);
    REQUIRE(setting_words().size() == 13);
    for (const auto word : command_words()) {
        INFO(word);
        CHECK(bold_in_man_page(page, word));
    }
    for (const auto word : setting_words()) {
        INFO(word);
        CHECK(bold_in_man_page(page, word));
    }
    for (const char* word : {"numvfs", "on", "off", "auto", "enable", "disable", "802.1Q", "802.1ad", "\\-\\-socket",
                             "\\-j", "\\-s"}) {
        INFO(word);
        CHECK(bold_in_man_page(page, word));
    }
    for (const char* text : {".TH VFCTL 8", "/run/sriovd/sriovd.sock", "protocol.hpp", ".SH EXIT STATUS",
                             ".SH EXAMPLES", ".BR sriovd (8)", ".BR ip\\-link (8)"}) {
        INFO(text);
        CHECK(page.find(text) != std::string::npos);
    }
}

TEST_CASE("vfctl: the bash completion offers every command and setting of the grammar")
{
    const std::string completion = read("vfctl.bash-completion");
    for (const auto word : command_words()) {
        INFO(word);
        CHECK(has_word(completion, word));
    }
    for (const auto word : setting_words()) {
        INFO(word);
        CHECK(has_word(completion, word));
    }
    for (const char* word :
         {"vf", "numvfs", "on off", "auto enable disable", "802.1Q 802.1ad", "complete -F _vfctl vfctl"}) {
        INFO(word);
        CHECK(completion.find(word) != std::string::npos);
    }
}
