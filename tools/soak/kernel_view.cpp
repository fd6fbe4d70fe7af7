#include "kernel_view.hpp"

#include "process.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

namespace sriov::soak {

namespace {

std::vector<std::string> ip(const std::string& netns)
{
    std::vector<std::string> argv = {"/sbin/ip"};
    if (!netns.empty())
        argv.insert(argv.end(), {"-n", netns});
    return argv;
}

}  // namespace

std::optional<std::string> vf_address(const std::string& pf, unsigned index)
{
    std::error_code ec;
    const auto target =
        std::filesystem::read_symlink(fmt::format("/sys/bus/pci/devices/{}/virtfn{}", pf, index), ec);
    if (ec)
        return std::nullopt;
    return target.filename().string();
}

unsigned sriov_numvfs(const std::string& pf)
{
    const std::string path = fmt::format("/sys/bus/pci/devices/{}/sriov_numvfs", pf);
    std::ifstream in(path);
    unsigned n = 0;
    if (!(in >> n))
        throw Error(Errc::io, path, "cannot be read");
    return n;
}

LinkView link_view(const std::string& iface, const std::string& netns)
{
    auto argv = ip(netns);
    argv.insert(argv.end(), {"-j", "link", "show", "dev", iface});
    const Outcome o = run(argv);
    if (!o.ok())
        throw Error(Errc::io, iface, fmt::format("ip link show failed: {}", o.output));
    try {
        const auto j = nlohmann::json::parse(o.output).at(0);
        LinkView v;
        v.mac = j.at("address").get<std::string>();
        for (const auto& flag : j.at("flags"))
            v.carrier = v.carrier || flag == "LOWER_UP";
        return v;
    } catch (const nlohmann::json::exception& e) {
        throw Error(Errc::protocol, iface, fmt::format("ip -j link show: {}: {}", e.what(), o.output));
    }
}

bool set_link_address(const std::string& iface, const std::string& netns, const std::string& mac)
{
    auto argv = ip(netns);
    argv.insert(argv.end(), {"link", "set", "dev", iface, "address", mac});
    return run(argv).ok();
}

}  // namespace sriov::soak
