#include "config_file.hpp"

#include "atomic_file.hpp"
#include "metrics_address.hpp"
#include "options.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "sriov/mac_address.hpp"

#include <fmt/format.h>
#include <toml.hpp>

#include <algorithm>
#include <initializer_list>
#include <sstream>

namespace sriov::sriovd {

namespace {

// Reads one table of the file, naming the file and line of every error.
class Reader {
public:
    Reader(const toml::value& table, std::string name, std::string where)
        : table_(table), name_(std::move(name)), where_(std::move(where))
    {
    }

    // Every key must be one of these.
    void only(std::initializer_list<std::string_view> keys) const
    {
        for (const auto& [key, value] : table_.as_table())
            if (std::find(keys.begin(), keys.end(), key) == keys.end())
                throw bad(value, key,
                          fmt::format("unknown key; {} allows: {}", where_, fmt::join(keys, ", ")));
    }

    const toml::value* get(const std::string& key) const
    {
        const auto& t = table_.as_table();
        const auto it = t.find(key);
        return it == t.end() ? nullptr : &it->second;
    }

    std::optional<std::string> string(const std::string& key) const
    {
        const toml::value* v = get(key);
        if (!v)
            return std::nullopt;
        if (!v->is_string())
            throw bad(*v, key, "must be a string");
        return v->as_string().str;
    }

    std::optional<bool> boolean(const std::string& key) const
    {
        const toml::value* v = get(key);
        if (!v)
            return std::nullopt;
        if (!v->is_boolean())
            throw bad(*v, key, "must be true or false");
        return v->as_boolean();
    }

    std::optional<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max) const
    {
        const toml::value* v = get(key);
        if (!v)
            return std::nullopt;
        return integer_value(*v, key, min, max);
    }

    std::int64_t integer_value(const toml::value& v, const std::string& key, std::int64_t min,
                               std::int64_t max) const
    {
        if (!v.is_integer())
            throw bad(v, key, fmt::format("must be an integer in {}..{}", min, max));
        const std::int64_t n = v.as_integer();
        if (n < min || n > max)
            throw bad(v, key, fmt::format("{} is outside {}..{}", n, min, max));
        return n;
    }

    // A key that must be there.
    const toml::value& required(const std::string& key, std::string_view what) const
    {
        const toml::value* v = get(key);
        if (!v)
            throw bad(table_, key, fmt::format("missing in {}: {}", where_, what));
        return *v;
    }

