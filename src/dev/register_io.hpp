// The seam between device code and a device: aligned 32-bit register reads and writes at byte
// offsets into a function's BAR0.
//
// Control-path code (PF initialisation, the mailbox on both sides) talks to a RegisterIo, so the
// same code drives the real device through a VFIO mapping (MmioRegisters) and the in-memory
// register model in unit tests and benchmarks. The data path does not go through this interface:
// it writes its doorbells through the mapping directly.
#pragma once

#include "vfio/region.hpp"

#include <cstdint>

namespace sriov::dev {

class RegisterIo {
public:
    virtual ~RegisterIo() = default;
    virtual std::uint32_t read32(std::uint32_t offset) = 0;
    virtual void write32(std::uint32_t offset, std::uint32_t value) = 0;

    // Convenience: read-modify-write helpers for control-path code.
    void set_bits(std::uint32_t offset, std::uint32_t bits) { write32(offset, read32(offset) | bits); }
    void clear_bits(std::uint32_t offset, std::uint32_t bits) { write32(offset, read32(offset) & ~bits); }

protected:
    RegisterIo() = default;
    RegisterIo(const RegisterIo&) = default;
    RegisterIo& operator=(const RegisterIo&) = default;
};

// Registers of a device mapped through VFIO. The mapping must outlive this object.
class MmioRegisters final : public RegisterIo {
public:
    explicit MmioRegisters(vfio::MappedRegion& bar) : bar_(&bar) {}
    std::uint32_t read32(std::uint32_t offset) override { return bar_->read32(offset); }
    void write32(std::uint32_t offset, std::uint32_t value) override { bar_->write32(offset, value); }

private:
    vfio::MappedRegion* bar_;
};

}  // namespace sriov::dev
