// The control protocol between sriovd and its clients (vfctl), on sriovd's Unix socket.
//
// One JSON object per line in each direction. A request names an operation ("op") and its
// arguments; the answer carries the same "id", then either "result" or "error" with a code (the
// names of sriov::Errc) and a message a person can act on. Example:
//   -> {"id":7,"op":"set_vf","pf":"0000:00:02.0","vf":1,"settings":{"mac":"02:11:22:33:44:55","trust":true}}
//   <- {"id":7,"ok":true,"result":{}}
//   <- {"id":7,"ok":false,"error":{"code":"invalid_argument","message":"VF 9 does not exist: ..."}}
// After "subscribe", events arrive as lines of their own (see "events" below).
// Settings in one set_vf are applied all or none. Unknown fields are refused, so a misspelt field
// is never silently ignored.
//
// Results (the stable schema vfctl -j prints; fields are added, never renamed or removed):
//   show   {"pfs":[{"pf":"0000:00:02.0","mac":"52:54:00:12:34:56","num_vfs":2,"link":"up",
//                   "speed_mbps":1000,
//                   "vfs":[{"vf":0,"pci":"0000:00:12.0","driver":"igbvf","mac":"02:11:22:33:44:55",
//                           "vlan":0,"qos":0,"max_tx_rate":0,"spoofchk":true,"trust":false,
//                           "state":"auto","quarantined":false,"clear_to_send":true,
//                           "origin":{"mac":"config","trust":"runtime",...}}]}]}
//          vlan 0 and max_tx_rate 0 mean none; "origin" says per setting whether it comes from the
//          config file ("config"), a run-time change ("runtime") or the default ("default").
//          A PF that stays with its kernel driver (igb, ixgbe, ice, mlx5, ...) adds who owns it, and
//          its VFs what the kernel reports and how that compares with what sriovd wants:
//          {"pf":"0000:03:00.0","owner":"kernel","interface":"eth0","driver":"igb",...,
//           "vfs":[{"vf":0,...,"vlan":10,"qos":3,"vlan_protocol":"802.1ad","max_tx_rate":1000,
//                   "min_tx_rate":100,"query_rss":false,"managed":true,
//                   "drift":[{"setting":"mac","desired":"02:11:22:33:44:55","found":"02:11:22:33:44:66"}]}]}
//          "pf" is still the PCI address; "owner" is "sriovd" or "kernel". "managed" false: sriovd
//          shows the VF but keeps no settings for it. "drift" lists the settings where the kernel's
//          view differs from the desired one (absent or empty: none), values as in set_vf. Such a
//          VF lacks the keys only a PF driven by sriovd has (max_frame, max_multicast, max_vlans,
//          quarantined, clear_to_send, granted); a setting the kernel did not report is absent or null.
//   stats  {"vfs":[{"pf":...,"vf":0,"rx_packets":N,"rx_bytes":N,"tx_packets":N,"tx_bytes":N,
//                   "rx_multicast":N,"mailbox_requests":N,"refused":N,"malformed":N,"dropped":N,
//                   "quarantines":N,"quarantined":false}]}
//          64-bit totals; "refused", "malformed" and "dropped" (over the VF's request rate, not
//          answered) are counted among "mailbox_requests"; "quarantines" counts how often the VF was
//          quarantined, "quarantined" says whether it is now.
//          A kernel-owned PF's VF has no mailbox keys, and of the traffic what its driver gives:
//          {"pf":...,"vf":0,"rx_packets":N,"tx_packets":N,"rx_bytes":N,"tx_bytes":N,"broadcast":N,
//           "multicast":N,"rx_dropped":N,"tx_dropped":N}, or, from a driver that gives none,
//          {"pf":...,"vf":0,"traffic":"not_reported","traffic_driver":"igb"}.
//   status {"version":"0.1.0","pfs":1,"uptime_s":N,
//           "mailbox":{"interrupts":N,"vf_resets":N,"requests":N,"nacks":N,"acks":N,
//                      "control_messages":N,"errors":N,"dropped":N,"quarantines":N,"log_suppressed":N}}
//          the mailbox counters summed over all PFs and VFs: interrupts served, VF resets, requests read
//          from VFs, of these answered NACK, acknowledgements from VFs, control messages sent to VFs,
//          mailbox accesses that failed, requests dropped over a VF's rate, quarantines, and log
//          lines left out to keep the log bounded.
//   set_num_vfs {"num_vfs":N,"changing":true}   set_vf, reset, release, subscribe: {}
//   events {"event":"quarantine","pf":"0000:00:02.0","vf":0,"message":"..."}
//          "event" is one of vf_reset, request_refused, quarantine, release, link_change, pf_reset,
//          vf_changed, and for a kernel-owned PF: drift (a VF's setting was changed behind sriovd's
//          back; the message names it, what is desired and what was found), vf_applied (sriovd wrote
//          a VF's desired settings to the kernel; the message says which) and pf_reloaded (the PF's
//          driver went away and came back, and sriovd applied its VFs' settings again); and for
//          every PF: config_reloaded (sriovd read its configuration again, SIGHUP; the message says
//          what changed, or that the file was refused and why). "vf" is
//          absent for an event of the whole PF; "message" says what happened. A client shows a kind
//          it does not know as it shows the others: kinds are added, never renamed.
//          A connection that does not read its events in time loses those that do not fit in
//          sriovd's bound (ServerOptions::max_output); once it has caught up it gets, where they
//          would have been,
//          {"event":"events_missed","count":N,"message":"N events dropped: ..."} (no "pf").
//          A connection that sends requests and does not read the answers is disconnected.
#pragma once

