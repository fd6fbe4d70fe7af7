// Directories and device nodes sriovd changes as root (vfio/root_files.hpp): reached without
// following a symbolic link someone else could have planted. On a temporary directory.
#include "vfio/root_files.hpp"

#include "sriov/error.hpp"
#include "unit/fake_sysfs.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

using namespace sriov;
using Catch::Matchers::ContainsSubstring;
namespace fs = std::filesystem;

namespace {

unsigned mode_of(const fs::path& p)
{
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777u;
}

}  // namespace

TEST_CASE("make_directory creates what is missing and refuses a symbolic link to a directory")
{
    sriov::test::TempDir tmp;
    const fs::path state = tmp.path() / "var" / "lib" / "sriovd";
    {
        const UniqueFd fd = files::make_directory(state, 0750);
        REQUIRE(fd);
        CHECK(fs::is_directory(state));
        CHECK((mode_of(state) & ~0750u) == 0);  // 0750 less the umask
    }
    // An existing directory is opened as it is.
    ::chmod(state.c_str(), 0700);
    CHECK(files::make_directory(state, 0750));
    CHECK(mode_of(state) == 0700);

    // A state directory that is a symbolic link (to wherever) is refused, and nothing is created
    // where it points.
    fs::create_directory(tmp.path() / "elsewhere");
    fs::create_directory_symlink(tmp.path() / "elsewhere", tmp.path() / "linked");
    try {
        files::make_directory(tmp.path() / "linked", 0750);
        FAIL("a symbolic link was taken for the directory");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::permission);
        CHECK(e.subject() == (tmp.path() / "linked").string());
        CHECK_THAT(e.cause(), ContainsSubstring("is a symbolic link"));
    }
    // A dangling one is not created through either.
    fs::create_directory_symlink(tmp.path() / "nowhere", tmp.path() / "dangling");
    CHECK_THROWS_AS(files::make_directory(tmp.path() / "dangling", 0750), Error);
    CHECK_FALSE(fs::exists(tmp.path() / "nowhere"));
}

TEST_CASE("check_replaceable: nothing or the expected kind passes; a link or another kind is refused")
{
    sriov::test::TempDir tmp;
    const UniqueFd dir = files::open_directory(tmp.path());
    CHECK_NOTHROW(files::check_replaceable(dir.get(), "absent", S_IFREG, tmp.path() / "absent"));
    sriov::test::write_file(tmp.path() / "file", "x");
    CHECK_NOTHROW(files::check_replaceable(dir.get(), "file", S_IFREG, tmp.path() / "file"));
    fs::create_symlink(tmp.path() / "file", tmp.path() / "link");
    try {
        files::check_replaceable(dir.get(), "link", S_IFREG, tmp.path() / "link");
        FAIL("a symbolic link passed");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::permission);
    }
    try {
        files::check_replaceable(dir.get(), "file", S_IFSOCK, tmp.path() / "file");
        FAIL("a regular file passed for a socket");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::busy);
        CHECK_THAT(e.cause(), ContainsSubstring("is a regular file, not a socket"));
    }
}

TEST_CASE("share_node changes the node itself, never what a symbolic link there points to")
{
    sriov::test::TempDir tmp;
    const fs::path node = tmp.path() / "7";
    const fs::path victim = tmp.path() / "victim";
    sriov::test::write_file(node, "");
    sriov::test::write_file(victim, "");
    ::chmod(node.c_str(), 0600);
    ::chmod(victim.c_str(), 0600);

    files::share_node(node, S_IFREG, ::geteuid(), ::getegid(), 0660);
    CHECK(mode_of(node) == 0660);

    fs::create_symlink(victim, tmp.path() / "8");
    CHECK_THROWS_AS(files::share_node(tmp.path() / "8", S_IFREG, ::geteuid(), ::getegid(), 0660), Error);
    CHECK(mode_of(victim) == 0600);
    // Another owner than the one expected: left alone.
    CHECK_THROWS_AS(files::share_node(victim, S_IFREG, ::geteuid() + 1, std::nullopt, 0666), Error);
    CHECK(mode_of(victim) == 0600);
}

TEST_CASE("unique_name adds a random suffix")
{
    const std::string a = files::unique_name("vf-token");
    CHECK(a.rfind("vf-token.", 0) == 0);
    CHECK(a.size() == std::string("vf-token.").size() + 16);
    CHECK(a != files::unique_name("vf-token"));
}
