// sriovd's answers on its control socket (src/ctl): what vfctl shows, in the schema documented in
// include/sriov/control/protocol.hpp.
//
// This first version answers show and status from the PF manager, the configuration and the
// state file. Per-VF counters (stats) and changes (set_vf, set_numvfs, reset, release) are refused
// with Errc::unsupported, saying what to do instead; they come with run-time policy changes.
#pragma once

#include "pf/pf_manager.hpp"
#include "sriov/control/protocol.hpp"
#include "state_file.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace sriov::sriovd {

class ControlHandler {
public:
    // All referenced objects must outlive the handler; it runs in the io_context's thread.
    ControlHandler(pf::PfManager& manager, const std::vector<std::string>& drivers, const PfState& state,
                   pci::Sysfs sysfs = pci::Sysfs());

    // Answers one request (the result as JSON text). Throws sriov::Error: not_found for a PF
    // or VF this sriovd does not manage (names what it has), unsupported for changes.
    std::string operator()(const control::Request& request) const;

private:
    std::string show(const std::optional<std::string>& pf, const std::optional<unsigned>& vf) const;
    std::string status() const;
    void check_scope(const std::optional<std::string>& pf, const std::optional<unsigned>& vf) const;

    pf::PfManager& manager_;
    const std::vector<std::string>& drivers_;
    const PfState& state_;
    pci::Sysfs sysfs_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace sriov::sriovd
