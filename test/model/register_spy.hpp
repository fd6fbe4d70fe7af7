// A dev::RegisterIo in front of another (the model's PF or a VF) that counts the accesses passing
// through it and, when asked, keeps their offsets: what the device sees of a driver, for tests that
// check which registers a call touches and benchmarks that count them (each access is a VM exit
// under emulation, a PCIe round trip or posted write on silicon).
#pragma once

#include "dev/register_io.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sriov/e82576_regs.hpp"

namespace sriov::model {

class RegisterSpy final : public dev::RegisterIo {
public:
    // record: keep every offset read and written, in order (allocates; counts alone do not).
    explicit RegisterSpy(dev::RegisterIo& device, bool record = false) : device_(device), record_(record) {}

    std::uint32_t read32(std::uint32_t offset) override
    {
        ++reads;
        if (record_)
            read_offsets.push_back(offset);
        return device_.read32(offset);
    }
    void write32(std::uint32_t offset, std::uint32_t value) override
    {
        ++writes;
        if (record_)
            written.push_back(offset);
        device_.write32(offset, value);
    }

    // Forgets what was counted and kept so far.
    void clear()
    {
        reads = writes = 0;
        read_offsets.clear();
        written.clear();
    }
    // How many of `offsets` fall in the register array `table`.
    static std::size_t in(const std::vector<std::uint32_t>& offsets, const e82576::Reg& table)
    {
        return static_cast<std::size_t>(std::count_if(offsets.begin(), offsets.end(), [&](std::uint32_t o) {
            return o >= table.offset && o < table.offset + table.stride * table.count;
        }));
    }

    std::uint64_t reads = 0;
    std::uint64_t writes = 0;
    std::vector<std::uint32_t> read_offsets;  // with record
    std::vector<std::uint32_t> written;       // with record

private:
    dev::RegisterIo& device_;
    bool record_;
};

}  // namespace sriov::model
