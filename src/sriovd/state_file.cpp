#include "state_file.hpp"

#include "atomic_file.hpp"
#include "pf/vf_policy.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "sriov/mac_address.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace sriov::sriovd {

namespace {

using nlohmann::json;

constexpr const char* format_name = "sriovd-state";

std::uint64_t fnv1a64(std::string_view data)
{
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (unsigned char c : data) {
        hash ^= c;
        hash *= 0x100000001b3ull;
    }
    return hash;
}

std::string checksum_of(const json& body) { return fmt::format("fnv1a64:{:016x}", fnv1a64(body.dump())); }

const char* to_string(Origin origin) { return origin == Origin::runtime ? "runtime" : "config"; }

// A VF's settings by configuration key.
std::map<std::string, json> values_of(const pf::VfAdmin& a, const std::string& driver)
{
    std::map<std::string, json> v;
    v["mac"] = a.mac ? json(a.mac->to_string()) : a.generated_mac ? json("auto") : json(nullptr);
    v["trust"] = a.trusted;
    v["vlan"] = a.port_vlan ? json(*a.port_vlan) : json(nullptr);
    v["qos"] = a.port_vlan_qos;
    v["allowed_vlans"] = a.allowed_vlans ? json(*a.allowed_vlans) : json(nullptr);
    v["spoof_check"] = a.spoof_check;
    v["link_state"] = std::string(pf::to_string(a.link_state));
    v["max_tx_rate"] = a.max_tx_rate_mbps;
    v["max_frame"] = a.max_frame;
    v["max_multicast"] = a.max_multicast;
    v["max_vlans"] = a.max_vlans;
    v["driver"] = driver.empty() ? "vfio-pci" : driver;
    v["min_tx_rate"] = a.min_tx_rate_mbps;
    v["vlan_protocol"] = a.port_vlan_802_1ad ? "802.1ad" : "802.1Q";
    v["query_rss"] = a.query_rss;
    return v;
}

// A whole number that fits T. json::get<T>() would take 1e300 or -1 or 70000 too: a fraction or a
// number beyond T is converted with undefined behaviour or silently wrapped. Throws sriov::Error
// (protocol, what) for anything else.
template <class T>
T whole(const json& v, std::string_view what)
{
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > std::numeric_limits<T>::max())
        throw Error(Errc::protocol, std::string(what),
                    fmt::format("{} is not a whole number from 0 to {}", v.dump(), std::numeric_limits<T>::max()));
    return static_cast<T>(v.get<std::uint64_t>());
}

// Sets one setting from its JSON value. Throws nlohmann::json exceptions or sriov::Error for a
// value that does not fit.
void set_value(pf::VfAdmin& a, std::string& driver, const std::string& key, const json& v)
{
    if (key == "mac") {
        a.generated_mac = v.is_string() && v.get<std::string>() == "auto";
        a.mac = v.is_null() || a.generated_mac ? std::nullopt : std::optional(MacAddress::parse(v.get<std::string>()));
    }
    else if (key == "trust")
        a.trusted = v.get<bool>();
    else if (key == "vlan")
        a.port_vlan = v.is_null() ? std::nullopt : std::optional(whole<std::uint16_t>(v, key));
    else if (key == "qos")
        a.port_vlan_qos = whole<std::uint8_t>(v, key);
    else if (key == "allowed_vlans") {
        a.allowed_vlans.reset();
        if (!v.is_null()) {
            a.allowed_vlans.emplace();
            for (const json& vid : v.get_ref<const json::array_t&>())
                a.allowed_vlans->push_back(whole<std::uint16_t>(vid, key));
        }
    } else if (key == "spoof_check")
        a.spoof_check = v.get<bool>();
    else if (key == "link_state") {
        const auto s = v.get<std::string>();
        if (s != "auto" && s != "enable" && s != "disable")
            throw Error(Errc::protocol, key, fmt::format("'{}' is not auto, enable or disable", s));
        a.link_state = s == "enable" ? pf::LinkMode::enable
            : s == "disable"         ? pf::LinkMode::disable
                                     : pf::LinkMode::automatic;
    } else if (key == "max_tx_rate")
        a.max_tx_rate_mbps = whole<unsigned>(v, key);
    else if (key == "max_frame")
        a.max_frame = whole<std::uint16_t>(v, key);
    else if (key == "max_multicast")
        a.max_multicast = whole<unsigned>(v, key);
    else if (key == "max_vlans")
        a.max_vlans = whole<unsigned>(v, key);
    else if (key == "driver")
        driver = v.get<std::string>() == "vfio-pci" ? std::string() : v.get<std::string>();
    else if (key == "min_tx_rate")
        a.min_tx_rate_mbps = whole<unsigned>(v, key);
    else if (key == "vlan_protocol") {
        const auto s = v.get<std::string>();
        if (s != "802.1Q" && s != "802.1ad")
            throw Error(Errc::protocol, key, fmt::format("'{}' is not 802.1Q or 802.1ad", s));
        a.port_vlan_802_1ad = s == "802.1ad";
    } else if (key == "query_rss")
        a.query_rss = v.get<bool>();
    else
        throw Error(Errc::protocol, key, "not a VF setting");
}

