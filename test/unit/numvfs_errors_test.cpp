#include "vfio/numvfs_errors.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cerrno>

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;
using sriov::Errc;
using sriov::pci::numvfs_write_error;
using sriov::pci::NumVfsContext;

namespace {

NumVfsContext context(std::optional<std::string> driver,
                      std::optional<std::string> enable_sriov = std::nullopt)
{
    return {sriov::pci::Address::parse("0000:00:02.0"), 8, std::move(driver), std::move(enable_sriov)};
}

}  // namespace

TEST_CASE("ERANGE from sriov_numvfs gives the maximum")
{
    auto e = numvfs_write_error(context("igb"), "9", ERANGE, false);
    CHECK(e.code() == Errc::invalid_argument);
    CHECK(e.subject() == "0000:00:02.0");
    CHECK_THAT(e.cause(), ContainsSubstring("9 VFs") && ContainsSubstring("at most 8"));
}

TEST_CASE("ENOENT from vfio-pci means it was loaded without enable_sriov")
{
    auto known = numvfs_write_error(context("vfio-pci", "N"), "4", ENOENT, false);
    CHECK(known.code() == Errc::unsupported);
    CHECK_THAT(known.cause(), StartsWith("vfio-pci was loaded without enable_sriov=1"));
    auto guessed = numvfs_write_error(context("vfio-pci"), "4", ENOENT, false);
    CHECK(guessed.code() == Errc::unsupported);
    CHECK_THAT(guessed.cause(), ContainsSubstring("enable_sriov=1"));
}

TEST_CASE("ENOENT, ENOSYS and EOPNOTSUPP mean the driver cannot enable VFs")
{
    for (int err : {ENOENT, ENOSYS, EOPNOTSUPP}) {
        auto e = numvfs_write_error(context("e1000e"), "4", err, false);
        CHECK(e.code() == Errc::unsupported);
        CHECK(e.cause() == "driver e1000e does not support enabling VFs through sysfs");
    }
    auto none = numvfs_write_error(context(std::nullopt), "4", ENOENT, false);
    CHECK_THAT(none.cause(), StartsWith("no driver is bound to the PF"));
}

TEST_CASE("other refusals keep their errno text")
{
    CHECK(numvfs_write_error(context("igb"), "4", EBUSY, false).code() == Errc::busy);
    auto denied = numvfs_write_error(context("igb"), "4", EACCES, false);
    CHECK(denied.code() == Errc::permission);
    CHECK_THAT(denied.cause(), ContainsSubstring("needs root"));
    auto io = numvfs_write_error(context("igb"), "4", EIO, false);
    CHECK(io.code() == Errc::io);
    CHECK(io.cause() == "writing \"4\" to sriov_numvfs: Input/output error");
    auto missing = numvfs_write_error(context("igb"), "4", ENOENT, true);
    CHECK(missing.code() == Errc::not_found);
}

TEST_CASE("a driver that cannot enable VFs is known before writing")
{
    CHECK(sriov::pci::driver_cannot_enable_vfs(context(std::nullopt)));
    CHECK(sriov::pci::driver_cannot_enable_vfs(context("vfio-pci", "N")));
    CHECK_FALSE(sriov::pci::driver_cannot_enable_vfs(context("vfio-pci", "Y")));
    CHECK_FALSE(sriov::pci::driver_cannot_enable_vfs(context("vfio-pci")));
    CHECK_FALSE(sriov::pci::driver_cannot_enable_vfs(context("igb")));
}
