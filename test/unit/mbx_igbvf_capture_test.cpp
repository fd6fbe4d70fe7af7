// Requests the Linux kernel's igbvf really sent, captured in the testbed (sriovd --verbose logs
// each message's 16 words; scenario testbed.sriovd_igbvf, VF 0 with MAC 02:11:22:33:44:55, on
// 2026-11-22), must decode to the typed messages worked out by hand below. The PF reads all 16
// words of the buffer, so words left over from earlier messages follow the real ones.
#include "mbx/request.hpp"
#include "sriov/mac_address.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <cstdint>
#include <vector>

using namespace sriov;

namespace {

mbx::Request decode(std::vector<std::uint32_t> words)
{
    words.resize(16, 0);
    const auto decoded = mbx::decode_request(words);
    REQUIRE(decoded.ok());
    return decoded.value();
}

std::vector<std::uint16_t> hashes_of(const mbx::Request& r)
{
    const auto* mc = std::get_if<mbx::SetMulticast>(&r);
    REQUIRE(mc != nullptr);
    return {mc->hashes().begin(), mc->hashes().end()};
}

}  // namespace

TEST_CASE("igbvf's reset request decodes as VF_RESET, whatever an earlier message left behind")
{
    CHECK(std::holds_alternative<mbx::VfReset>(decode({0x00000001})));
    CHECK(std::holds_alternative<mbx::VfReset>(decode({0x00000001, 0x33221102, 0x00005544})));
}

TEST_CASE("igbvf's set-MAC for the MAC it was given decodes with that MAC")
{
    const auto r = decode({0x00000002, 0x33221102, 0x00005544});
    const auto* m = std::get_if<mbx::SetMac>(&r);
    REQUIRE(m != nullptr);
    CHECK(m->mac == MacAddress::parse("02:11:22:33:44:55"));
}

TEST_CASE("igbvf's set-LPE for an MTU of 1500 asks for 1522-byte frames")
{
    const auto r = decode({0x00000005, 0x000005f2});
    const auto* lpe = std::get_if<mbx::SetLpe>(&r);
    REQUIRE(lpe != nullptr);
    CHECK(lpe->max_frame == 1522);  // 1500 + 14 (Ethernet header) + 4 (VLAN tag) + 4 (FCS)
}

TEST_CASE("igbvf's clear-filters request decodes as such")
{
    CHECK(std::holds_alternative<mbx::ClearMacFilters>(decode({0x00010002, 0, 0})));
}

TEST_CASE("igbvf's multicast lists decode to the hashes of the groups it joined")
{
    // hash = ((mac[4] >> 4) | (mac[5] << 4)) & 0xFFF (fact sheet section 5.1):
    //   33:33:00:00:00:01 (IPv6 all-nodes)                    -> 0x010
    //   01:00:5e:00:00:01 (IPv4 all-hosts)                    -> 0x010
    //   33:33:ff:33:44:55 (solicited-node of fe80::11:22ff:fe33:4455, from the VF's MAC) -> 0x554
    CHECK(hashes_of(decode({0x00010003, 0x00000010})) == std::vector<std::uint16_t>{0x010});
    CHECK(hashes_of(decode({0x00020003, 0x00100010})) == std::vector<std::uint16_t>{0x010, 0x010});
    CHECK(hashes_of(decode({0x00030003, 0x00100010, 0x00000554})) ==
          std::vector<std::uint16_t>{0x010, 0x010, 0x554});
    CHECK(mbx::multicast_hash(MacAddress::parse("33:33:ff:33:44:55")) == 0x554);
}
