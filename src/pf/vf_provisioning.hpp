// The sysfs side of running a PF from user space: taking the PF for vfio-pci, creating its VFs
// and handing each to its driver (and, for vfio-pci, the operators' group access to its device
// file), and removing them again.
//
// These block (sysfs writes, driver probes, the kernel's wait for VF users to let go), so call
// them away from the event loop that serves the mailbox: a VF driver talks to the PF while it is
// being probed, and a PF that does not answer then makes it give up (igbvf: "PF still in reset").
#pragma once

#include "vfio/driver_binding.hpp"
#include "vfio/pci_address.hpp"
#include "vfio/sriov_control.hpp"
#include "vfio/sysfs.hpp"

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sriov::pf {

inline constexpr std::string_view default_vf_driver = "vfio-pci";

// Who besides root may open a VF given to vfio-pci. The kernel makes /dev/vfio/<IOMMU group>
// root's alone (0600); with a group, that file becomes root:<group> 0660, so that the group's
// members can run libvf programs on the VF without root. The VFIO container (/dev/vfio/vfio) is
// open to all already (0666), and the VF token and the IOMMU still stand between a member and
// any VF sriovd did not hand out.
struct VfAccess {
    std::optional<gid_t> group;                // none: leave the kernel's root-only mode alone
    std::filesystem::path dev_root = "/dev";   // where vfio/<group> is; tests use a temporary dir
    // What vfio/<group> must be before its group and mode are changed: the kernel's character
    // device, root's. Tests, whose fake /dev holds regular files of their own, say so here.
    mode_t device_type = S_IFCHR;
    uid_t device_owner = 0;
};

class VfProvisioner {
public:
    // timeout: the longest a change of the VF count may block (see pci::SriovControl).
    // access: who may open the VFs bound to vfio-pci (see VfAccess).
    explicit VfProvisioner(pci::Sysfs sysfs = pci::Sysfs(),
                           std::chrono::milliseconds timeout = pci::SriovControl::default_timeout,
                           VfAccess access = {});

    // Switches the PF's PCI resets off (see disable_pf_reset()), binds the PF to vfio-pci (if it is
    // not already). VFs it has already are kept when there are
    // exactly keep_num_vfs of them (a restarted sriovd takes its PF back while the VF drivers keep
    // running) and removed otherwise, so that the PF can be brought up before VFs exist.
    // Returns true when the VFs were kept. Pass keep_num_vfs = 0 to remove any VFs.
    // A PF bound to another driver (igb, with the host's network interface on it) is taken from
    // it only with take_over; otherwise nothing is changed.
    // Throws sriov::Error (subject = pf): busy for a PF bound elsewhere without take_over (names
    // the driver and its network interfaces); as pci::DriverBinding::bind (not_found: vfio-pci not
    // loaded; no_iommu; busy) and pci::SriovControl::set_num_vfs (timeout: a VF is held open,
    // naming who holds it); permission or io if reset_method cannot be written.
    bool claim_pf(const pci::Address& pf, unsigned keep_num_vfs = 0, bool take_over = false) const;

    // The PF's VFs as the kernel shows them, VF 0 first, each bound to drivers[n] (vfio-pci where
    // drivers has no entry or an empty one) unless it has a driver already: VFs that were kept
    // across a restart keep theirs. Every VF on vfio-pci, kept or newly bound, is shared with the
    // group as create_vfs() does. Throws sriov::Error as create_vfs() does, but never changes
    // the VF count.
    std::vector<pci::Address> adopt_vfs(const pci::Address& pf, unsigned num_vfs,
                                        const std::vector<std::string>& drivers) const;

    // Creates num_vfs VFs and binds VF n to drivers[n] (vfio-pci where drivers has no entry or an
    // empty one). With a VfAccess group, each VF on vfio-pci then has its /dev/vfio/<IOMMU group>
    // given to that group (root:group, 0660). Returns the VFs' addresses, VF 0 first.
    // Throws sriov::Error: as pci::SriovControl::set_num_vfs (subject = pf); as
    // pci::DriverBinding::bind (subject = the VF; not_found names a driver that is not loaded);
    // protocol if the kernel shows fewer VFs than it created; as share_vf() for the device file.
    std::vector<pci::Address> create_vfs(const pci::Address& pf, unsigned num_vfs,
                                         const std::vector<std::string>& drivers) const;

    // Removes the PF's VFs (the kernel unbinds their drivers first).
    // Throws sriov::Error as pci::SriovControl::set_num_vfs (timeout names who holds a VF open).
    void remove_vfs(const pci::Address& pf) const;

private:
    // Empties the PF's reset_method, so that vfio-pci does not reset it (and with it the VFs'
    // PCI state) on open and close. Throws sriov::Error (permission, io) if the write fails.
    void disable_pf_reset(const pci::Address& pf) const;
    std::vector<pci::Address> vf_addresses(const pci::Address& pf, unsigned num_vfs) const;
    // With a group: gives it the VF's VFIO group file (root:group, 0660); without one does nothing.
    // The VF must be on vfio-pci. Throws sriov::Error (subject = the file): no_iommu if the VF
    // has no IOMMU group; not_found if the file does not appear within a second; permission or
    // io if it cannot be changed (chown needs CAP_CHOWN).
    void share_vf(const pci::Address& vf) const;

    pci::Sysfs sysfs_;
    pci::DriverBinding binding_;
    pci::SriovControl sriov_;
    std::chrono::milliseconds timeout_;
    VfAccess access_;
};

}  // namespace sriov::pf
