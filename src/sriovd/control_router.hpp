// sriovd's control socket when it manages several PFs: each request goes to the handler of the PF
// it names; requests for all PFs (show, stats and status without a PF) are asked of every handler
// and their answers merged into one, in the schema of include/sriov/control/protocol.hpp.
#pragma once

#include "control_handler.hpp"
#include "sriov/control/protocol.hpp"
#include "vfio/pci_address.hpp"

#include <string>
#include <utility>
#include <vector>

namespace sriov::sriovd {

class ControlRouter {
public:
    // One handler per PF; each must outlive the router.
    explicit ControlRouter(std::vector<std::pair<pci::Address, ControlHandler*>> pfs);

    // Answers one request (the result as JSON text). Throws sriov::Error: not_found for a PF this
    // sriovd does not manage (naming those it does), and what the PF's handler throws.
    std::string operator()(const control::Request& request);

private:
    ControlHandler& handler_of(const std::string& pf);
    std::string merged(const control::Request& request, const char* array);
    std::string status(const control::Request& request);

    std::vector<std::pair<pci::Address, ControlHandler*>> pfs_;
};

}  // namespace sriov::sriovd
