#include "vfio/region.hpp"

#include "sriov/error.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <utility>

namespace sriov::vfio {

MappedRegion::MappedRegion(int fd, std::uint64_t offset, std::size_t size, const std::string& what)
{
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(offset));
    if (p == MAP_FAILED)
        throw system_error(what, "mmap", errno);
    base_ = static_cast<std::uint8_t*>(p);
    size_ = size;
}

MappedRegion::MappedRegion(MappedRegion&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)), size_(std::exchange(other.size_, 0))
{
}

MappedRegion& MappedRegion::operator=(MappedRegion&& other) noexcept
{
    if (this != &other) {
        unmap();
        base_ = std::exchange(other.base_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

MappedRegion::~MappedRegion() { unmap(); }

void MappedRegion::unmap() noexcept
{
    if (base_)
        ::munmap(base_, size_);
    base_ = nullptr;
    size_ = 0;
}

}  // namespace sriov::vfio
