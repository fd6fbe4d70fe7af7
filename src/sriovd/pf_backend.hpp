// The seam between sriovd's core and the two ways it reaches a PF.
//
// The core (PfInstance, ControlHandler) keeps what is the same for every PF: the configuration,
// the state file with each value's origin, the control protocol's answers, the events, the VF
// count's changes. A backend does what differs: how a setting reaches the device, what can be
// read back, which settings it can enforce at all, and the counters.
//
//   owner "sriovd"  VfioBackend (vfio_backend.hpp): the PF is sriovd's from user space through
//                   VFIO (an Intel 82576); sriovd programs its filters and serves the VFs' mailbox.
//   owner "kernel"  KernelBackend (kernel_backend.hpp): the PF stays with its kernel driver (igb,
//                   ixgbe, ice, mlx5...); sriovd asks that driver through rtnetlink.
//
// Everything here runs on sriovd's event loop, except provision(), which blocks (sysfs writes,
// driver probes) and runs on the provisioning thread.
#pragma once

#include "pf/vf_policy.hpp"
#include "sriov/control/protocol.hpp"
#include "vfio/pci_address.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sriov::sriovd {

class PfBackend {
public:
    virtual ~PfBackend() = default;

    // "sriovd" or "kernel", as the configuration's `owner` says it.
    virtual std::string_view owner() const = 0;
    virtual const pci::Address& address() const = 0;
    // The PF's network interface, for a PF that has one (named requests, logs); empty otherwise.
    virtual std::string interface() const = 0;
    virtual unsigned num_vfs() const = 0;
    // VF vf's desired settings, as they are in effect (configuration, state file and changes).
    virtual const pf::VfAdmin& admin(unsigned vf) const = 0;

    // --- What vfctl shows (include/sriov/control/protocol.hpp). ---
    // The PF's own keys of a show answer ("pf", "num_vfs" and "vfs" are the core's).
    virtual nlohmann::json show_pf() = 0;
    // VF vf's keys of a show answer as the device has them ("vf" and "origin" are the core's).
    virtual nlohmann::json show_vf(unsigned vf) = 0;
    // VF vf's entry of a stats answer.
    virtual nlohmann::json stats_vf(unsigned vf) = 0;
    // The "mailbox" object of a status answer; an empty object where there is no mailbox.
    virtual nlohmann::json mailbox_status() const = 0;

    // --- Changes. ---
    // Refuses settings this backend cannot enforce: throws sriov::Error(invalid_argument) whose
    // message names the setting and says why.
    virtual void check(unsigned vf, const control::VfSettings& settings) const = 0;
    // Makes VF vf's settings `admin`, of which `keys` (state file keys) changed. All or none: when
    // it throws, the VF is as it was. Throws sriov::Error: the policy's refusal (invalid_argument),
    // or the device's (a kernel driver's refusal, named with its words).
    virtual void apply(unsigned vf, const pf::VfAdmin& admin, const std::vector<std::string>& keys) = 0;
    // vfctl reset of a VF, and of the whole PF. Throws sriov::Error.
    virtual void reset_vf(unsigned vf) = 0;
    virtual void reset_pf() = 0;
    // Ends VF vf's quarantine; false if it was not quarantined. Throws sriov::Error.
    virtual bool release_vf(unsigned vf) = 0;

    // --- The VFs' life. ---
    // Creates the VFs, or adopts those there are, and binds the drivers (drivers[n] for VF n, where
    // the backend binds one). Blocks: off the loop. Returns the VFs. Throws sriov::Error.
    virtual std::vector<pci::Address> provision(const std::vector<std::string>& drivers) = 0;
    // On the loop once provision() returned.
    virtual void provisioned() = 0;
    // Whether the VFs were there before sriovd started (adopted, not created).
    virtual bool vfs_existed() const = 0;
    // Removes the VFs (remove_vfs_on_exit). Blocks: off the loop. Throws sriov::Error.
    virtual void remove_vfs() = 0;
    // Starts changing the VF count to n, VF m bound to drivers[m]; returns at once, events tell
    // the rest. record(m) runs on the loop once the old VFs are gone: it keeps the new count and
    // returns the settings of the m VFs to come. Throws sriov::Error: invalid_argument for a count
    // the PF cannot have, busy while a change is under way, unsupported where it cannot be done.
    virtual void set_num_vfs(unsigned n, std::vector<std::string> drivers,
                             std::function<std::vector<pf::VfAdmin>(unsigned m)> record) = 0;

protected:
    PfBackend() = default;
    PfBackend(const PfBackend&) = default;
    PfBackend& operator=(const PfBackend&) = default;
};

}  // namespace sriov::sriovd
