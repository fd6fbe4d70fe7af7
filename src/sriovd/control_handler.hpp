// sriovd's answers on its control socket (src/ctl): what vfctl shows, in the schema documented in
// include/sriov/control/protocol.hpp.
//
// Reads (show, stats, status) come from the PF's backend (pf_backend.hpp) and the state file. Changes of a VF
// (set_vf) are applied all or none: validated, kept in the state file (written atomically), then
// programmed; if the state file cannot be written nothing changes, and if the device refuses
// (a kernel driver) the state file is put back. Reset and release act at once.
// A change of the VF count is started and answered at once ({"num_vfs":N,"changing":true}); events
// say when it is done or why it failed.
#pragma once

#include "pf_backend.hpp"
#include "vfio/sysfs.hpp"
#include "sriov/control/protocol.hpp"
#include "state_file.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace sriov::sriovd {

class ControlHandler {
public:
    // All referenced objects must outlive the handler; it runs in the io_context's thread.
    // state is kept in state_path as it changes.
    // set_num_vfs starts a change of the VF count (it throws sriov::Error to refuse).
    ControlHandler(PfBackend& backend, const std::vector<std::string>& drivers, PfState& state,
                   std::filesystem::path state_path, std::function<void(unsigned)> set_num_vfs,
                   pci::Sysfs sysfs = pci::Sysfs());

    // Answers one request (the result as JSON text). Throws sriov::Error: not_found for a PF
    // or VF this sriovd does not manage (names what it has); invalid_argument for settings the
    // policy refuses or a release of a VF that is not quarantined; the state file's errors (then
    // nothing changed); unsupported for a change of the VF count.
    std::string operator()(const control::Request& request);

    // Whether pf (a PCI address in any spelling, or the PF's interface name) names this PF.
    bool names(const std::string& pf) const;

private:
    std::string show(const std::optional<std::string>& pf, const std::optional<unsigned>& vf) const;
    std::string stats(const std::optional<std::string>& pf, const std::optional<unsigned>& vf);
    std::string status() const;
    std::string set_vf(const control::SetVf& request);
    std::string release(const control::Release& request);
    void check_scope(const std::optional<std::string>& pf, const std::optional<unsigned>& vf) const;

    PfBackend& backend_;
    const std::vector<std::string>& drivers_;
    PfState& state_;
    std::filesystem::path state_path_;
    std::function<void(unsigned)> set_num_vfs_;
    pci::Sysfs sysfs_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace sriov::sriovd