    Error bad(const toml::value& v, std::string_view key, std::string cause) const
    {
        return Error(Errc::invalid_argument, fmt::format("{}:{}", name_, v.location().line()),
                     fmt::format("{} key '{}': {}", where_, key, cause));
    }

private:
    const toml::value& table_;
    std::string name_;
    std::string where_;
};

void read_daemon(const toml::value& table, const std::string& name, DaemonConfig& config)
{
    const Reader r(table, name, "[daemon]");
    r.only({"state_dir", "remove_vfs_on_exit", "timeout_s", "group"});
    if (auto group = r.string("group")) {
        if (group->empty())
            throw r.bad(*r.get("group"), "group", "must name a group (or be left out: root only)");
        config.group = *group;
    }
    if (auto dir = r.string("state_dir")) {
        if (dir->empty() || dir->front() != '/')
            throw r.bad(*r.get("state_dir"), "state_dir", "must be an absolute path");
        config.state_dir = *dir;
    }
    config.remove_vfs_on_exit = r.boolean("remove_vfs_on_exit").value_or(false);
    config.timeout_s = static_cast<unsigned>(r.integer("timeout_s", 1, 3600).value_or(30));
}

void read_metrics(const toml::value& table, const std::string& name, DaemonConfig& config)
{
    const Reader r(table, name, "[metrics]");
    r.only({"listen"});
    if (auto listen = r.string("listen")) {
        try {
            loopback_endpoint(*listen);
        } catch (const Error& e) {
            throw r.bad(*r.get("listen"), "listen", e.cause());
        }
        config.metrics_listen = *listen;
    }
}

void read_policing(const toml::value& table, const std::string& name, DaemonConfig& config)
{
    const Reader r(table, name, "[policing]");
    r.only({"requests_per_s", "burst", "max_malformed", "max_refused", "max_dropped", "window_s"});
    pf::PolicingLimits& p = config.policing;
    if (auto v = r.integer("requests_per_s", 1, 100000))
        p.requests_per_s = static_cast<double>(*v);
    if (auto v = r.integer("burst", 1, 100000))
        p.burst = static_cast<unsigned>(*v);
    if (auto v = r.integer("max_malformed", 0, 1000000))
        p.max_malformed = static_cast<unsigned>(*v);
    if (auto v = r.integer("max_refused", 0, 1000000))
        p.max_refused = static_cast<unsigned>(*v);
    if (auto v = r.integer("max_dropped", 0, 1000000))
        p.max_dropped = static_cast<unsigned>(*v);
    if (auto v = r.integer("window_s", 1, 86400))
        p.window = std::chrono::seconds(*v);
}

std::string drift_mode(const Reader& r, const std::string& text)
{
    if (text != "restore" && text != "report")
        throw r.bad(*r.get("on_drift"), "on_drift", fmt::format("'{}' is not restore or report", text));
    return text;
}

pf::LinkMode link_mode(const Reader& r, const std::string& text)
{
    if (text == "auto")
        return pf::LinkMode::automatic;
    if (text == "enable")
        return pf::LinkMode::enable;
    if (text == "disable")
        return pf::LinkMode::disable;
    throw r.bad(*r.get("link_state"), "link_state", fmt::format("'{}' is not auto, enable or disable", text));
}

void read_vf(const toml::value& table, const std::string& name, DaemonConfig& config, std::vector<bool>& seen)
{
    const Reader r(table, name, "[[pf.vf]]");
    r.only({"index", "mac", "trust", "vlan", "qos", "allowed_vlans", "spoof_check", "link_state",
            "max_tx_rate", "max_frame", "max_multicast", "max_vlans", "driver", "min_tx_rate", "vlan_protocol",
            "query_rss", "managed", "on_drift"});
    if (config.num_vfs == 0)
        throw r.bad(table, "index", "num_vfs is 0: there is no VF to configure");
    const toml::value& index = r.required("index", "the VF's number");
    const auto vf = static_cast<unsigned>(r.integer_value(index, "index", 0, config.num_vfs - 1));
    if (seen[vf])
        throw r.bad(index, "index", fmt::format("VF {} is configured twice", vf));
    seen[vf] = true;

    VfDeclaration& d = config.declared[vf];
    d.listed = true;
    d.managed = r.boolean("managed").value_or(true);
    if (auto mode = r.string("on_drift"))
        d.on_drift = drift_mode(r, *mode);
    for (const auto& [key, value] : table.as_table())
        if (key != "index" && key != "managed" && key != "on_drift")
            d.keys.insert(key == "vlan_protocol" ? "vlan_protocol" : key);
    if (d.keys.count("vlan"))
        d.keys.insert("qos");  // a port VLAN without qos has priority 0, as iproute2 sends it

    pf::VfAdmin& a = config.vfs[vf];
    if (auto mac = r.string("mac"); mac && *mac == "auto") {
        a.generated_mac = true;
    } else if (mac) {
        try {
            a.mac = MacAddress::parse(*mac);
        } catch (const Error& e) {
            throw r.bad(*r.get("mac"), "mac",
                        fmt::format("'{}' is not a MAC address like 02:11:22:33:44:55, or \"auto\"", *mac));
        }
        if (!a.mac->is_valid_unicast())
            throw r.bad(*r.get("mac"), "mac",
                        fmt::format("{} is not a unicast address a VF can use", *a.mac));
    }
    a.trusted = r.boolean("trust").value_or(false);
    if (auto vid = r.integer("vlan", 1, 4095))
        a.port_vlan = static_cast<std::uint16_t>(*vid);
    if (auto qos = r.integer("qos", 0, 7)) {
        if (!a.port_vlan)
            throw r.bad(*r.get("qos"), "qos", "needs a port VLAN (key 'vlan') to tag with");
        a.port_vlan_qos = static_cast<std::uint8_t>(*qos);
    }
    if (const toml::value* list = r.get("allowed_vlans")) {
        if (!list->is_array())
            throw r.bad(*list, "allowed_vlans", "must be an array of VLAN IDs 0..4095, e.g. [10, 20]");
        std::vector<std::uint16_t> vids;
        for (const toml::value& v : list->as_array())
            vids.push_back(static_cast<std::uint16_t>(r.integer_value(v, "allowed_vlans", 0, 4095)));
        if (a.port_vlan && !vids.empty())
            throw r.bad(*list, "allowed_vlans", "a VF with a port VLAN may not choose VLANs");
        a.allowed_vlans = std::move(vids);
    }
    a.spoof_check = r.boolean("spoof_check").value_or(true);
    if (auto mode = r.string("link_state"))
        a.link_state = link_mode(r, *mode);
    a.max_tx_rate_mbps = static_cast<unsigned>(r.integer("max_tx_rate", 0, 100000).value_or(0));
    if (auto bytes = r.integer("max_frame", 0, 16383)) {
        if (*bytes != 0 && *bytes < 64)
            throw r.bad(*r.get("max_frame"), "max_frame", "must be 0 (the chip's limit) or 64..16383 bytes");
        a.max_frame = static_cast<std::uint16_t>(*bytes);
    }
    a.max_multicast = static_cast<unsigned>(r.integer("max_multicast", 0, 30).value_or(30));
    a.max_vlans = static_cast<unsigned>(r.integer("max_vlans", 0, 32).value_or(8));
    a.min_tx_rate_mbps = static_cast<unsigned>(r.integer("min_tx_rate", 0, 100000).value_or(0));
    if (auto proto = r.string("vlan_protocol")) {
        if (*proto != "802.1Q" && *proto != "802.1ad")
            throw r.bad(*r.get("vlan_protocol"), "vlan_protocol", fmt::format("'{}' is not 802.1Q or 802.1ad", *proto));
        if (!a.port_vlan)
            throw r.bad(*r.get("vlan_protocol"), "vlan_protocol", "needs a port VLAN (key 'vlan') to tag with");
        a.port_vlan_802_1ad = *proto == "802.1ad";
    }
    a.query_rss = r.boolean("query_rss").value_or(false);
    if (auto driver = r.string("driver")) {
        const auto* end = std::end(vf_driver_names);
        const bool known = std::find(std::begin(vf_driver_names), end, *driver) != end;
        const bool name_ok = !driver->empty() && driver->size() < 64 &&
            std::all_of(driver->begin(), driver->end(), [](char c) { return std::isalnum(c) || c == '_' || c == '-'; });
        if (config.owner == owner_sriovd ? !known : !name_ok)
            throw r.bad(*r.get("driver"), "driver",
                        config.owner == owner_sriovd ? fmt::format("'{}' is not igbvf or vfio-pci", *driver)
                                                     : fmt::format("'{}' is not a driver name", *driver));
        config.drivers[vf] = *driver;
    }
}

void read_pf(const toml::value& table, const std::string& name, DaemonConfig& config)
{
    const Reader r(table, name, "[[pf]]");
    r.only({"pci", "device", "interface", "owner", "on_drift", "num_vfs", "vf"});
    const auto pci = r.string("pci");
    const auto device = r.string("device");
    const auto interface = r.string("interface");
    if ((pci ? 1 : 0) + (device ? 1 : 0) + (interface ? 1 : 0) > 1)
        throw r.bad(table, "pci", "give one of pci, device and interface, not more");
    if (!pci && !device && !interface)
        throw r.bad(table, "pci", "missing in [[pf]]: the PF's PCI address (pci = \"0000:00:02.0\"), its "
                                  "vendor:device (device = \"8086:10c9\") or its interface (interface = \"eth0\")");
    if (auto owner = r.string("owner")) {
        if (*owner != owner_sriovd && *owner != owner_kernel)
            throw r.bad(*r.get("owner"), "owner",
                        fmt::format("'{}' is not \"sriovd\" (a PF sriovd owns from user space) or \"kernel\" (a PF "
                                    "its kernel driver keeps)",
                                    *owner));
        config.owner = *owner;
    }
    if (auto mode = r.string("on_drift"))
        config.on_drift = drift_mode(r, *mode);
    if (interface) {
        const bool ok = !interface->empty() && interface->size() < 16 && *interface != "." && *interface != ".." &&
            std::none_of(interface->begin(), interface->end(), [](char c) { return c == '/' || std::isspace(c) || c == ':'; });
        if (!ok)
            throw r.bad(*r.get("interface"), "interface", fmt::format("'{}' is not a network interface name", *interface));
        if (config.owner == owner_sriovd)
            throw r.bad(*r.get("interface"), "interface",
                        "a PF sriovd owns has no network interface: name it by pci or device");
        config.interface = *interface;
    } else if (pci) {
        try {
            config.pf = pci::Address::parse(*pci).to_string();
        } catch (const Error&) {
            throw r.bad(*r.get("pci"), "pci",
                        fmt::format("'{}' is not a PCI address like 0000:00:02.0", *pci));
        }
    } else {
        const bool ok = device->size() == 9 && (*device)[4] == ':' &&
            std::all_of(device->begin(), device->end(), [](char c) { return c == ':' || std::isxdigit(c); });
        if (!ok)
            throw r.bad(*r.get("device"), "device",
                        fmt::format("'{}' is not vendor:device like 8086:10c9", *device));
        config.pf = *device;
    }
    const unsigned most = config.owner == owner_sriovd ? e82576::max_vfs : max_vfs_any_pf;
    r.required("num_vfs", fmt::format("how many VFs to create (0..{})", most));
    config.num_vfs = static_cast<unsigned>(*r.integer("num_vfs", 0, most));
    config.vfs.assign(config.num_vfs, pf::VfAdmin{});
    config.drivers.assign(config.num_vfs, std::string());
    config.declared.assign(config.num_vfs, VfDeclaration{});
    std::vector<bool> seen(config.num_vfs);
    if (const toml::value* vfs = r.get("vf")) {
        if (!vfs->is_array())
            throw r.bad(*vfs, "vf", "must be an array of tables: write [[pf.vf]]");
        for (const toml::value& vf : vfs->as_array()) {
            if (!vf.is_table())
                throw r.bad(vf, "vf", "must be an array of tables: write [[pf.vf]]");
            read_vf(vf, name, config, seen);
        }
    }
    if (!config.owner.empty()) {
        try {
            check_owner_keys(config, config.owner);
        } catch (const Error& e) {
            throw Error(Errc::invalid_argument, name, e.what());
        }
    }
}

// Where text stops being UTF-8 (an offset), or npos. A TOML file must be UTF-8; and the toml11 of
// Debian 12 (3.7.1) reads past its buffer when it reports bad UTF-8 in a literal string (toml11
// issue 199, fixed upstream in 2023), so such text must not reach it.
std::size_t invalid_utf8_at(std::string_view text)
{
    static constexpr std::uint32_t least[] = {0, 0x80, 0x800, 0x10000};  // against overlong forms
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        // How many continuation bytes follow the lead byte (C0, C1, F5..FF are never valid).
        const std::size_t more = lead < 0x80 ? 0
            : lead < 0xC2                    ? 4
            : lead < 0xE0                    ? 1
            : lead < 0xF0                    ? 2
            : lead < 0xF5                    ? 3
                                             : 4;
        if (more == 4 || more >= text.size() - i)
            return i;
        std::uint32_t code = lead & (0x7Fu >> more);  // the lead byte's bits below its length marker
        for (std::size_t k = 1; k <= more; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0u) != 0x80u)
                return i;
            code = code << 6 | (next & 0x3Fu);
        }
        if (code < least[more] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return i;
        i += more + 1;
    }
    return std::string_view::npos;
}

}  // namespace

