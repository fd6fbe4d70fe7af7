// The error type of every control-path operation in sriov-stack.
//
// Control-path functions (opening devices, mapping memory, sysfs changes, mailbox requests) throw
// sriov::Error on failure. An Error names the thing it is about (a PCI address, a file, a VF) and
// says the cause in words a user can act on; code() lets callers branch without parsing text.
// The data path never throws.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sriov {

enum class Errc {
    not_found,         // no such device, file, driver or VF
    permission,        // the caller lacks a right (file mode, group, capability, VF token)
    busy,              // held by someone else (driver bound, VF open, lock held)
    no_iommu,          // the kernel has no IOMMU enabled (boot with intel_iommu=on)
    not_viable,        // an IOMMU group has a device bound to a non-VFIO driver
    vf_token,          // the VF token is missing or wrong
    memlock,           // pinning DMA memory failed: RLIMIT_MEMLOCK too small
    timeout,           // a bounded wait ran out
    invalid_argument,  // bad input from the caller
    unsupported,       // the device or kernel lacks a feature
    protocol,          // a peer (device, VF, PF) answered something malformed or unexpected
    io,                // any other system-call failure
};

// A short lower-case name of the code, e.g. "timeout", for logs and JSON.
std::string_view to_string(Errc code);

class Error : public std::runtime_error {
public:
    // subject: what the error is about, e.g. "0000:00:02.0" or "/dev/vfio/5".
    // cause: what went wrong and, where possible, what to do about it.
    Error(Errc code, std::string subject, std::string cause);

    Errc code() const noexcept { return code_; }
    const std::string& subject() const noexcept { return subject_; }
    const std::string& cause() const noexcept { return cause_; }

private:
    Errc code_;
    std::string subject_;
    std::string cause_;
};

// Builds an Error from a failed system call: the cause is "<what>: <strerror(err)>" and the code
// is derived from err (EACCES/EPERM -> permission, ENOENT/ENODEV -> not_found, EBUSY -> busy,
// ETIMEDOUT -> timeout, EINVAL -> invalid_argument, otherwise io).
Error system_error(std::string subject, std::string_view what, int err);

}  // namespace sriov
