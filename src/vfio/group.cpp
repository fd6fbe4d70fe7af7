#include "vfio/group.hpp"

#include "sriov/error.hpp"

#include <linux/vfio.h>
#include <sys/ioctl.h>

#include <cerrno>

namespace sriov::vfio {

Group::Group(int number, UniqueFd fd, std::shared_ptr<Container> container)
    : number_(number), container_(std::move(container)), fd_(std::move(fd))
{
}

UniqueFd Group::open_device_fd(const std::string& name) const
{
    int fd = ::ioctl(fd_.get(), VFIO_GROUP_GET_DEVICE_FD, name.c_str());
    if (fd < 0)
        throw system_error(name.substr(0, name.find(' ')), "VFIO_GROUP_GET_DEVICE_FD", errno);
    return UniqueFd(fd);
}

}  // namespace sriov::vfio
