// The VF token under sriovd's state directory: made once, then the same on every start.
#include "atomic_file.hpp"
#include "token_file.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace sriov;

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
