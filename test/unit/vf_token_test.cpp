#include "sriov/error.hpp"
#include "vfio/vf_token.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

using Catch::Matchers::ContainsSubstring;
using sriov::Errc;
using sriov::vfio::VfToken;

namespace {

// A directory of its own for each test, removed afterwards.
struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "vf-token-test-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const
    {
        const auto p = path / name;
        std::ofstream(p) << text;
        return p.string();
    }
};

// The error read_file throws for `path`, or code `io` with cause "no error" if it did not throw.
sriov::Error read_error(const std::string& path)
{
    try {
        VfToken::read_file(path);
    } catch (const sriov::Error& e) {
        return e;
    }
    return sriov::Error(Errc::io, path, "no error");
}

}  // namespace

TEST_CASE("a VF token reads and prints in the kernel's UUID form")
{
    const auto t = VfToken::parse("2AB74924-c335-45f4-9b16-8569e5b08258");
    CHECK(t.bytes()[0] == 0x2a);
    CHECK(t.bytes()[15] == 0x58);
    CHECK(t.to_string() == "2ab74924-c335-45f4-9b16-8569e5b08258");
}

TEST_CASE("malformed VF tokens are refused with the text named")
{
    for (const char* bad : {"", "2ab74924c33545f49b168569e5b08258", "2ab74924-c335-45f4-9b16-8569e5b0825g",
                            "2ab74924-c335-45f4-9b16-8569e5b082588", "2ab74924+c335-45f4-9b16-8569e5b08258"}) {
        try {
            VfToken::parse(bad);
            FAIL("accepted " << bad);
        } catch (const sriov::Error& e) {
            CHECK(e.code() == sriov::Errc::invalid_argument);
            CHECK(e.subject() == bad);
        }
    }
}

TEST_CASE("generated VF tokens are version-4 UUIDs and differ")
{
    const auto a = VfToken::generate();
    const auto b = VfToken::generate();
    CHECK(a != b);
    CHECK(a.to_string()[14] == '4');
    CHECK(VfToken::parse(a.to_string()) == a);
}

TEST_CASE("a token file is read as sriovd writes it, trailing white space ignored")
{
    TempDir dir;
    const auto t = VfToken::read_file(dir.write("token", "2ab74924-c335-45f4-9b16-8569e5b08258 \r\n"));
    CHECK(t.to_string() == "2ab74924-c335-45f4-9b16-8569e5b08258");
}

TEST_CASE("a token file that is missing, empty or holds something else is reported as such")
{
    TempDir dir;
    const auto missing = read_error((dir.path / "nothing").string());
    CHECK(missing.code() == Errc::not_found);
    CHECK_THAT(missing.cause(), ContainsSubstring("no such file") && ContainsSubstring("is sriovd running"));

    const auto empty = read_error(dir.write("empty", "\n"));
    CHECK(empty.code() == Errc::invalid_argument);
    CHECK_THAT(empty.cause(), ContainsSubstring("empty"));

    const auto other = read_error(dir.write("other", "hello\n2ab74924-c335-45f4-9b16-8569e5b08258\n"));
    CHECK(other.code() == Errc::invalid_argument);
    CHECK_THAT(other.cause(), ContainsSubstring("holds no VF token"));
}

TEST_CASE("a token file the caller may not read is a permission error naming its group and mode")
{
    // Run as root, the test reads a 0640 file in a child that has become nobody (root itself
    // passes every file mode check); run as another user, a file of mode 0000 is its own.
    TempDir dir;
    const std::string path = dir.write("token", "2ab74924-c335-45f4-9b16-8569e5b08258\n");
    const bool root = ::getuid() == 0;
    REQUIRE(::chmod(path.c_str(), root ? 0640 : 0) == 0);
    REQUIRE(::chmod(dir.path.c_str(), 0755) == 0);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        if (root && (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0))
            ::_exit(2);
        const auto e = read_error(path);
        const std::string out = std::string(sriov::to_string(e.code())) + "|" + e.cause();
        if (::write(fds[1], out.data(), out.size()) < 0)
            ::_exit(3);
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string got;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
        got.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    // The file is the test's own group's, which has a name.
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    const group* g = ::getgrgid(st.st_gid);
    REQUIRE(g != nullptr);
    CHECK_THAT(got, ContainsSubstring("permission|cannot read the VF token: permission denied"));
    CHECK_THAT(got, ContainsSubstring(std::string("group '") + g->gr_name + "'"));
    CHECK_THAT(got, ContainsSubstring(root ? "mode 0640" : "mode 0000"));
}