DaemonConfig parse_config(std::string_view text, const std::string& name)
{
    if (const std::size_t bad = invalid_utf8_at(text); bad != std::string_view::npos)
        throw Error(Errc::invalid_argument,
                    fmt::format("{}:{}", name, 1 + std::ranges::count(text.substr(0, bad), '\n')),
                    fmt::format("not valid TOML: byte {} of the file (0x{:02x}) is not UTF-8 text", bad,
                                static_cast<unsigned char>(text[bad])));
    std::istringstream in{std::string(text)};
    toml::value root;
    try {
        root = toml::parse(in, name);
    } catch (const toml::exception& e) {
        throw Error(Errc::invalid_argument, name, fmt::format("not valid TOML: {}", e.what()));
    }
    DaemonConfig config;
    const Reader r(root, name, "the top level");
    r.only({"daemon", "policing", "metrics", "pf"});
    if (const toml::value* daemon = r.get("daemon")) {
        if (!daemon->is_table())
            throw r.bad(*daemon, "daemon", "must be a table: write [daemon]");
        read_daemon(*daemon, name, config);
    }
    if (const toml::value* policing = r.get("policing")) {
        if (!policing->is_table())
            throw r.bad(*policing, "policing", "must be a table: write [policing]");
        read_policing(*policing, name, config);
        config.policing_given = true;
    }
    if (const toml::value* metrics = r.get("metrics")) {
        if (!metrics->is_table())
            throw r.bad(*metrics, "metrics", "must be a table: write [metrics]");
        read_metrics(*metrics, name, config);
    }
    const toml::value* pfs = r.get("pf");
    if (!pfs || !pfs->is_array() || pfs->as_array().empty())
        throw Error(Errc::invalid_argument, name, "no [[pf]] table: sriovd needs a PF to manage");
    const DaemonConfig daemon_wide = config;
    for (std::size_t i = 0; i < pfs->as_array().size(); ++i) {
        const toml::value& table = pfs->as_array()[i];
        if (!table.is_table())
            throw r.bad(table, "pf", "must be an array of tables: write [[pf]]");
        DaemonConfig one = daemon_wide;
        read_pf(table, name, one);
        const auto same = [&](const DaemonConfig& other) { return pf_name(other) == pf_name(one); };
        if (i > 0 && (same(config) || std::any_of(config.other_pfs.begin(), config.other_pfs.end(), same)))
            throw r.bad(table, "pf", fmt::format("PF {} is given twice", pf_name(one)));
        if (i == 0)
            config = std::move(one);
        else
            config.other_pfs.push_back(std::move(one));
    }
    // Where every owner is written down, a [policing] that applies to nothing is refused now;
    // otherwise once the owners are known (run_daemon).
    std::vector<std::string> owners;
    for (const DaemonConfig& one : all_pfs(config))
        owners.push_back(one.owner);
    if (std::none_of(owners.begin(), owners.end(), [](const std::string& o) { return o.empty(); }))
        check_policing(config, owners);
    return config;
}

