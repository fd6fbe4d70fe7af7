#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cerrno>

TEST_CASE("an error names its subject and cause")
{
    sriov::Error e(sriov::Errc::not_viable, "0000:00:02.0", "group 5 also holds 0000:00:03.0 (bound to e1000e)");
    CHECK(std::string(e.what()) == "0000:00:02.0: group 5 also holds 0000:00:03.0 (bound to e1000e)");
    CHECK(e.code() == sriov::Errc::not_viable);
    CHECK(e.subject() == "0000:00:02.0");
}

TEST_CASE("system errors map errno to a code a caller can branch on")
{
    CHECK(sriov::system_error("/dev/vfio/5", "open", EACCES).code() == sriov::Errc::permission);
    CHECK(sriov::system_error("x", "open", ENOENT).code() == sriov::Errc::not_found);
    CHECK(sriov::system_error("x", "write", EBUSY).code() == sriov::Errc::busy);
    auto e = sriov::system_error("/dev/vfio/5", "open", EACCES);
    CHECK(std::string(e.what()) == "/dev/vfio/5: open: Permission denied");
}
