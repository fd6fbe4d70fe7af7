// The VF token under sriovd's state directory: made once, then the same on every start; and the
// files sriovd writes as root, never through a symbolic link.
#include "sriovd/atomic_file.hpp"
#include "sriovd/state_file.hpp"
#include "sriovd/token_file.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace sriov;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("the VF token is generated once, kept 0640, and read back by every later start")
{
    const auto dir =
        std::filesystem::temp_directory_path() / ("sriovd_token_test." + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto path = dir / "vf-token";

    const vfio::VfToken first = sriovd::load_or_create_token(path);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    CHECK(sriovd::load_or_create_token(path).to_string() == first.to_string());

    // A damaged token file is an error, never silently replaced: VF users may hold the old token.
    sriovd::write_file_atomically(path, "not a token\n", 0640);
    CHECK_THROWS_AS(sriovd::load_or_create_token(path), Error);
    std::filesystem::remove_all(dir);
}

// --- Symbolic links planted where sriovd, as root, writes (issue 15): never followed. ---

namespace {

namespace fs = std::filesystem;

// A fresh directory of the test's own, and in it a victim file outside it: what a planted link
// would make root overwrite.
struct Planted {
    fs::path base;
    fs::path dir;
    fs::path victim;
    explicit Planted(const std::string& what)
        : base(fs::temp_directory_path() / ("sriovd_symlink_test." + what + "." + std::to_string(::getpid())))
    {
        fs::remove_all(base);
        fs::create_directories(base / "tokens");
        dir = base / "tokens";
        victim = base / "victim";
        std::ofstream(victim) << "precious\n";
        fs::permissions(victim, fs::perms(0644));
    }
    ~Planted() { fs::remove_all(base); }
    std::string victim_text() const
    {
        std::ifstream in(victim);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
};

}  // namespace

TEST_CASE("a symbolic link at the token's path is refused, not written through")
{
    Planted p("target");
    const auto path = p.dir / "vf-token";
    fs::create_symlink(p.victim, path);
    const vfio::VfToken token = vfio::VfToken::generate();
    try {
        sriovd::write_token_file(path, token);
        FAIL("wrote through a symbolic link");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::permission);
        CHECK(e.subject() == path.string());
        CHECK_THAT(e.cause(), ContainsSubstring("is a symbolic link"));
        CHECK_THAT(e.cause(), ContainsSubstring("remove it"));
    }
    // Nor read through one: sriovd's own token is a file it wrote.
    CHECK_THROWS_AS(sriovd::load_or_create_token(path), Error);
    CHECK(p.victim_text() == "precious\n");
    CHECK(fs::is_symlink(path));
    // A dangling link too (it would have made root create the file it names).
    fs::remove(path);
    fs::create_symlink(p.base / "created-by-root", path);
    CHECK_THROWS_AS(sriovd::write_token_file(path, token), Error);
    CHECK_FALSE(fs::exists(p.base / "created-by-root"));
    // Anything else but a regular file is left alone as well.
    fs::remove(path);
    fs::create_directory(path);
    CHECK_THROWS_AS(sriovd::write_token_file(path, token), Error);
    CHECK(fs::is_directory(path));
}

TEST_CASE("symbolic links at every temporary name one could guess change nothing: the token is written safely")
{
    Planted p("temporary");
    const auto path = p.dir / "vf-token";
    // The old fixed temporary name and its likely variants.
    for (const char* suffix : {".tmp", ".tmp.0", ".new", "~", ".tmp.0000000000000000"})
        fs::create_symlink(p.victim, path.string() + suffix);
    // The directory open to everyone but sticky, as /tmp: others may add names there, not replace ours.
    fs::permissions(p.dir, fs::perms(01777));

    const gid_t group = ::getegid();
    const vfio::VfToken token = sriovd::load_or_create_token(path, group);

    CHECK(p.victim_text() == "precious\n");
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK((st.st_mode & 07777) == 0640);
    CHECK(st.st_gid == group);
    CHECK(sriovd::load_or_create_token(path, group).to_string() == token.to_string());
    // Nothing left behind but the token and the planted links.
    unsigned entries = 0;
    for (const auto& e : fs::directory_iterator(p.dir)) {
        ++entries;
        CHECK((e.path() == path || fs::is_symlink(e.symlink_status())));
    }
    CHECK(entries == 6);
    // The state file is written the same way.
    sriovd::save_state(p.dir / "state-0000:00:02.0.json", sriovd::PfState{});
    CHECK(p.victim_text() == "precious\n");
}

TEST_CASE("a token or state file is written only in a directory no one else can swap files in")
{
    Planted p("directory");
    const vfio::VfToken token = vfio::VfToken::generate();
    SECTION("the directory itself is a symbolic link")
    {
        fs::create_directory_symlink(p.dir, p.base / "link");
        try {
            sriovd::write_token_file(p.base / "link" / "vf-token", token);
            FAIL("followed a symbolic link to the directory");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::permission);
            CHECK_THAT(e.cause(), ContainsSubstring("name the real directory"));
        }
        CHECK_FALSE(fs::exists(p.dir / "vf-token"));
    }
    SECTION("a symbolic link on the way, in a directory others may write in")
    {
        fs::create_directory(p.base / "open");
        fs::create_directory_symlink(p.dir, p.base / "open" / "link");
        fs::permissions(p.base / "open", fs::perms(01777));
        CHECK_THROWS_AS(sriovd::write_token_file(p.base / "open" / "link" / "vf-token", token), Error);
        CHECK_FALSE(fs::exists(p.dir / "vf-token"));
    }
    SECTION("a symbolic link on the way, in a directory only its owner writes, is followed")
    {
        fs::create_directory(p.dir / "sub");
        fs::create_directory_symlink(p.dir, p.base / "link");
        CHECK_NOTHROW(sriovd::write_token_file(p.base / "link" / "sub" / "vf-token", token));
        CHECK(fs::is_regular_file(fs::symlink_status(p.dir / "sub" / "vf-token")));
    }
    SECTION("open to everyone without the sticky bit")
    {
        fs::permissions(p.dir, fs::perms(0777));
        try {
            sriovd::write_token_file(p.dir / "vf-token", token);
            FAIL("wrote in a directory anyone may change");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::permission);
            CHECK_THAT(e.cause(), ContainsSubstring("sticky"));
        }
    }
    SECTION("a state file behind a symbolic link is refused when read")
    {
        fs::create_symlink(p.victim, p.dir / "state-0000:00:02.0.json");
        CHECK_THROWS_AS(sriovd::load_state(p.dir / "state-0000:00:02.0.json"), Error);
    }
    CHECK(p.victim_text() == "precious\n");
}
