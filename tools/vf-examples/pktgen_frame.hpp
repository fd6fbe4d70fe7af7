// The frames vf-pktgen exchanges: Ethernet II with an IEEE local-experimental EtherType and a
// 64-bit sequence number after the header, then a 64-bit time stamp.
//   data frame (0x88B5): sequence number of the frame, counted from 0; the sender's
//                        CLOCK_MONOTONIC in nanoseconds when it built the frame
//   ack frame  (0x88B6): the sequence number the receiver expects next (all before it arrived)
// Both numbers are in the host's byte order: sender and receiver run on one machine.
#pragma once

#include "sriov/mac_address.hpp"
#include "sriov/vf/packet_buffer.hpp"

#include <cstdint>
#include <cstring>
#include <optional>

namespace pktgen {

inline constexpr std::uint16_t data_type = 0x88B5;
inline constexpr std::uint16_t ack_type = 0x88B6;
inline constexpr std::uint32_t header_size = 14;
inline constexpr std::uint32_t min_size = 60;  // without FCS
inline constexpr std::uint32_t stamp_offset = header_size + 8;

// Writes a frame of `size` bytes (min_size..capacity) into b, with time stamp `stamp_ns`.
inline void build(sriov::vf::PacketBuffer& b, const sriov::MacAddress& dst, const sriov::MacAddress& src,
                  std::uint16_t type, std::uint64_t seq, std::uint32_t size, std::uint64_t stamp_ns = 0)
{
    std::memcpy(b.data, dst.bytes().data(), 6);
    std::memcpy(b.data + 6, src.bytes().data(), 6);
    b.data[12] = static_cast<std::uint8_t>(type >> 8);
    b.data[13] = static_cast<std::uint8_t>(type & 0xFF);
    std::memcpy(b.data + header_size, &seq, sizeof seq);
    std::memcpy(b.data + stamp_offset, &stamp_ns, sizeof stamp_ns);
    std::memset(b.data + stamp_offset + 8, 0, size - stamp_offset - 8);
    b.length = size;
}

// The time stamp of a frame parse() accepted (0 if the frame is too short to hold one).
inline std::uint64_t stamp_of(const sriov::vf::PacketBuffer& b)
{
    std::uint64_t ns = 0;
    if (b.length >= stamp_offset + 8)
        std::memcpy(&ns, b.data + stamp_offset, sizeof ns);
    return ns;
}

// The sequence number of a frame of type `type`, or nothing for any other frame.
inline std::optional<std::uint64_t> parse(const sriov::vf::PacketBuffer& b, std::uint16_t type)
{
    if (b.length < header_size + 8 || b.data[12] != (type >> 8) || b.data[13] != (type & 0xFF))
        return std::nullopt;
    std::uint64_t seq;
    std::memcpy(&seq, b.data + header_size, sizeof seq);
    return seq;
}

inline sriov::MacAddress source_of(const sriov::vf::PacketBuffer& b)
{
    sriov::MacAddress::Bytes bytes;
    std::memcpy(bytes.data(), b.data + 6, 6);
    return sriov::MacAddress(bytes);
}

}  // namespace pktgen
