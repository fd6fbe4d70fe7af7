// sriovd giving up, once it is up, the privileges it no longer needs (SECURITY.md, "Least privilege").
//
// Start-up needs root: taking the PF from its driver, creating the VFs, binding them, chowning the
// token, the state directory, the control socket and the VFs' /dev/vfio files to the operators'
// group. At run time sriovd still writes sysfs files (sriov_numvfs, driver binding), which belong
// to uid 0 and so need no capability, uses the VFIO file descriptors it holds, and chowns the
// /dev/vfio file of each VF a change of the VF count creates: that is CAP_CHOWN, needed only when a
// group is configured. So it keeps CAP_CHOWN or nothing in its effective, permitted and bounding
// sets, nothing inheritable or ambient, and sets no_new_privs: whatever it might execute gains
// nothing (no set-user-ID, no file capabilities, not even root's implicit ones).
//
// Capabilities belong to a thread, not to the process: every thread of sriovd that exists at that
// point must call drop_privileges() itself; threads it creates afterwards inherit the result.
#pragma once

#include <string>

namespace sriov::sriovd {

// Drops every capability of the calling thread but CAP_CHOWN if keep_chown and CAP_NET_ADMIN if
// keep_net_admin,
// from its effective, permitted, inheritable and bounding sets, and sets no_new_privs. The bounding
// set can only be narrowed with CAP_SETPCAP: without it (a service manager gave a narrow bounding
// set already, as sriovd.service does) what it holds beyond the kept capability is left, and the
// returned line says so; with nothing permitted and no_new_privs it grants nothing.
// Returns a line for the log saying what was kept. Throws sriov::Error(permission) if the kernel
// refused a change, naming it.
std::string drop_privileges(bool keep_chown, bool keep_net_admin = false);

}  // namespace sriov::sriovd