Error corrupt(const std::string& name, std::string cause)
{
    return Error(Errc::protocol, name,
                 fmt::format("{}; nothing of it was applied. Move it aside (sriovd then starts from the "
                             "configuration file alone) or restore it",
                             cause));
}

}  // namespace

std::string encode_state(const PfState& state)
{
    json vfs = json::array();
    for (const auto& vf : state.vfs) {
        json values = json::object();
        for (const auto& [key, v] : vf)
            values[key] = {{"value", v.value}, {"origin", to_string(v.origin)}};
        vfs.push_back(std::move(values));
    }
    json body = {{"pf", state.pf}, {"num_vfs", state.num_vfs}, {"vfs", std::move(vfs)}};
    if (state.num_vfs_origin == Origin::runtime)
        body["num_vfs_origin"] = to_string(Origin::runtime);
    json file = {{"format", format_name}, {"version", state_version}, {"checksum", checksum_of(body)},
                 {"body", body}};
    return file.dump(2) + "\n";
}

PfState decode_state(std::string_view text, const std::string& name)
{
    json file;
    try {
        file = json::parse(text);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for a number too large
        throw corrupt(name, fmt::format("not JSON, probably a torn write ({})", e.what()));
    }
    // Compared as JSON: value("format", "") would throw json::type_error for a format that is not a string.
    if (!file.is_object() || !file.contains("format") || file["format"] != format_name)
        throw corrupt(name, "not a sriovd state file (no \"format\": \"sriovd-state\")");
    if (!file.contains("version") || !file["version"].is_number_integer() || file["version"] != state_version)
        throw corrupt(name, fmt::format("version {} is not the version {} this sriovd reads",
                                        file.contains("version") ? file["version"].dump() : "(none)",
                                        state_version));
    if (!file.contains("body") || !file.contains("checksum") || !file["checksum"].is_string())
        throw corrupt(name, "no body or no checksum");
    const json& body = file["body"];
    const std::string expected = checksum_of(body);
    if (file["checksum"].get<std::string>() != expected)
        throw corrupt(name, fmt::format("checksum {} does not match its contents ({})",
                                        file["checksum"].get<std::string>(), expected));
    try {
        PfState state;
        state.pf = body.at("pf").get<std::string>();
        state.num_vfs = whole<unsigned>(body.at("num_vfs"), "num_vfs");
        if (body.contains("num_vfs_origin")) {
            const auto origin = body.at("num_vfs_origin").get<std::string>();
            if (origin != "config" && origin != "runtime")
                throw Error(Errc::protocol, "num_vfs_origin",
                            fmt::format("origin '{}' is not config or runtime", origin));
            state.num_vfs_origin = origin == "runtime" ? Origin::runtime : Origin::config;
        }
        for (const json& vf : body.at("vfs")) {
            std::map<std::string, StateValue> values;
            for (const auto& [key, v] : vf.items()) {
                const auto origin = v.at("origin").get<std::string>();
                if (origin != "config" && origin != "runtime")
                    throw Error(Errc::protocol, key,
                                fmt::format("origin '{}' is not config or runtime", origin));
                const Origin o = origin == "runtime" ? Origin::runtime : Origin::config;
                values[key] = StateValue{v.at("value"), o};
            }
            state.vfs.push_back(std::move(values));
        }
        if (state.vfs.size() != state.num_vfs)
            throw Error(Errc::protocol, "vfs", fmt::format("{} VFs listed, num_vfs is {}", state.vfs.size(),
                                                           state.num_vfs));
        return state;
    } catch (const json::exception& e) {
        throw corrupt(name, fmt::format("malformed body ({})", e.what()));
    } catch (const Error& e) {
        throw corrupt(name, fmt::format("malformed body ({}: {})", e.subject(), e.cause()));
    }
}

std::optional<PfState> load_state(const std::filesystem::path& path)
{
    const auto text = read_own_file_if_present(path);
    if (!text)
        return std::nullopt;
    return decode_state(*text, path.string());
}

void save_state(const std::filesystem::path& path, const PfState& state)
{
    write_file_atomically(path, encode_state(state), 0640);
}

PfState state_of(const DaemonConfig& config)
{
    PfState state;
    state.pf = config.pf;
    state.num_vfs = config.num_vfs;
    // A PF its kernel driver keeps is given only what the configuration declares.
    const bool declared_only = config.owner == owner_kernel;
    for (unsigned vf = 0; vf < config.num_vfs; ++vf) {
        std::map<std::string, StateValue> values;
        for (auto& [key, v] : values_of(config.vfs.at(vf), config.drivers.at(vf)))
            if (!declared_only || (vf < config.declared.size() && config.declared[vf].keys.count(key)))
                values[key] = StateValue{std::move(v), Origin::config};
        state.vfs.push_back(std::move(values));
    }
    return state;
}

