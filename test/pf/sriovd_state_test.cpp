// sriovd's state file: what it holds, that a torn or corrupt file is detected and never applied in
// part, and the precedence between it and the configuration file.
#include "sriovd/atomic_file.hpp"
#include "sriovd/state_file.hpp"

#include "sriov/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace sriov;
using namespace sriov::sriovd;

namespace {

DaemonConfig two_vfs()
{
    DaemonConfig c;
    c.pf = "0000:00:02.0";
    c.num_vfs = 2;
    c.vfs.resize(2);
    c.drivers = {"igbvf", ""};
    c.vfs[0].mac = MacAddress::parse("02:11:22:33:44:55");
    c.vfs[1].port_vlan = 100;
    return c;
}

// A fresh directory for one test.
std::filesystem::path scratch_dir()
{
    const auto dir =
        std::filesystem::temp_directory_path() / ("sriovd_state_test." + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

std::string error_of(const std::string& text)
{
    try {
        decode_state(text, "state.json");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::protocol);
        CHECK(std::string(e.what()).find("nothing of it was applied") != std::string::npos);
        return e.cause();
    }
    return "no error";
}

bool contains(const std::string& text, const std::string& part)
{
    INFO(text);
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a state file reads back as written, every value with its origin")
{
    PfState s = state_of(two_vfs());
    record_runtime(s, 1, "trust", true);
    const PfState back = decode_state(encode_state(s), "state.json");
    CHECK(back == s);
    CHECK(back.vfs[0].at("mac").value == "02:11:22:33:44:55");
    CHECK(back.vfs[0].at("mac").origin == Origin::config);
    CHECK(back.vfs[1].at("trust").origin == Origin::runtime);
    CHECK(back.vfs[1].at("vlan").value == 100);
}

TEST_CASE("a torn state file is detected at every length it could have been cut to")
{
    PfState s = state_of(two_vfs());
    record_runtime(s, 0, "trust", true);
    const std::string whole = encode_state(s);
    // Every prefix of the file, as a crash in the middle of a non-atomic write would leave it.
    for (std::size_t n = 0; n + 1 < whole.size(); n += 7) {
        INFO("cut after " << n << " bytes");
        CHECK_THROWS_AS(decode_state(whole.substr(0, n), "state.json"), Error);
    }
}

TEST_CASE("a corrupt state file is reported with what is wrong")
{
    const std::string good = encode_state(state_of(two_vfs()));
    SECTION("a flipped value: the checksum does not match")
    {
        std::string bad = good;
        bad.replace(bad.find("02:11:22:33:44:55"), 17, "02:11:22:33:44:56");
        CHECK(contains(error_of(bad), "checksum"));
    }
    SECTION("not JSON")
    {
        CHECK(contains(error_of("{\"format\": \"sriovd-state\", \"ver"), "torn write"));
    }
    SECTION("another format")
    {
        CHECK(contains(error_of("{\"format\": \"other\"}"), "not a sriovd state file"));
    }
    SECTION("another version")
    {
        std::string bad = good;
        bad.replace(bad.find("\"version\": 1"), 12, "\"version\": 2");
        CHECK(contains(error_of(bad), "version 2"));
    }
}

TEST_CASE("state files are replaced atomically, mode 0640, and a torn one on disk is refused")
{
    const auto dir = scratch_dir();
    const auto path = dir / "state.json";
    CHECK_FALSE(load_state(path).has_value());

    PfState s = state_of(two_vfs());
    save_state(path, s);
    record_runtime(s, 0, "spoof_check", false);
    save_state(path, s);
    CHECK(load_state(path) == s);
    CHECK_FALSE(std::filesystem::exists(dir / "state.json.tmp"));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);

    // The test tears the file itself: only the first half of it reached the disk.
    const std::string whole = encode_state(s);
    write_file_atomically(path, whole.substr(0, whole.size() / 2), 0640);
    CHECK_THROWS_AS(load_state(path), Error);
    std::filesystem::remove_all(dir);
}

TEST_CASE("runtime values win over the configuration, value by value; config values follow the file")
{
    const DaemonConfig config = two_vfs();
    PfState saved = state_of(config);
    record_runtime(saved, 0, "mac", "02:aa:bb:cc:dd:ee");  // changed while sriovd ran
    saved.vfs[1]["vlan"].value = 200;                      // a config value the file no longer has

    std::vector<std::string> notes;
    const auto [merged, state] = apply_state(config, saved, notes);
    CHECK(merged.vfs[0].mac == MacAddress::parse("02:aa:bb:cc:dd:ee"));
    CHECK(merged.vfs[1].port_vlan == 100);  // the configuration file's, not the old 200
    CHECK(merged.drivers[0] == "igbvf");
    CHECK(state.vfs[0].at("mac").origin == Origin::runtime);
    CHECK(state.vfs[1].at("vlan").value == 100);
    REQUIRE(notes.size() == 1);
    CHECK(contains(notes[0], "VF 0: mac"));
}

TEST_CASE("a state file for another PF is ignored; VFs beyond the configured count are dropped")
{
    const DaemonConfig config = two_vfs();
    std::vector<std::string> notes;
    SECTION("another PF")
    {
        PfState saved = state_of(config);
        saved.pf = "0000:00:04.0";
        record_runtime(saved, 0, "trust", true);
        const auto [merged, state] = apply_state(config, saved, notes);
        CHECK_FALSE(merged.vfs[0].trusted);
        CHECK(state == state_of(config));
        CHECK(contains(notes.at(0), "ignored"));
    }
    SECTION("fewer VFs now")
    {
        DaemonConfig three = config;
        three.num_vfs = 3;
        three.vfs.resize(3);
        three.drivers.resize(3);
        PfState saved = state_of(three);
        record_runtime(saved, 2, "trust", true);
        const auto [merged, state] = apply_state(config, saved, notes);
        CHECK(state.vfs.size() == 2);
        CHECK(contains(notes.at(0), "dropped"));
    }
}

TEST_CASE("a runtime value that does not fit its key is refused")
{
    PfState saved = state_of(two_vfs());
    record_runtime(saved, 0, "mac", 42);
    std::vector<std::string> notes;
    CHECK_THROWS_AS(apply_state(two_vfs(), saved, notes), Error);
}

TEST_CASE("runtime values sriovd's policy refuses are reported with the VF and the value, and nothing is rewritten")
{
    const DaemonConfig config = two_vfs();
    PfState saved = state_of(config);
    std::string cause;
    unsigned vf = 0;
    SECTION("a port VLAN beyond 4095")
    {
        record_runtime(saved, vf = 1, "vlan", 5000);
        cause = "port VLAN 5000 is outside 1..4095";
    }
    SECTION("a QoS above 7")
    {
        record_runtime(saved, vf = 1, "qos", 9);
        cause = "QoS 9 is outside 0..7";
    }
    SECTION("a QoS left without its port VLAN")
    {
        record_runtime(saved, vf = 0, "qos", 3);  // VF 0 has no port VLAN
        cause = "a QoS needs a port VLAN";
    }
    SECTION("a multicast MAC")
    {
        record_runtime(saved, vf = 0, "mac", "01:00:5e:00:00:01");
        cause = "01:00:5e:00:00:01 is not a unicast address";
    }
    SECTION("a max_frame below the smallest frame")
    {
        record_runtime(saved, vf = 1, "max_frame", 10);
        cause = "max_frame 10 is below";
    }
    SECTION("more multicast groups than a VF can ask for")
    {
        record_runtime(saved, vf = 0, "max_multicast", 31);
        cause = "max_multicast 31 is above";
    }
    SECTION("more VLANs than the chip has filter entries")
    {
        record_runtime(saved, vf = 1, "max_vlans", 33);
        cause = "max_vlans 33 is above the 32 VLAN filter entries";
    }
    SECTION("an allowed VLAN beyond 4095")
    {
        record_runtime(saved, vf = 0, "allowed_vlans", nlohmann::json::array({10, 4096}));
        cause = "allowed VLAN 4096 is above 4095";
    }
    const auto dir = scratch_dir();
    const auto path = dir / "state.json";
    save_state(path, saved);
    const std::string before = read_file_if_present(path).value();

    std::vector<std::string> notes;
    try {
        apply_state(config, *load_state(path), notes);
        FAIL("the state file was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::protocol);
        CHECK(e.subject() == "state file, VF " + std::to_string(vf));
        CHECK(contains(e.cause(), cause));
        CHECK(contains(e.cause(), "left as it is"));
    }
    CHECK(read_file_if_present(path).value() == before);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a link state that is none of auto, enable and disable is refused, not taken for auto")
{
    PfState saved = state_of(two_vfs());
    record_runtime(saved, 1, "link_state", "sideways");
    std::vector<std::string> notes;
    try {
        apply_state(two_vfs(), saved, notes);
        FAIL("the state file was accepted");
    } catch (const Error& e) {
        CHECK(e.subject() == "state file, VF 1 key 'link_state'");
        CHECK(contains(e.cause(), "'sideways' is not auto, enable or disable"));
    }
}

TEST_CASE("a VF count changed at run time is kept, wins over the configuration, and new VFs get defaults")
{
    const DaemonConfig config = two_vfs();
    PfState state = state_of(config);
    record_runtime(state, 1, "trust", true);
    DaemonConfig effective = config;
    record_runtime_num_vfs(state, effective, 4, config);
    CHECK(effective.num_vfs == 4);
    CHECK(effective.drivers.size() == 4);
    CHECK(state.num_vfs == 4);
    CHECK(state.vfs.at(1).at("trust").origin == Origin::runtime);  // VF 1's change is kept
    CHECK(state.vfs.at(3).at("driver").value == "vfio-pci");
    CHECK(state.vfs.at(3).at("mac").value.is_null());

    // Written and read back, then laid over the configuration (which still says 2).
    const PfState read = decode_state(encode_state(state), "state.json");
    CHECK(read.num_vfs_origin == Origin::runtime);
    std::vector<std::string> notes;
    const auto [merged, merged_state] = apply_state(config, read, notes);
    CHECK(merged.num_vfs == 4);
    CHECK(merged.vfs.size() == 4);
    CHECK(merged.vfs[1].trusted);
    CHECK(merged.vfs[0].mac == config.vfs[0].mac);
    CHECK(merged_state.num_vfs_origin == Origin::runtime);
    CHECK(std::find(notes.begin(), notes.end(),
                    "num_vfs = 4 (changed at run time; wins over the configuration's 2)") != notes.end());

    // A count from the configuration (no num_vfs_origin in the file) follows the file, as before.
    PfState old = state_of(config);
    CHECK(encode_state(old).find("num_vfs_origin") == std::string::npos);
}

TEST_CASE("a generated MAC and the limits are kept by the state file as they were configured")
{
    DaemonConfig config = two_vfs();
    config.vfs[1].generated_mac = true;
    config.vfs[1].max_frame = 1522;
    config.vfs[1].max_multicast = 3;
    PfState state = state_of(config);
    CHECK(state.vfs[1].at("mac").value == "auto");
    record_runtime(state, 1, "max_multicast", 5);
    record_runtime(state, 1, "max_vlans", 2);
    const PfState read = decode_state(encode_state(state), "state.json");
    std::vector<std::string> notes;
    const auto [merged, ignored] = apply_state(config, read, notes);
    CHECK(merged.vfs[1].generated_mac);
    CHECK(merged.vfs[1].max_frame == 1522);
    CHECK(merged.vfs[1].max_multicast == 5);
    CHECK(merged.vfs[1].max_vlans == 2);
    CHECK(merged.vfs[0].max_vlans == 8);
}

TEST_CASE("lowering the VF count at run time and raising it again brings back the configuration's VFs")
{
    // The file: VF 0 on igbvf with a MAC, VF 1 with port VLAN 100 (two_vfs).
    const DaemonConfig config = two_vfs();
    PfState state = state_of(config);
    DaemonConfig effective = config;
    record_runtime(state, 0, "trust", true);
    effective.vfs[0].trusted = true;

    record_runtime_num_vfs(state, effective, 1, config);
    CHECK(effective.vfs.size() == 1);
    record_runtime_num_vfs(state, effective, 3, config);
    REQUIRE(effective.vfs.size() == 3);
    // VF 0 stayed and keeps its run-time change; VF 1 is the file's again; VF 2 has defaults.
    CHECK(effective.vfs[0].trusted);
    CHECK(state.vfs.at(0).at("trust").origin == Origin::runtime);
    CHECK(effective.drivers[0] == "igbvf");
    CHECK(effective.vfs[1].port_vlan == 100);
    CHECK(state.vfs.at(1).at("vlan").value == 100);
    CHECK(state.vfs.at(1).at("vlan").origin == Origin::config);
    CHECK(effective.drivers[1].empty());
    CHECK_FALSE(effective.vfs[2].port_vlan);
    CHECK(state.vfs.at(2).at("driver").value == "vfio-pci");

    // The same through the state file, at the next start: the file says 2, the state 3.
    std::vector<std::string> notes;
    const auto [merged, merged_state] = apply_state(config, decode_state(encode_state(state), "state.json"), notes);
    REQUIRE(merged.vfs.size() == 3);
    CHECK(merged.vfs[1].port_vlan == 100);
    CHECK(merged.drivers[0] == "igbvf");
}
