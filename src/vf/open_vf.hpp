// A VF opened through VFIO for programs that speak to its PF themselves: BAR0 mapped and a
// VfControl on it, nothing else (no rings, no DMA memory, no reset handshake). For benchmarks and
// testbed programs that drive the mailbox directly; an application wants Vf::open (libvf.hpp).
#pragma once

#include "dev/register_io.hpp"
#include "mbx/timing.hpp"
#include "vf/vf_control.hpp"
#include "vfio/container.hpp"
#include "vfio/device.hpp"
#include "vfio/pci_address.hpp"
#include "vfio/region.hpp"
#include "vfio/vf_token.hpp"

#include <memory>
#include <optional>
#include <string>

namespace sriov::vf {

struct OpenVf {
    struct Options {
        // Needed when the PF is owned through VFIO (by sriovd): the token it set.
        std::optional<vfio::VfToken> vf_token;
        // How the VfControl's errors name the VF; empty: its address ("0000:00:12.0").
        std::string name;
        mbx::Timing timing;
    };

    // Opens the VF at `address` in a container of its own and maps BAR0. Throws what
    // vfio::Container::open, vfio::Device::open and vfio::Device::map throw.
    OpenVf(const pci::Address& address, const Options& options);
    explicit OpenVf(const pci::Address& address);  // no token, default name and timing

    // regs and control point into bar0 and regs: the whole stays where it was built.
    OpenVf(const OpenVf&) = delete;
    OpenVf& operator=(const OpenVf&) = delete;

    std::shared_ptr<vfio::Container> container;
    vfio::Device device;
    vfio::MappedRegion bar0;
    dev::MmioRegisters regs;
    VfControl control;
};

}  // namespace sriov::vf