#include "sriov/error.hpp"
#include "sriov/mac_address.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace sriov::control {

inline constexpr int protocol_version = 1;
inline constexpr std::string_view default_socket = "/run/sriovd/sriovd.sock";
inline constexpr std::uint32_t max_rate_mbps = 100000;  // the most max_tx_rate and min_tx_rate may be

enum class LinkState { automatic, enable, disable };
std::string_view to_string(LinkState s);

// The tag protocol of a port VLAN (iproute2's "proto"): 802.1Q, or 802.1ad (the outer tag of QinQ).
enum class VlanProtocol { ieee_802_1q, ieee_802_1ad };
std::string_view to_string(VlanProtocol p);  // "802.1Q", "802.1ad"

// The per-VF settings of one request; only what is present changes. min_tx_rate, vlan_protocol and
// query_rss are for kernel-owned PFs; max_frame, max_multicast and max_vlans for the PFs sriovd
// drives itself. A PF that cannot apply a setting refuses the whole request. ({} on each field lets
// a caller name only the fields it sets, as in VfSettings{.trust = true}.)
struct VfSettings {
    std::optional<MacAddress> mac{};
    std::optional<std::uint16_t> vlan{};         // port VLAN 1..4095; 0 removes it
    std::optional<std::uint8_t> qos{};           // priority of the port VLAN's tag, 0..7 (needs vlan)
    std::optional<VlanProtocol> vlan_protocol{}; // the port VLAN's tag protocol (needs vlan); default 802.1Q
    std::optional<std::uint32_t> max_tx_rate{};  // Mb/s; 0 removes the limit
    std::optional<std::uint32_t> min_tx_rate{};  // Mb/s kept for the VF; 0: none; <= max_tx_rate
    std::optional<std::uint16_t> max_frame{};    // bytes the VF may ask to receive, 64..16383; 0: the chip's
    std::optional<std::uint8_t> max_multicast{}; // multicast groups the VF may ask for, 0..30
    std::optional<std::uint8_t> max_vlans{};     // VLANs the VF may join through its mailbox, 0..32
    std::optional<bool> spoofchk{};
    std::optional<bool> trust{};
    std::optional<bool> query_rss{};             // may the VF read the PF's RSS key and table
    std::optional<LinkState> state{};

    // Nothing present (a field added later counts without a change here).
    bool empty() const { return *this == VfSettings{}; }
    friend bool operator==(const VfSettings&, const VfSettings&) = default;
};

// Whether `name` can be a Linux network interface's name: 1 to 15 bytes, none of them '/', ':' or
// white space, and not "." or ".." (the kernel's dev_valid_name()). No PCI address is one, since
// every PCI address has a ':'.
bool is_interface_name(std::string_view name);

// Operations. pf names a PF by its PCI address, canonical ("0000:00:02.0"), or by its network
// interface's name ("eth0"), which sriovd resolves to the PF it manages (a PF that stays with its
// kernel driver has one); vf is an index.
struct Show {
    std::optional<std::string> pf;
    std::optional<unsigned> vf;
    friend bool operator==(const Show&, const Show&) = default;
};
struct Stats {
    std::optional<std::string> pf;
    std::optional<unsigned> vf;
    friend bool operator==(const Stats&, const Stats&) = default;
};
struct SetVf {
    std::string pf;
    unsigned vf = 0;
    VfSettings settings;
    friend bool operator==(const SetVf&, const SetVf&) = default;
};
struct SetNumVfs {
    std::string pf;
    unsigned count = 0;
    friend bool operator==(const SetNumVfs&, const SetNumVfs&) = default;
};
struct Reset {
    std::string pf;
    std::optional<unsigned> vf;  // nullopt: reset the PF
    friend bool operator==(const Reset&, const Reset&) = default;
};
struct Release {
    std::string pf;
    unsigned vf = 0;
    friend bool operator==(const Release&, const Release&) = default;
};
struct Subscribe {
    friend bool operator==(const Subscribe&, const Subscribe&) = default;
};
struct Status {
    friend bool operator==(const Status&, const Status&) = default;
};

using Operation = std::variant<Show, Stats, SetVf, SetNumVfs, Reset, Release, Subscribe, Status>;

struct Request {
    std::uint64_t id = 0;
    Operation op;
    friend bool operator==(const Request&, const Request&) = default;
};

// One line of JSON (without the newline).
std::string encode(const Request& request);

// Parses and validates one request line. Throws sriov::Error (Errc::invalid_argument, subject
// "request") naming what is wrong: not JSON, not an object, a missing or mistyped field, an unknown
// operation (with the valid ones) or field, a value out of range (VLAN, QoS, MAC, VF index).
// Never crashes on any input.
Request decode_request(std::string_view line);

// Answers, as lines of JSON. `result_json` must be a JSON value (e.g. "{}").
std::string encode_ok(std::uint64_t id, std::string_view result_json);
std::string encode_error(std::uint64_t id, const Error& error);

// The event that tells a subscriber how many events it was not sent, because it did not read them
// in time.
std::string encode_events_missed(std::uint64_t count);

}  // namespace sriov::control