void check_policing(const DaemonConfig& config, const std::vector<std::string>& owners)
{
    if (!config.policing_given || owners.empty())
        return;
    if (std::all_of(owners.begin(), owners.end(), [](const std::string& o) { return o == owner_kernel; }))
        throw Error(Errc::invalid_argument, "[policing]",
                    "polices the mailbox of PFs sriovd owns, and every PF here is kept by its kernel driver, which "
                    "serves its VFs' mailbox itself: remove [policing]");
}

std::string pf_name(const DaemonConfig& config) { return config.pf.empty() ? config.interface : config.pf; }

void check_owner_keys(const DaemonConfig& config, const std::string& owner)
{
    // Enforced by sriovd on the mailbox: a kernel driver has no such setting.
    static constexpr const char* user_space_only[] = {"allowed_vlans", "max_frame", "max_multicast", "max_vlans"};
    // rtnetlink settings the 82576 as sriovd runs it does not have.
    static constexpr const char* kernel_only[] = {"min_tx_rate", "query_rss"};
    for (unsigned vf = 0; vf < config.declared.size(); ++vf) {
        const VfDeclaration& d = config.declared[vf];
        const auto where = fmt::format("PF {}, VF {}", pf_name(config), vf);
        const auto refuse = [&](const std::string& key, const std::string& why) {
            throw Error(Errc::invalid_argument, where, fmt::format("{}: {}", key, why));
        };
        if (owner == owner_kernel) {
            for (const char* key : user_space_only)
                if (d.keys.count(key))
                    refuse(key, "only a PF sriovd owns from user space can enforce it (its kernel driver has no "
                                "such setting): remove it, or use owner = \"sriovd\" on an 82576");
        } else {
            for (const char* key : kernel_only)
                if (d.keys.count(key))
                    refuse(key, "only a PF its kernel driver keeps has it: remove it, or use owner = \"kernel\"");
            if (vf < config.vfs.size() && config.vfs[vf].port_vlan_802_1ad)
                refuse("vlan_protocol", "the 82576 tags port VLANs with 802.1Q only");
            if (!d.managed)
                refuse("managed", "every VF of a PF sriovd owns is managed: remove the key");
            if (!d.on_drift.empty())
                refuse("on_drift", "a PF sriovd owns has no kernel state to drift: remove the key");
            if (vf < config.drivers.size() && !config.drivers[vf].empty() &&
                std::find(std::begin(vf_driver_names), std::end(vf_driver_names), config.drivers[vf]) ==
                    std::end(vf_driver_names))
                refuse("driver", fmt::format("'{}' is not igbvf or vfio-pci", config.drivers[vf]));
        }
    }
}

std::vector<DaemonConfig> all_pfs(const DaemonConfig& config)
{
    std::vector<DaemonConfig> pfs{config};
    pfs.front().other_pfs.clear();
    pfs.insert(pfs.end(), config.other_pfs.begin(), config.other_pfs.end());
    return pfs;
}

DaemonConfig load_config_file(const std::filesystem::path& path)
{
    const auto text = read_file_if_present(path);
    if (!text)
        throw Error(Errc::not_found, path.string(), "no such configuration file");
    return parse_config(*text, path.string());
}

}  // namespace sriov::sriovd
