// Taking the PF for vfio-pci: never from another driver unless asked to; giving the operators'
// group the VFs' VFIO device files. Against a fake sysfs and a fake /dev.
#include "pf/vf_provisioning.hpp"

#include "sriov/error.hpp"
#include "unit/fake_sysfs.hpp"

#include <catch2/catch_test_macros.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

using namespace sriov;
using sriov::test::FakeSysfs;

TEST_CASE("a PF bound to igb is not taken without --take-over, and the error says why and how")
{
    FakeSysfs fs;
    fs.add_device("0000:00:02.0", 0x8086, 0x10c9, 0x020000);
    fs.add_driver("igb");
    fs.add_driver("vfio-pci");
    fs.bind("0000:00:02.0", "igb");
    sriov::test::write_file(fs.device_dir("0000:00:02.0") / "net" / "eth0" / "ifindex", "2\n");
    sriov::test::write_file(fs.attribute("0000:00:02.0", "reset_method"), "flr bus\n");
    const pf::VfProvisioner provisioner{pci::Sysfs(fs.root())};
    try {
        provisioner.claim_pf(pci::Address::parse("0000:00:02.0"), 2);
        FAIL("the PF was taken from igb");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::busy);
        CHECK(e.subject() == "0000:00:02.0");
        CHECK(std::string(e.cause()).find("bound to igb (network interface eth0)") != std::string::npos);
        CHECK(std::string(e.cause()).find("--take-over") != std::string::npos);
    }
    // Nothing was changed: still igb, PCI resets left on.
    CHECK(sriov::test::read_file(fs.attribute("0000:00:02.0", "reset_method")) == "flr bus\n");
    CHECK(std::filesystem::read_symlink(fs.device_dir("0000:00:02.0") / "driver").filename() == "igb");
}

// --- The operators' group and the VFs' device files (/dev/vfio/<IOMMU group>). ---

namespace {

namespace fs = std::filesystem;

// A gid the test may give a file: any as root, otherwise its own group.
gid_t some_group() { return ::geteuid() == 0 ? 4242 : ::getegid(); }

// Access to the fake /dev in dev, whose device files are regular files of the test's own (sriovd
// wants the kernel's: character devices of root).
pf::VfAccess fake_dev(std::optional<gid_t> group, const fs::path& dev)
{
    return pf::VfAccess{group, dev, S_IFREG, ::geteuid()};
}

// PF 00:02.0 on vfio-pci with three VFs in IOMMU groups 7, 8, 9: VF 0 without a driver, VF 1 on
// vfio-pci, VF 2 on igbvf. Each group has its device file in dev, root-only as the kernel makes it.
void add_pf_with_vfs(FakeSysfs& sysfs, const fs::path& dev)
{
    sysfs.add_driver("vfio-pci");
    sysfs.add_driver("igbvf");
    sysfs.add_device("0000:00:02.0", 0x8086, 0x10c9, 0x020000);
    sysfs.bind("0000:00:02.0", "vfio-pci");
    const char* vfs[] = {"0000:00:12.0", "0000:00:12.2", "0000:00:12.4"};
    for (unsigned n = 0; n < 3; ++n) {
        sysfs.add_vf("0000:00:02.0", n, vfs[n]);
        sysfs.set_iommu_group(vfs[n], 7 + n);
        sriov::test::write_file(dev / "vfio" / std::to_string(7 + n), "");
        fs::permissions(dev / "vfio" / std::to_string(7 + n), fs::perms(0600));
    }
    sysfs.bind("0000:00:12.2", "vfio-pci");
    sysfs.bind("0000:00:12.4", "igbvf");
}

// The kernel's drivers_probe: binds the written address to the driver its driver_override names.
std::function<void(const std::string&)> probe_by_override(FakeSysfs& sysfs)
{
    return [&sysfs](const std::string& address) {
        std::string name = sriov::test::read_file(sysfs.attribute(address, "driver_override"));
        while (!name.empty() && name.back() == '\n')
            name.pop_back();
        if (!name.empty() && name != "(null)")
            sysfs.bind(address, name);
    };
}

struct FileMode {
    unsigned mode;
    gid_t gid;
};

FileMode mode_of(const fs::path& path)
{
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return {st.st_mode & 07777u, st.st_gid};
}

}  // namespace

