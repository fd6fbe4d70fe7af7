// Changing how many VFs a PF has, through its sysfs sriov_numvfs, without ever blocking the caller
// for longer than a timeout.
//
// The kernel's rules: going from one non-zero count to another needs 0 first (set_num_vfs does
// that); and removing VFs waits, in the kernel and with no limit, until every VF is released by
// whoever holds it open through VFIO (the kernel asks them to let go through the VFIO request
// interrupt, again and again). So the write runs in a separate process (see background_write.hpp).
// When the timeout passes the caller gets an Errc::timeout error naming the processes that hold the
// VFs, and the write stays pending in the kernel: it completes by itself once they let go. Until it
// does, further changes of that PF's VF count from this process are refused with Errc::busy rather
// than started behind it.
//
// Pending changes are tracked per process, not per object: two SriovControl objects see the same
// ones. A change left pending by another process is not known here; a new write would then wait
// behind it in the kernel and time out, naming the same holders.
#pragma once

#include "vfio/pci_address.hpp"
#include "vfio/sysfs.hpp"

#include <chrono>
#include <filesystem>

namespace sriov::pci {

class SriovControl {
public:
    static constexpr std::chrono::milliseconds default_timeout{10000};

    // proc_root: where to look for processes holding VFs ("/proc"; a fake tree in tests).
    explicit SriovControl(Sysfs sysfs = Sysfs(), std::filesystem::path proc_root = "/proc");

    // The number of VFs the kernel has enabled now, counted from the PF's virtfn links (reading
    // sriov_numvfs would block behind a pending change). Never blocks.
    // Throws sriov::Error(subject = pf): not_found if there is no such device; protocol if sysfs
    // holds something malformed.
    unsigned num_vfs(const Address& pf) const;

    // sriov_totalvfs: the most VFs the kernel allows the PF.
    // Throws sriov::Error(subject = pf): not_found if there is no such device; unsupported if the
    // device has no SR-IOV (or is itself a VF); protocol if the value is malformed.
    unsigned total_vfs(const Address& pf) const;

    // Sets the PF's VF count to count (0 disables SR-IOV), writing 0 first if VFs are enabled and
    // count is another non-zero number. Returns once the kernel has done it; does nothing if the
    // count is already count. Never blocks for much longer than timeout.
    // Throws sriov::Error(subject = pf):
    //   not_found         no such device.
    //   unsupported       the device has no SR-IOV or is a VF; no driver is bound to the PF; the
    //                     driver cannot enable VFs ("vfio-pci was loaded without enable_sriov=1 ...").
    //   invalid_argument  count > sriov_totalvfs (the message gives the maximum).
    //   busy              an earlier change of this PF's VF count is still pending in the kernel
    //                     (the message names who holds the VFs); or the kernel answered EBUSY.
    //   timeout           the kernel did not finish within timeout; the message names the
    //                     processes holding the VFs open ("pid 1234 (qemu) holds 0000:00:12.0
    //                     (/dev/vfio/7)"). The change stays pending and completes when they let go.
    //   permission        not allowed to write sriov_numvfs (not root).
    //   io                another failure of the write, or of starting the writing process.
    // If the 0 was written but the new count failed, the PF is left with no VFs.
    void set_num_vfs(const Address& pf, unsigned count,
                     std::chrono::milliseconds timeout = default_timeout) const;

    // Whether a change of the PF's VF count started by this process is still pending in the kernel.
    // A change found finished is forgotten (a failure of it is logged). Never blocks; never throws
    // (except std::bad_alloc).
    bool change_pending(const Address& pf) const;

    // Waits up to timeout for a pending change of the PF's VF count to finish. Returns true if none
    // is pending (any more), false if it still is.
    // Throws the sriov::Error the change would have thrown had it finished in time (e.g.
    // unsupported), if it finished with a failure.
    bool wait_for_pending_change(const Address& pf, std::chrono::milliseconds timeout) const;

private:
    Sysfs sysfs_;
    std::filesystem::path proc_root_;
};

}  // namespace sriov::pci
