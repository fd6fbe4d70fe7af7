#include "vf/open_vf.hpp"

namespace sriov::vf {

OpenVf::OpenVf(const pci::Address& address, const Options& options)
    : container(vfio::Container::open()),
      device(vfio::Device::open(container, address, vfio::Device::Options{options.vf_token, pci::Sysfs()})),
      bar0(device.map(vfio::PciRegion::bar0)),
      regs(bar0),
      control(regs, options.name.empty() ? address.to_string() : options.name, options.timing)
{
}

OpenVf::OpenVf(const pci::Address& address) : OpenVf(address, Options{}) {}

}  // namespace sriov::vf