std::pair<DaemonConfig, PfState> apply_state(const DaemonConfig& config, const PfState& saved,
                                             std::vector<std::string>& notes)
{
    DaemonConfig merged = config;
    PfState state = state_of(config);
    if (saved.pf != config.pf) {
        notes.push_back(fmt::format("the state file is for PF {}, not {}: ignored", saved.pf, config.pf));
        return {merged, state};
    }
    if (saved.num_vfs_origin == Origin::runtime) {
        const unsigned most = config.owner == owner_kernel ? max_vfs_any_pf : e82576::max_vfs;
        if (saved.num_vfs > most)
            throw Error(Errc::protocol, "state file, num_vfs",
                        fmt::format("{} VFs is more than {}", saved.num_vfs, most));
        if (saved.num_vfs != config.num_vfs)
            notes.push_back(fmt::format("num_vfs = {} (changed at run time; wins over the configuration's {})",
                                        saved.num_vfs, config.num_vfs));
        record_runtime_num_vfs(state, merged, saved.num_vfs, config);
    } else if (saved.num_vfs > config.num_vfs) {
        notes.push_back(fmt::format("the state file has {} VFs, the configuration {}: VFs {}..{} dropped",
                                    saved.num_vfs, config.num_vfs, config.num_vfs, saved.num_vfs - 1));
    }
    pf::VfPolicy policy(merged.num_vfs);
    for (unsigned vf = 0; vf < std::min(saved.num_vfs, merged.num_vfs); ++vf) {
        std::vector<std::string> runtime;
        for (const auto& [key, v] : saved.vfs[vf]) {
            if (v.origin != Origin::runtime)
                continue;
            try {
                set_value(merged.vfs[vf], merged.drivers[vf], key, v.value);
            } catch (const std::exception& e) {
                throw Error(Errc::protocol, fmt::format("state file, VF {} key '{}'", vf, key),
                            fmt::format("value {} does not fit: {}", v.value.dump(), e.what()));
            }
            state.vfs[vf][key] = v;
            runtime.push_back(fmt::format("{} = {}", key, v.value.dump()));
            notes.push_back(fmt::format("VF {}: {} = {} (changed at run time; wins over the configuration)",
                                        vf, key, v.value.dump()));
        }
        // What sriovd would refuse once the PF is up is refused now, before the state file is
        // rewritten or anything programmed: the file stays as it is, for the operator to mend.
        if (runtime.empty())
            continue;
        try {
            policy.set_admin(vf, merged.vfs[vf]);
        } catch (const Error& e) {
            throw Error(Errc::protocol, fmt::format("state file, VF {}", vf),
                        fmt::format("{} (its values changed at run time: {}); nothing of the file was applied "
                                    "and it was left as it is: mend or move it aside",
                                    e.cause(), fmt::join(runtime, ", ")));
        }
    }
    return {merged, state};
}

std::map<std::string, json> state_values(const pf::VfAdmin& admin, const std::string& driver)
{
    return values_of(admin, driver);
}

void record_runtime_num_vfs(PfState& state, DaemonConfig& config, unsigned num_vfs, const DaemonConfig& configured)
{
    const std::size_t had = std::min(config.vfs.size(), config.drivers.size());
    config.num_vfs = num_vfs;
    config.vfs.resize(num_vfs);
    config.drivers.resize(num_vfs);
    config.declared.resize(num_vfs);
    for (std::size_t vf = had; vf < num_vfs; ++vf) {
        config.vfs[vf] = vf < configured.vfs.size() ? configured.vfs[vf] : pf::VfAdmin{};
        config.drivers[vf] = vf < configured.drivers.size() ? configured.drivers[vf] : std::string{};
        config.declared[vf] = vf < configured.declared.size() ? configured.declared[vf] : VfDeclaration{};
    }
    const PfState fresh = state_of(config);
    state.vfs.resize(num_vfs);
    for (unsigned vf = 0; vf < num_vfs; ++vf)
        if (state.vfs[vf].empty())
            state.vfs[vf] = fresh.vfs[vf];
    state.num_vfs = num_vfs;
    state.num_vfs_origin = Origin::runtime;
}

void record_runtime(PfState& state, unsigned vf, const std::string& key, nlohmann::json value)
{
    if (vf >= state.vfs.size())
        throw Error(Errc::invalid_argument, fmt::format("VF {}", vf),
                    fmt::format("there are only {} VFs", state.vfs.size()));
    state.vfs[vf][key] = StateValue{std::move(value), Origin::runtime};
}

}  // namespace sriov::sriovd
