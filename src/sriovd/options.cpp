#include "options.hpp"

#include "metrics_address.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vfio/pci_discovery.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iterator>
#include <utility>

namespace sriov::sriovd {

namespace {

Error bad_option(std::string_view option, std::string_view value, std::string cause)
{
    return Error(Errc::invalid_argument, fmt::format("{} {}", option, value), std::move(cause));
}

// "N=VALUE" with N a VF number below num_vfs.
std::pair<unsigned, std::string> split_indexed(std::string_view option, const std::string& text,
                                               unsigned num_vfs)
{
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        throw bad_option(option, text, "expected N=VALUE, N being a VF number");
    unsigned vf = 0;
    const char* first = text.data();
    const char* last = text.data() + eq;
    const auto [end, ec] = std::from_chars(first, last, vf);
    if (ec != std::errc() || end != last)
        throw bad_option(option, text, fmt::format("'{}' is not a VF number", text.substr(0, eq)));
    if (vf >= num_vfs)
        throw bad_option(option, text, fmt::format("there is no VF {}: there are {} VFs", vf, num_vfs));
    return {vf, text.substr(eq + 1)};
}

void check_vf_count(unsigned vfs)
{
    if (vfs > e82576::max_vfs)
        throw bad_option(
            "--vfs", std::to_string(vfs),
            fmt::format("an 82576 PF serves at most {} VFs: the PF keeps pool {} of its 8 for itself "
                        "(Linux igb has the same limit)",
                        e82576::max_vfs, e82576::max_vfs));
}

DaemonConfig base_config(const Options& options)
{
    if (!options.config.empty())
        return load_config_file(options.config);
    if (options.pf.empty()) {
        if (!std::filesystem::exists(default_config_path))
            throw Error(Errc::invalid_argument, default_config_path,
                        "no configuration file, and no --pf: say which PF to manage");
        return load_config_file(default_config_path);
    }
    return DaemonConfig{};
}

void apply_overrides(const Options& options, DaemonConfig& config)
{
    const bool per_pf = !options.pf.empty() || options.vfs || !options.vf_macs.empty() || !options.trusted.empty() ||
        !options.vf_drivers.empty();
    if (per_pf && !config.other_pfs.empty())
        throw Error(Errc::invalid_argument, "--pf, --vfs, --vf-mac, --vf-trust, --vf-driver",
                    fmt::format("the configuration has {} PFs: these options cannot say which one they are "
                                "for; change the configuration file instead",
                                config.other_pfs.size() + 1));
    // The daemon-wide options apply to every PF.
    for (DaemonConfig& other : config.other_pfs) {
        if (!options.state_dir.empty())
            other.state_dir = options.state_dir;
        if (options.remove_vfs_on_exit)
            other.remove_vfs_on_exit = true;
        if (options.timeout_s)
            other.timeout_s = *options.timeout_s;
        if (!options.metrics.empty())
            other.metrics_listen = options.metrics;
    }
    if (!options.pf.empty()) {
        // A PCI address and vendor:device have a ':', which no interface name may have.
        if (options.pf.find(':') != std::string::npos) {
            config.pf = options.pf;
            config.interface.clear();
        } else {
            config.interface = options.pf;
            config.pf.clear();
        }
    }
    if (options.vfs) {
        check_vf_count(*options.vfs);
        config.num_vfs = *options.vfs;
    }
    config.vfs.resize(config.num_vfs);
    config.drivers.resize(config.num_vfs);
    config.declared.resize(config.num_vfs);
    // What the command line sets counts as declared, as a [[pf.vf]] table's keys do.
    const auto declare = [&](unsigned vf, const char* key) {
        config.declared[vf].listed = true;
        config.declared[vf].keys.insert(key);
    };

    std::vector<bool> seen(config.num_vfs);
    for (const auto& text : options.vf_macs) {
        auto [vf, value] = split_indexed("--vf-mac", text, config.num_vfs);
        if (seen[vf])
            throw bad_option("--vf-mac", text, fmt::format("VF {} is given a MAC twice", vf));
        seen[vf] = true;
        const MacAddress mac = MacAddress::parse(value);
        if (!mac.is_valid_unicast())
            throw bad_option("--vf-mac", text, "a VF's MAC must be a unicast address, not all zeros");
        config.vfs[vf].mac = mac;
        declare(vf, "mac");
    }
    for (unsigned vf : options.trusted) {
        if (vf >= config.num_vfs)
            throw bad_option("--vf-trust", std::to_string(vf),
                             fmt::format("there is no VF {}: there are {} VFs", vf, config.num_vfs));
        config.vfs[vf].trusted = true;
        declare(vf, "trust");
    }
    std::vector<bool> driven(config.num_vfs);
    for (const auto& text : options.vf_drivers) {
        auto [vf, driver] = split_indexed("--vf-driver", text, config.num_vfs);
        if (driven[vf])
            throw bad_option("--vf-driver", text, fmt::format("VF {} is given a driver twice", vf));
        driven[vf] = true;
        if (std::find(std::begin(vf_driver_names), std::end(vf_driver_names), driver) ==
            std::end(vf_driver_names))
            throw bad_option("--vf-driver", text, "the driver must be vfio-pci or igbvf");
        config.drivers[vf] = driver;
        declare(vf, "driver");
    }
    if (!options.state_dir.empty())
        config.state_dir = options.state_dir;
    if (options.remove_vfs_on_exit)
        config.remove_vfs_on_exit = true;
    if (options.timeout_s)
        config.timeout_s = *options.timeout_s;
    if (!options.metrics.empty()) {
        loopback_endpoint(options.metrics);  // refused here, before any PF is touched
        config.metrics_listen = options.metrics;
    }
}

std::uint16_t hex16(std::string_view text)
{
    std::uint16_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 16);
    if (ec != std::errc() || end != text.data() + text.size())
        throw Error(Errc::invalid_argument, std::string(text), "not a 4-digit hexadecimal id");
    return v;
}

// "8086:10c9": the one SR-IOV PF with that vendor and device id.
pci::Address find_pf(const std::string& id)
{
    const auto pfs = pci::find_pfs(pci::PciDiscovery().list(), hex16(id.substr(0, 4)), hex16(id.substr(5)));
    if (pfs.empty())
        throw Error(Errc::not_found, id, "no SR-IOV PF with this vendor:device");
    if (pfs.size() > 1)
        throw Error(Errc::busy, id,
                    fmt::format("{} PFs have this vendor:device (the first is {}): name the PF by its PCI "
                                "address",
                                pfs.size(), pfs[0].address));
    return pfs[0].address;
}

}  // namespace

DaemonConfig daemon_config(const Options& options)
{
    DaemonConfig config = base_config(options);
    apply_overrides(options, config);
    if (config.pf.empty() && config.interface.empty())
        throw Error(Errc::invalid_argument, "--pf", "no PF given: use --pf or a configuration file");
    return config;
}

pf::PfConfig pf_config(const DaemonConfig& config)
{
    pf::PfConfig pf;
    const bool by_id = config.pf.size() == 9 && config.pf[4] == ':';
    pf.pf = by_id ? find_pf(config.pf) : pci::Address::parse(config.pf);
    pf.num_vfs = config.num_vfs;
    pf.vfs = config.vfs;
    pf.policing = config.policing;
    return pf;
}

pf::PfConfig make_config(const Options& options) { return pf_config(daemon_config(options)); }

std::vector<std::string> vf_drivers(const Options& options) { return daemon_config(options).drivers; }

}  // namespace sriov::sriovd
