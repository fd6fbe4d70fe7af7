#include "vfio/sriov_capability.hpp"

#include "sriov/error.hpp"

namespace sriov::pci::sriov_cap {

Address vf_address(const Address& pf, std::uint16_t offset, std::uint16_t stride, unsigned n)
{
    const std::uint64_t rid = std::uint64_t{pf.routing_id()} + offset + std::uint64_t{stride} * n;
    if (rid > 0xffff)
        throw Error(Errc::protocol, pf.to_string(),
                    fmt::format("VF {} would have routing id {:#x} (offset {}, stride {}), beyond bus 0xff",
                                n, rid, offset, stride));
    return Address::from_routing_id(pf.domain, static_cast<std::uint16_t>(rid));
}

}  // namespace sriov::pci::sriov_cap
