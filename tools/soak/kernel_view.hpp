// What the guest kernel shows, read without asking sriovd: sysfs for PCI functions, iproute2 for
// interfaces (in any network namespace).
#pragma once

#include <optional>
#include <string>

namespace sriov::soak {

// The PCI address of VF index of pf (sysfs virtfnN), or nothing if it does not exist.
std::optional<std::string> vf_address(const std::string& pf, unsigned index);
// pf's sriov_numvfs. Throws sriov::Error if it cannot be read.
unsigned sriov_numvfs(const std::string& pf);

struct LinkView {
    std::string mac;
    bool carrier = false;  // LOWER_UP
};
// `ip -j [-n NETNS] link show dev IFACE`. Throws sriov::Error if iproute2 cannot show it.
LinkView link_view(const std::string& iface, const std::string& netns);
// `ip [-n NETNS] link set dev IFACE address MAC`: whether the VF's driver was allowed to.
bool set_link_address(const std::string& iface, const std::string& netns, const std::string& mac);

}  // namespace sriov::soak
