// Bringing one VF from what the kernel reports ("found") to what is wanted ("desired"): which
// settings to send, in which order, and how to put them back. Decisions only; the caller sends.
//
// Why one setting per request: the kernel applies a VF's attributes in a fixed order (MAC, VLAN,
// rate, spoof check, link state, RSS query, trust) and stops at the first one the driver refuses,
// keeping the ones before it (vf_request.hpp). So a request with several settings can fail half
// done, and the error does not say which half. Sent one at a time, in that same order, a refusal
// names its setting, and the ones already changed are put back, newest first, with found's values.
//
// The rules:
//  - Only the fields set in `desired` are looked at; nothing else is ever written.
//  - A field desired but not reported in `found` counts as different (the kernel's value is
//    unknown, so it is set).
//  - A VLAN with vid 0 means "no port VLAN" whatever its qos and protocol: the kernel reports an
//    unset port VLAN as vid 0 qos 0 802.1Q, and a desired vid 0 asks for exactly that. Such a VLAN
//    is always sent as vid 0 qos 0 802.1Q, which is how it is cleared on every driver.
//  - max_tx_rate and min_tx_rate travel together (IFLA_VF_RATE carries both), so they make one step;
//    the one not desired keeps found's value, as complete_rates() does.
//  - What found does not hold cannot be put back: a field it lacks, or an all-zero MAC (igb's
//    report for a VF with none set: "none" rather than an address, and not every driver accepts
//    it back).
#pragma once

#include "netlink/vf_settings.hpp"

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sriov::nl {

// Whether two values of a setting mean the same to the kernel: equality, except that every VLAN
// with vid 0 is "no port VLAN" (qos and protocol are then ignored).
bool same_setting(const VfVlan& a, const VfVlan& b) noexcept;
template <typename T>
bool same_setting(const T& a, const T& b) noexcept(noexcept(a == b))
{
    return a == b;
}

// One VfSettings per field of `desired` that is not the same as in `found` (same_setting), each
// holding that field alone, except that a differing max_tx_rate or min_tx_rate gives one step
// holding both. In the kernel's order: mac, vlan, rates, spoofchk, link_state, query_rss, trust.
// Empty when nothing differs. Throws sriov::Error(Errc::protocol) when a rate step needs the rate
// not desired and `found` does not have it (nothing has been sent then).
std::vector<VfSettings> steps_to(const VfSettings& desired, const VfSettings& found);

// The step that puts back what `step` changes: the same fields with found's values (found being
// the kernel's view from before `step`). nullopt when some field of `step` cannot be put back:
// `found` lacks it, or it is an all-zero MAC. An empty step gives an empty undo.
std::optional<VfSettings> undo_of(const VfSettings& step, const VfSettings& found);

// One desired setting the kernel does not have, as text for drift events and `vfctl show`.
struct Difference {
    // iproute2's keyword: mac, vlan, max_tx_rate, min_tx_rate, spoofchk, trust, state, query_rss
    std::string setting;
    // As iproute2 takes it, e.g. "02:11:22:33:44:55", "100", "on", "auto"; a VLAN as "10 qos 3",
    // "10 qos 3 proto 802.1ad" (the protocol only when not 802.1Q), or "0" for no port VLAN.
    std::string desired;
    std::string found;  // the same form, or "not reported"
    friend bool operator==(const Difference&, const Difference&) = default;
};

// The desired fields that are not the same as found (same_setting), in the order of the table in
// vf_settings.hpp. Rates are compared one by one here. Empty when found has everything desired.
std::vector<Difference> differences(const VfSettings& desired, const VfSettings& found);

// Applies steps_to(desired, found) through `send` (one request each, e.g. RtnlSocket::set_vf),
// all or none. When a send throws, the step it was sending is taken as not applied (the kernel
// refuses a one-attribute request whole), and the steps sent before it are put back with
// undo_of(), newest first; then the original exception is rethrown. A step that cannot be put back
// is skipped and reported to `undo_failed` with the step itself and an
// sriov::Error(Errc::unsupported); an undo whose send throws is reported with that undo and what
// it threw, and the remaining undos still run. Returns the number of steps sent (0 when nothing
// differs). Throws as steps_to() before sending anything.
std::size_t apply_all_or_none(const VfSettings& desired, const VfSettings& found,
                              const std::function<void(const VfSettings&)>& send,
                              const std::function<void(const VfSettings& undo, const std::exception& why)>&
                                  undo_failed = {});

}  // namespace sriov::nl
