// vfctl's help: asked for in every way an operator tries, and naming everything the grammar knows.
#include "grammar.hpp"
#include "usage.hpp"

#include <catch2/catch_test_macros.hpp>

#include <regex>
#include <string>
#include <vector>

using namespace sriov::vfctl;

namespace {

bool help(std::vector<std::string> words) { return asks_for_help(words); }

// `word` as a word of its own in `text` (not as part of "reset" when looking for "set").
bool has_word(const std::string& text, std::string_view word)
{
    return std::regex_search(text, std::regex("(^|[^A-Za-z_])" + std::string(word) + "($|[^A-Za-z_])"));
}

}  // namespace

TEST_CASE("vfctl: help is there for the program and for every command")
{
    CHECK(help({"help"}));
    CHECK(help({"--help"}));
    CHECK(help({"-h"}));
    for (const auto command : command_words()) {
        INFO(command);
        CHECK(help({std::string(command), "--help"}));
        CHECK(help({std::string(command), "-h"}));
        CHECK(help({"help", std::string(command)}));
    }
    CHECK(help({"set", "0000:00:02.0", "vf", "0", "--help"}));
    CHECK_FALSE(help({}));
    CHECK_FALSE(help({"show"}));
    CHECK_FALSE(help({"set", "0000:00:02.0", "vf", "0", "trust", "on"}));
}

TEST_CASE("vfctl: the help names every command and setting, with their values")
{
    const std::string text(usage());
    REQUIRE(command_words().size() == 6);
    REQUIRE(setting_words().size() == 13);
    for (const auto word : command_words()) {
        INFO(word);
        CHECK(has_word(text, word));
    }
    for (const auto word : setting_words()) {
        INFO(word);
        CHECK(has_word(text, word));
    }
    for (const char* word : {"on|off", "auto|enable|disable", "numvfs", "--socket", "--json", "--stats", "1..4095", "0..100000",
                             "0..7", "0..32", "/run/sriovd/sriovd.sock", "802.1Q|802.1ad"}) {
        INFO(word);
        CHECK(text.find(word) != std::string::npos);
    }
}
