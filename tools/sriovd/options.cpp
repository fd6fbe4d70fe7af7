#include "options.hpp"

#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
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
        throw bad_option(option, text, fmt::format("there is no VF {}: --vfs is {}", vf, num_vfs));
    return {vf, text.substr(eq + 1)};
}

void check_vf_count(const Options& options)
{
    if (options.vfs > e82576::max_vfs)
        throw bad_option(
            "--vfs", std::to_string(options.vfs),
            fmt::format("an 82576 PF serves at most {} VFs: the PF keeps pool {} of its 8 for itself "
                        "(Linux igb has the same limit)",
                        e82576::max_vfs, e82576::max_vfs));
}

}  // namespace

pf::PfConfig make_config(const Options& options)
{
    check_vf_count(options);
    pf::PfConfig config;
    config.pf = pci::Address::parse(options.pf);
    config.num_vfs = options.vfs;
    config.vfs.resize(options.vfs);
    std::vector<bool> seen(options.vfs);
    for (const auto& text : options.vf_macs) {
        auto [vf, value] = split_indexed("--vf-mac", text, options.vfs);
        if (seen[vf])
            throw bad_option("--vf-mac", text, fmt::format("VF {} is given a MAC twice", vf));
        seen[vf] = true;
        const MacAddress mac = MacAddress::parse(value);
        if (!mac.is_valid_unicast())
            throw bad_option("--vf-mac", text, "a VF's MAC must be a unicast address, not all zeros");
        config.vfs[vf].mac = mac;
    }
    for (unsigned vf : options.trusted) {
        if (vf >= options.vfs)
            throw bad_option("--vf-trust", std::to_string(vf),
                             fmt::format("there is no VF {}: --vfs is {}", vf, options.vfs));
        config.vfs[vf].trusted = true;
    }
    return config;
}

std::vector<std::string> vf_drivers(const Options& options)
{
    check_vf_count(options);
    std::vector<std::string> drivers(options.vfs);
    for (const auto& text : options.vf_drivers) {
        auto [vf, driver] = split_indexed("--vf-driver", text, options.vfs);
        if (!drivers[vf].empty())
            throw bad_option("--vf-driver", text, fmt::format("VF {} is given a driver twice", vf));
        if (std::find(std::begin(vf_driver_names), std::end(vf_driver_names), driver) ==
            std::end(vf_driver_names))
            throw bad_option("--vf-driver", text, "the driver must be vfio-pci or igbvf");
        drivers[vf] = driver;
    }
    return drivers;
}

}  // namespace sriov::sriovd
