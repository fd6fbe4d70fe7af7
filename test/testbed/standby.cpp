// Runs in the testbed guest: libvf's StandbyPath (src/vf/standby_path.hpp) on a kernel interface.
//
//   tb_standby send IFACE MAC TO COUNT   COUNT numbered 64-byte frames from MAC to TO, in bursts of
//                                        16 a millisecond apart (a receiver under emulation keeps up)
//   tb_standby recv IFACE MAC COUNT SECS receive frames for MAC until COUNT came or SECS passed
//   tb_standby announce IFACE MAC        the RARP announcement of MAC
//
// The standby path is opened for MAC, so IFACE must have it or be promiscuous (open() refuses
// otherwise, with its line on stderr and exit 1). recv prints "received N of COUNT, in order: yes"
// (a frame's number is its bytes 14..17), "announcements: N" for RARP frames from MAC's peers, and
// exits 0 only when all COUNT came in order. Exit 2: bad usage.
#include "sriov/error.hpp"
#include "vf/standby_path.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

using namespace sriov;
using sriov::vf::PacketBuffer;
using sriov::vf::StandbyPath;

namespace {

[[noreturn]] void usage()
{
    fmt::print(stderr, "usage: tb_standby send IFACE MAC TO COUNT | recv IFACE MAC COUNT SECS | announce IFACE MAC\n");
    std::exit(2);
}

struct Frames {
    std::vector<std::vector<std::uint8_t>> storage;
    std::vector<PacketBuffer> bufs;
    std::vector<PacketBuffer*> ptrs;
    explicit Frames(std::uint32_t n) : storage(n, std::vector<std::uint8_t>(2048)), bufs(n), ptrs(n)
    {
        for (std::uint32_t i = 0; i < n; ++i) {
            bufs[i] = PacketBuffer{storage[i].data(), 0, 2048, 0, i};
            ptrs[i] = &bufs[i];
        }
    }
};

int send(StandbyPath& path, const MacAddress& from, const MacAddress& to, std::uint32_t count)
{
    constexpr std::uint32_t burst = 16;
    Frames f(StandbyPath::max_burst);
    std::uint32_t next = 0;
    while (next < count) {
        const std::uint32_t n = std::min(count - next, burst);
        for (std::uint32_t i = 0; i < n; ++i) {
            std::uint8_t* d = f.bufs[i].data;
            std::copy(to.bytes().begin(), to.bytes().end(), d);
            std::copy(from.bytes().begin(), from.bytes().end(), d + 6);
            d[12] = 0x88;  // local experimental EtherType
            d[13] = 0xb5;
            const std::uint32_t number = next + i;
            for (int b = 0; b < 4; ++b)
                d[14 + b] = static_cast<std::uint8_t>(number >> (24 - 8 * b));
            f.bufs[i].length = 64;
        }
        next += path.send(f.ptrs.data(), n);  // what the kernel did not take is sent again
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    fmt::print("sent {} frames through {}\n", count, path.interface());
    return 0;
}

int recv(StandbyPath& path, const MacAddress& mac, std::uint32_t count, int secs)
{
    Frames f(StandbyPath::max_burst);
    std::uint32_t received = 0, announcements = 0;
    bool in_order = true;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(secs);
    while (received < count && std::chrono::steady_clock::now() < end) {
        const std::uint32_t n = path.receive(f.ptrs.data(), StandbyPath::max_burst);
        if (n == 0) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            continue;
        }
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::uint8_t* d = f.bufs[i].data;
            if (f.bufs[i].length >= 14 && d[12] == 0x80 && d[13] == 0x35)
                ++announcements;
            const bool ours = f.bufs[i].length >= 18 && d[12] == 0x88 && d[13] == 0xb5 &&
                std::equal(mac.bytes().begin(), mac.bytes().end(), d);
            if (!ours)
                continue;
            const std::uint32_t number = (std::uint32_t{d[14]} << 24) | (std::uint32_t{d[15]} << 16) |
                (std::uint32_t{d[16]} << 8) | d[17];
            in_order = in_order && number == received;
            ++received;
        }
    }
    fmt::print("received {} of {}, in order: {}\nannouncements: {}\n", received, count, in_order ? "yes" : "no",
               announcements);
    return received == count && in_order ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 4)
        usage();
    const std::string command = argv[1];
    try {
        const MacAddress mac = MacAddress::parse(argv[3]);
        StandbyPath path(argv[2], mac);
        if (command == "send" && argc == 6)
            return send(path, mac, MacAddress::parse(argv[4]), static_cast<std::uint32_t>(std::stoul(argv[5])));
        if (command == "recv" && argc == 6)
            return recv(path, mac, static_cast<std::uint32_t>(std::stoul(argv[4])), std::stoi(argv[5]));
        if (command == "announce" && argc == 4) {
            path.announce();
            return 0;
        }
        usage();
    } catch (const Error& e) {
        fmt::print(stderr, "tb_standby: {}\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "tb_standby: {}\n", e.what());
        return 2;
    }
}
