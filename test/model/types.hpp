// Small value types of the 82576 register model, shared by its public class and its internals.
#pragma once

#include <chrono>

namespace sriov::model {

// A mailbox write that starts or ends an exchange, as the model saw it, with when (taken inside the
// write, under the model's lock): a VF's request (VFMAILBOX.REQ) or the PF's message to a VF
// (P2VMAILBOX.STS). For benchmarks that time the PF side alone (E82576Model::set_mailbox_hook).
struct MailboxWrite {
    enum class Kind { vf_request, pf_message };
    Kind kind = Kind::vf_request;
    unsigned vf = 0;
    std::chrono::steady_clock::time_point at;
};

// One interrupt message the modelled device would send: to the PF or to one VF, on one vector.
struct Interrupt {
    bool to_pf = true;    // the PF, or else VF `vf`
    unsigned vf = 0;      // the VF, when !to_pf
    unsigned vector = 0;  // MSI-X vector of that function (0 for the PF outside MSI-X mode)

    friend bool operator==(const Interrupt&, const Interrupt&) = default;
};

// When an auto-negotiation restart (BMCR write through MDIC) brings the link up. QEMU takes
// ~500 ms of virtual time (section 2.2); the model has no clock, so a test picks one of two.
enum class Autoneg {
    immediate,  // inside the MDIC write that restarts it
    on_demand,  // when the test calls E82576Model::complete_autoneg()
};

// Who does the descriptor work of section 4 (see E82576Model::set_descriptor_work).
enum class DescriptorWork {
    in_access,      // as QEMU: TX inside the TDT write, RX when the test injects a frame
    device_thread,  // a thread playing the device calls complete_tx / fill_rx; VF tails are latched
};

}  // namespace sriov::model
