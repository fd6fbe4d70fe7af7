// A VFIO group: the unit of isolation the IOMMU gives; devices are opened through it.
#pragma once

#include "vfio/unique_fd.hpp"

#include <memory>
#include <string>

namespace sriov::vfio {

class Container;

class Group {
public:
    Group(int number, UniqueFd fd, std::shared_ptr<Container> container);
    Group(const Group&) = delete;
    Group& operator=(const Group&) = delete;

    int number() const { return number_; }
    int fd() const { return fd_.get(); }
    const std::shared_ptr<Container>& container() const { return container_; }

    // Returns a device fd for `name` (a PCI address, optionally followed by " vf_token=UUID").
    // Throws sriov::Error with errno mapped (see sriov::system_error); callers add context.
    UniqueFd open_device_fd(const std::string& name) const;

private:
    int number_;
    std::shared_ptr<Container> container_;
    UniqueFd fd_;  // declared last, so closed first: the kernel detaches the group from the container

};

}  // namespace sriov::vfio
