// A device region (a BAR) mapped into our address space, with 32-bit register access.
//
// The 82576 and its QEMU model implement only aligned 32-bit accesses, so that is all this offers.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sriov::vfio {

class MappedRegion {
public:
    // Maps `size` bytes of device fd `fd` at file offset `offset`. Throws sriov::Error naming `what`.
    MappedRegion(int fd, std::uint64_t offset, std::size_t size, const std::string& what);
    MappedRegion(MappedRegion&& other) noexcept;
    MappedRegion& operator=(MappedRegion&& other) noexcept;
    MappedRegion(const MappedRegion&) = delete;
    MappedRegion& operator=(const MappedRegion&) = delete;
    ~MappedRegion();

    std::size_t size() const { return size_; }

    std::uint32_t read32(std::size_t offset) const
    {
        assert(offset % 4 == 0 && offset + 4 <= size_);
        return *reinterpret_cast<const volatile std::uint32_t*>(base_ + offset);
    }
    void write32(std::size_t offset, std::uint32_t value)
    {
        assert(offset % 4 == 0 && offset + 4 <= size_);
        *reinterpret_cast<volatile std::uint32_t*>(base_ + offset) = value;
    }

private:
    void unmap() noexcept;

    std::uint8_t* base_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace sriov::vfio
