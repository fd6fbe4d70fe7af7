// Runs in the testbed guest: libvf on a VF that the kernel's igb PF gave a port VLAN
// (`ip link set PF vf 0 mac X vlan V`). See vlan_under_igb.sh for the wire set-up.
//
//   tb_vlan_under_igb MAC PEER_MAC COUNT
// Opens the VF named by TB_VF, checks the PF gave it MAC, then receives IPv4 frames until COUNT
// have arrived for 10.0.100.2 (sent by the peer on VLAN 100). Frames for 10.0.200.2 (sent on
// VLAN 200) or 10.0.0.2 (sent untagged) are sent before those, on the same wire, so had the VF
// received any they would have arrived first: they must count 0. Then it sends COUNT frames to
// PEER_MAC untagged; the PF must tag them (the script counts them on the peer's VLAN device).
#include "sriov/error.hpp"
#include "sriov/libvf.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>

using namespace sriov;

namespace {

// The IPv4 destination of an Ethernet frame as "a.b.c.d", or "" if it is not IPv4.
std::string ipv4_destination(const vf::PacketBuffer& b)
{
    if (b.length < 34 || b.data[12] != 0x08 || b.data[13] != 0x00)
        return {};
    const std::uint8_t* ip = b.data + 14;
    return fmt::format("{}.{}.{}.{}", ip[16], ip[17], ip[18], ip[19]);
}

int run(const MacAddress& want_mac, const MacAddress& peer, unsigned count)
{
    const char* addr = std::getenv("TB_VF");
    if (!addr)
        throw Error(Errc::invalid_argument, "TB_VF", "not set");
    auto vf = vf::Vf::open(addr);
    fmt::print("VF {}: MAC {}\n", vf->name(), vf->mac());
    if (vf->mac() != want_mac) {
        fmt::print("FAIL: expected MAC {}\n", want_mac);
        return 1;
    }
    fmt::print("ready\n");
    std::fflush(stdout);

    std::map<std::string, unsigned> by_destination;
    vf::PacketBuffer* bufs[32];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (by_destination["10.0.100.2"] < count) {
        if (std::chrono::steady_clock::now() > deadline) {
            fmt::print("FAIL: only {} of {} frames on VLAN 100 arrived within 60 s\n", by_destination["10.0.100.2"],
                       count);
            return 1;
        }
        const auto n = vf->rx_burst(bufs, 32);
        for (std::uint32_t i = 0; i < n; ++i) {
            const auto dst = ipv4_destination(*bufs[i]);
            if (!dst.empty())
                ++by_destination[dst];
            vf->free_buffer(bufs[i]);
        }
        if (n == 0)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    for (const auto& [dst, n] : by_destination)
        fmt::print("received {} IPv4 frames for {}\n", n, dst);
    if (by_destination["10.0.200.2"] != 0 || by_destination["10.0.0.2"] != 0) {
        fmt::print("FAIL: frames from another VLAN or untagged reached the VF\n");
        return 1;
    }

    // Untagged from the VF: the PF's port VLAN inserts tag 100 on the way out.
    unsigned sent = 0;
    while (sent < count) {
        vf::PacketBuffer* b = vf->alloc_buffer();
        if (!b) {
            vf->reclaim_tx();
            continue;
        }
        std::memset(b->data, 0, 60);
        std::memcpy(b->data, peer.bytes().data(), 6);
        std::memcpy(b->data + 6, vf->mac().bytes().data(), 6);
        b->data[12] = 0x88;  // local experimental EtherType
        b->data[13] = 0xB5;
        b->length = 60;
        if (vf->tx_burst(&b, 1) == 1)
            ++sent;
        else
            vf->free_buffer(b);
    }
    fmt::print("sent {} frames to {}\n", sent, peer);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 4) {
        fmt::print(stderr, "usage: tb_vlan_under_igb MAC PEER_MAC COUNT\n");
        return 2;
    }
    try {
        return run(MacAddress::parse(argv[1]), MacAddress::parse(argv[2]),
                   static_cast<unsigned>(std::stoul(argv[3])));
    } catch (const Error& e) {
        fmt::print("FAIL: {}\n", e.what());
        return 1;
    }
}
