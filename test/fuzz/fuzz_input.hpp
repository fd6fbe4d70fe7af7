// Reading a fuzzer's bytes front to back as the fields a target needs. Past the end every read
// gives 0, so that any input, however short, drives the target somewhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sriov::fuzz {

class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}

    bool empty() const { return p_ == end_; }

    std::uint8_t byte() { return p_ == end_ ? 0 : *p_++; }

    // Little-endian, as the mailbox words are in the seed files.
    std::uint16_t u16()
    {
        const std::uint16_t lo = byte();
        const std::uint16_t hi = byte();
        return static_cast<std::uint16_t>(lo | hi << 8);
    }

    std::uint32_t u32()
    {
        const std::uint32_t lo = u16();
        const std::uint32_t hi = u16();
        return lo | hi << 16;
    }

    // Whatever is left, as text.
    std::string_view rest()
    {
        const std::string_view s(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(end_ - p_));
        p_ = end_;
        return s;
    }

private:
    const std::uint8_t* p_;
    const std::uint8_t* end_;
};

}  // namespace sriov::fuzz
