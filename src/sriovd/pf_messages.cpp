#include "pf_messages.hpp"

#include "pf/vf_provisioning.hpp"
#include "vfio/driver_binding.hpp"

#include <fmt/format.h>

namespace sriov::sriovd {

nlohmann::json event_json(const pci::Address& pf, const pf::PfEvent& e)
{
    nlohmann::json event{{"event", e.kind}, {"pf", pf.to_string()}, {"message", e.message}};
    if (e.vf)
        event["vf"] = *e.vf;
    return event;
}

std::string describe_vfs(const std::vector<pci::Address>& vfs, const std::vector<std::string>& drivers)
{
    if (vfs.empty())
        return "no VFs";
    std::string text;
    for (unsigned n = 0; n < vfs.size(); ++n)
        text += fmt::format("{}VF {} {} ({})", n ? ", " : "", n, vfs[n],
                            n >= drivers.size() || drivers[n].empty() ? std::string(pf::default_vf_driver)
                                                                      : drivers[n]);
    return text;
}

std::vector<std::string> bound_drivers(const std::vector<pci::Address>& vfs, const pci::Sysfs& sysfs)
{
    const pci::DriverBinding binding(sysfs);
    std::vector<std::string> drivers;
    for (const auto& vf : vfs) {
        std::optional<std::string> driver;
        try {
            driver = binding.current_driver(vf);
        } catch (const std::exception&) {
        }
        drivers.push_back(driver.value_or("no driver yet"));
    }
    return drivers;
}

}  // namespace sriov::sriovd
