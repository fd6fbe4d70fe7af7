// How sriovd tells of a PF, whatever owns it: an event as vfctl monitor gets it, and the list of
// its VFs with their drivers as the log says it.
#pragma once

#include "pf/pf_event.hpp"
#include "vfio/pci_address.hpp"
#include "vfio/sysfs.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sriov::sriovd {

// {"event":KIND,"pf":ADDRESS,"vf":N,"message":TEXT} ("vf" only for an event of one VF).
nlohmann::json event_json(const pci::Address& pf, const pf::PfEvent& event);

// "VF 0 0000:00:10.0 (igbvf), VF 1 ..."; a VF without a driver name gets vfio-pci's; "no VFs"
// when there are none.
std::string describe_vfs(const std::vector<pci::Address>& vfs, const std::vector<std::string>& drivers);

// The driver the kernel shows bound to each VF (sysfs), "no driver yet" for one it has not bound:
// what the "ready:" line says, whoever chose the driver (the configuration, sriovd's default, or
// the kernel's own probe for a PF its driver keeps).
std::vector<std::string> bound_drivers(const std::vector<pci::Address>& vfs, const pci::Sysfs& sysfs = pci::Sysfs());

}  // namespace sriov::sriovd