TEST_CASE("with an operators' group, each VF on vfio-pci has its VFIO device file given to the group")
{
    FakeSysfs sysfs;
    sriov::test::TempDir dev;
    add_pf_with_vfs(sysfs, dev.path());
    sriov::test::FifoResponder probe(sysfs.drivers_probe(), probe_by_override(sysfs));
    const gid_t group = some_group();
    const pf::VfProvisioner provisioner{pci::Sysfs(sysfs.root()), std::chrono::seconds(5),
                                        fake_dev(group, dev.path())};

    const auto vfs = provisioner.adopt_vfs(pci::Address::parse("0000:00:02.0"), 3, {"", "", "igbvf"});

    REQUIRE(vfs.size() == 3);
    // VF 0 was bound to vfio-pci here, VF 1 was kept on it: both are the group's now.
    for (const char* file : {"vfio/7", "vfio/8"}) {
        INFO(file);
        const FileMode m = mode_of(dev.path() / file);
        CHECK(m.mode == 0660);
        CHECK(m.gid == group);
    }
    // VF 2 belongs to a kernel driver: its VFIO file (were there one) stays root's.
    CHECK(mode_of(dev.path() / "vfio/9").mode == 0600);
}

TEST_CASE("without an operators' group, the VFs' device files keep the kernel's root-only mode")
{
    FakeSysfs sysfs;
    sriov::test::TempDir dev;
    add_pf_with_vfs(sysfs, dev.path());
    sysfs.bind("0000:00:12.0", "vfio-pci");
    const pf::VfProvisioner provisioner{pci::Sysfs(sysfs.root()), std::chrono::seconds(5), fake_dev(std::nullopt, dev.path())};

    provisioner.adopt_vfs(pci::Address::parse("0000:00:02.0"), 3, {});

    for (const char* file : {"vfio/7", "vfio/8", "vfio/9"}) {
        INFO(file);
        CHECK(mode_of(dev.path() / file).mode == 0600);
    }
}

TEST_CASE("a VF on vfio-pci whose device file never appears is an error that names the file")
{
    FakeSysfs sysfs;
    sriov::test::TempDir dev;
    add_pf_with_vfs(sysfs, dev.path());
    sysfs.bind("0000:00:12.0", "vfio-pci");
    fs::remove(dev.path() / "vfio/8");
    const pf::VfProvisioner provisioner{pci::Sysfs(sysfs.root()), std::chrono::seconds(5),
                                        fake_dev(some_group(), dev.path())};
    try {
        provisioner.adopt_vfs(pci::Address::parse("0000:00:02.0"), 2, {});
        FAIL("a missing device file went unnoticed");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::not_found);
        CHECK(e.subject() == (dev.path() / "vfio/8").string());
        CHECK(std::string(e.cause()).find("bound to vfio-pci") != std::string::npos);
    }
}

TEST_CASE("a symbolic link planted at a VF's device file is refused, and what it points to is left alone")
{
    FakeSysfs sysfs;
    sriov::test::TempDir dev;
    sriov::test::TempDir elsewhere;
    add_pf_with_vfs(sysfs, dev.path());
    sysfs.bind("0000:00:12.0", "vfio-pci");
    const fs::path victim = elsewhere.path() / "shadow";
    sriov::test::write_file(victim, "secret\n");
    fs::permissions(victim, fs::perms(0600));
    const FileMode before = mode_of(victim);
    fs::remove(dev.path() / "vfio/8");
    fs::create_symlink(victim, dev.path() / "vfio/8");
    const pf::VfProvisioner provisioner{pci::Sysfs(sysfs.root()), std::chrono::seconds(5),
                                        fake_dev(some_group(), dev.path())};
    try {
        provisioner.adopt_vfs(pci::Address::parse("0000:00:02.0"), 2, {});
        FAIL("a symbolic link at /dev/vfio/8 was followed");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::permission);
        CHECK(e.subject() == (dev.path() / "vfio/8").string());
        CHECK(std::string(e.cause()).find("is a symbolic link") != std::string::npos);
    }
    CHECK(mode_of(victim).mode == before.mode);
    CHECK(mode_of(victim).gid == before.gid);
    CHECK(sriov::test::read_file(victim) == "secret\n");
}

TEST_CASE("sriovd changes a VF's device file only if it is a character device of root's")
{
    FakeSysfs sysfs;
    sriov::test::TempDir dev;
    add_pf_with_vfs(sysfs, dev.path());
    sysfs.bind("0000:00:12.0", "vfio-pci");
    // The production defaults: the test's regular files are not the kernel's device nodes.
    const pf::VfProvisioner provisioner{pci::Sysfs(sysfs.root()), std::chrono::seconds(5),
                                        pf::VfAccess{some_group(), dev.path()}};
    try {
        provisioner.adopt_vfs(pci::Address::parse("0000:00:02.0"), 2, {});
        FAIL("a regular file was taken for a VFIO device file");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::permission);
        CHECK(std::string(e.cause()).find("is a regular file, not a character device") != std::string::npos);
    }
    CHECK(mode_of(dev.path() / "vfio/7").mode == 0600);
}
