// Small value types of the 82576 register model, shared by its public class and its internals.
#pragma once

namespace sriov::model {

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
