#include "kernel_drift.hpp"

#include "netlink/vf_reconcile.hpp"

#include <fmt/format.h>

namespace sriov::sriovd {

DriftCheck drift_of(const nl::VfSettings& desired, const nl::VfSettings& found, bool trusted, bool restore,
                       const std::string& last_reported)
{
    DriftCheck c;
    c.want = desired;
    if (trusted && desired.mac && found.mac && *found.mac != *desired.mac && !found.mac->is_zero()) {
        c.adopt_mac = *found.mac;
        c.want.mac = found.mac;
    }
    for (const auto& d : nl::differences(c.want, found))
        c.text += fmt::format("{}{} {} (desired {})", c.text.empty() ? "" : ", ", d.setting, d.found, d.desired);
    c.report = !c.text.empty() && c.text != last_reported;
    c.restore = !c.text.empty() && restore;
    return c;
}

}  // namespace sriov::sriovd
