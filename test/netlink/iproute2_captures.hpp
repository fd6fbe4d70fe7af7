// Netlink messages captured from iproute2 and from the kernel, as hex, for the tests of
// sriov_netlink. Captured once with
//
//   strace -xx -s 4096 -e trace=sendmsg,recvmsg -e write=all -e read=all ip link set nl0 vf N ...
//
// with `ip -V` = "ip utility, iproute2-6.1.0, libbpf 1.1.2" (Debian 12), kernel 6.18, on nl0, an
// `ip link add nl0 type ifb` device of ifindex 9 (this machine's kernel has no dummy driver; like
// a dummy, an ifb has no VFs, so the kernel refuses every request with EOPNOTSUPP, which does not
// matter for what iproute2 sends). Each request is the last RTM_NEWLINK iproute2 sent.
//
// Compare requests with normalised(): nlmsg_seq (bytes 8-11), nlmsg_pid (12-15) and ifi_index
// (20-23) differ from one capture and one run to the next and are zeroed on both sides.
#pragma once

#include <string_view>

namespace captures {

struct Capture {
    std::string_view command;  // the arguments after `ip`
    std::string_view hex;      // the message as sent or received
};

// --- requests: RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK, IFLA_VFINFO_LIST > IFLA_VF_INFO > ... ---

inline constexpr Capture mac{"link set nl0 vf 0 mac 02:11:22:33:44:55",
    "50000000100005002d08166b0000000000000000090000000000000000000000"
    "300016002c000100280001000000000002112233445500000000000000000000"
    "00000000000000000000000000000000"};

// IFLA_VF_VLAN {vf, vlan, qos}
inline constexpr Capture vlan_qos{"link set nl0 vf 0 vlan 7 qos 3",
    "38000000100005002d08166b0000000000000000090000000000000000000000"
    "180016001400010010000200000000000700000003000000"};

inline constexpr Capture vlan_no_qos{"link set nl0 vf 0 vlan 7",
    "38000000100005000508166b0000000000000000090000000000000000000000"
    "180016001400010010000200000000000700000000000000"};

// An explicit 802.1Q still goes as IFLA_VF_VLAN, byte for byte as without `proto`.
inline constexpr Capture vlan_8021q{"link set nl0 vf 0 vlan 7 qos 3 proto 802.1Q",
    "38000000100005000508166b0000000000000000090000000000000000000000"
    "180016001400010010000200000000000700000003000000"};

// IFLA_VF_VLAN_LIST > IFLA_VF_VLAN_INFO {vf, vlan, qos, proto 0x88a8 big-endian, 2 bytes padding}
inline constexpr Capture vlan_8021ad{"link set nl0 vf 0 vlan 7 qos 3 proto 802.1ad",
    "40000000100005002d08166b0000000000000000090000000000000000000000"
    "200016001c00010018000c001400010000000000070000000300000088a80000"};

// IFLA_VF_RATE {vf, min_tx_rate, max_tx_rate}. Given only one of the two, iproute2 first dumps
// the links (RTM_GETLINK, RTEXT_FILTER_VF) and takes the other from the VF's current IFLA_VF_RATE;
// nl0 has no VFs, so that is 0 here.
inline constexpr Capture max_tx_rate{"link set nl0 vf 0 max_tx_rate 100",
    "38000000100005002e08166b0000000000000000090000000000000000000000"
    "180016001400010010000600000000000000000064000000"};

inline constexpr Capture min_tx_rate{"link set nl0 vf 0 min_tx_rate 10",
    "38000000100005002f08166b0000000000000000090000000000000000000000"
    "18001600140001001000060000000000" "0a00000000000000"};

inline constexpr Capture both_rates{"link set nl0 vf 0 max_tx_rate 100 min_tx_rate 10",
    "38000000100005000508166b0000000000000000090000000000000000000000"
    "18001600140001001000060000000000" "0a00000064000000"};

// IFLA_VF_SPOOFCHK, IFLA_VF_TRUST, IFLA_VF_RSS_QUERY_EN {vf, setting}; IFLA_VF_LINK_STATE {vf, state}
inline constexpr Capture spoofchk_on{"link set nl0 vf 0 spoofchk on",
    "34000000100005002f08166b0000000000000000090000000000000000000000"
    "14001600100001000c0004000000000001000000"};

inline constexpr Capture trust_on{"link set nl0 vf 0 trust on",
    "34000000100005002f08166b0000000000000000090000000000000000000000"
    "14001600100001000c0009000000000001000000"};

inline constexpr Capture trust_off{"link set nl0 vf 0 trust off",
    "34000000100005000508166b0000000000000000090000000000000000000000"
    "14001600100001000c0009000000000000000000"};

inline constexpr Capture state_disable{"link set nl0 vf 0 state disable",
    "34000000100005003008166b0000000000000000090000000000000000000000"
    "14001600100001000c0005000000000002000000"};

inline constexpr Capture state_enable{"link set nl0 vf 0 state enable",
    "34000000100005000508166b0000000000000000090000000000000000000000"
    "14001600100001000c0005000000000001000000"};

inline constexpr Capture query_rss_on{"link set nl0 vf 0 query_rss on",
    "34000000100005003008166b0000000000000000090000000000000000000000"
    "14001600100001000c0007000000000001000000"};

// Everything at once, on VF 3: the attributes follow the command line's order, except the rate,
// which iproute2 adds last.
inline constexpr Capture combined{
    "link set nl0 vf 3 mac 02:11:22:33:44:55 vlan 7 qos 3 max_tx_rate 100 min_tx_rate 10 "
    "spoofchk off trust on state auto query_rss off",
    "a0000000100005003108166b0000000000000000090000000000000000000000"
    "800016007c000100280001000300000002112233445500000000000000000000"
    "0000000000000000000000000000000010000200030000000700000003000000"
    "0c00040003000000000000000c00090003000000010000000c00050003000000"
    "000000000c000700030000000000000010000600030000000a00000064000000"};

// --- the kernel's answers (received by iproute2) ---

// To `ip link set nl0 vf 0 trust on`: EOPNOTSUPP (-95), the whole request echoed, no extended ack.
inline constexpr Capture refused_trust{"link set nl0 vf 0 trust on",
    "48000000020000003308166b77550000a1ffffff34000000100005003308166b"
    "000000000000000009000000000000000000000014001600100001000c000900"
    "0000000001000000"};

// To `ip link set nlbr0 master nlbr1` (two bridges): ELOOP (-40) with NLM_F_ACK_TLVS and
// NLMSGERR_ATTR_MSG "Can not enslave a bridge to a bridge".
inline constexpr Capture refused_with_message{"link set nlbr0 master nlbr1",
    "68000000020000023308166ba6550000d8ffffff28000000100005003308166b"
    "00000000000000000d000000000000000000000008000a000e00000029000100"
    "43616e206e6f7420656e736c61766520612062726964676520746f2061206272"
    "6964676500000000"};

// To `ip link set nl0 mtu 10` (an ifb takes it): error 0 with NLM_F_CAPPED, only the request's
// header echoed.
inline constexpr Capture done{"link set nl0 mtu 10",
    "24000000020000011908166bff4f00000000000028000000100005001908166b"
    "00000000"};

}  // namespace captures
