// A VFIO container: one IOMMU address space (type1v2) shared by the groups attached to it.
//
// Order the kernel requires: open the container, attach a group, then choose the IOMMU type;
// only then can devices be opened and DMA be mapped. attach_group() does the last two steps.
#pragma once

#include "vfio/sysfs.hpp"
#include "vfio/unique_fd.hpp"

#include <cstddef>
#include <cstdint>
#include <chrono>
#include <memory>
#include <vector>

namespace sriov::vfio {

class Group;

class Container : public std::enable_shared_from_this<Container> {
public:
    // Opens /dev/vfio/vfio and checks the kernel offers the type1v2 IOMMU.
    // Throws sriov::Error: not_found (vfio module not loaded), permission, unsupported.
    static std::shared_ptr<Container> open();

    Container(const Container&) = delete;
    Container& operator=(const Container&) = delete;

    // Opens IOMMU group `number`, checks it is viable and attaches it; the same Group is returned
    // while someone holds it. sysfs is where to look for the group's devices when explaining a
    // non-viable group. Throws sriov::Error: not_found (no /dev/vfio/N: no IOMMU or device not
    // bound to vfio-pci), permission (names /dev/vfio/N and its owner), not_viable (names the
    // device of the group that is bound to another driver), busy (group already open elsewhere,
    // still after busy_wait: a process killed while one of its threads waits in the kernel keeps
    // its files open until that thread returns, so a manager started again at once may have to
    // wait for its predecessor).
    std::shared_ptr<Group> attach_group(int number, const pci::Sysfs& sysfs = pci::Sysfs(),
                                        std::chrono::milliseconds busy_wait = {});

    // Makes [vaddr, vaddr+size) visible to the devices at [iova, iova+size) and pins it.
    // Throws sriov::Error: memlock (pinning refused: RLIMIT_MEMLOCK), invalid_argument, io.
    void map_dma(const void* vaddr, std::uint64_t iova, std::size_t size);
    // Undoes map_dma. Never throws; a failure is logged.
    void unmap_dma(std::uint64_t iova, std::size_t size) noexcept;

    // Reserves an IOVA range of `size` bytes aligned to `align` (a power of two) inside the
    // ranges the IOMMU accepts. Ranges are not reused. Throws sriov::Error (unsupported) when
    // the address space is exhausted or no group is attached yet.
    std::uint64_t reserve_iova(std::size_t size, std::size_t align);
    // Reserves exactly [iova, iova + size): it must lie inside one accepted range and above every
    // range reserved so far. Returns iova. Throws sriov::Error (unsupported) otherwise.
    std::uint64_t reserve_iova_at(std::uint64_t iova, std::size_t size);

    int fd() const { return fd_.get(); }

private:
    struct IovaRange {
        std::uint64_t start;
        std::uint64_t last;
    };

    explicit Container(UniqueFd fd);
    void set_iommu_type();
    void read_iova_ranges();

    UniqueFd fd_;
    bool iommu_set_ = false;
    std::vector<std::weak_ptr<Group>> groups_;
    std::vector<IovaRange> iova_ranges_;
    std::uint64_t next_iova_ = 0;
};

}  // namespace sriov::vfio
