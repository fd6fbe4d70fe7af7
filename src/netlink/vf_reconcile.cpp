#include "netlink/vf_reconcile.hpp"

#include "netlink/vf_request.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace sriov::nl {

namespace {

// Desired and not the same as found; a field found lacks is never the same.
template <typename T>
bool differs(const std::optional<T>& desired, const std::optional<T>& found)
{
    return desired && !(found && same_setting(*desired, *found));
}

// Every "no port VLAN" as the kernel reports it and as every driver clears it.
VfVlan plain(const VfVlan& vlan)
{
    return vlan.vid == 0 ? VfVlan{} : vlan;
}

std::string vlan_text(const VfVlan& vlan)
{
    if (vlan.vid == 0)
        return "0";
    auto text = fmt::format("{} qos {}", vlan.vid, vlan.qos);
    if (vlan.protocol != VlanProtocol::ieee_802_1q)
        text += fmt::format(" proto {}", to_string(vlan.protocol));
    return text;
}

std::string text(const MacAddress& mac) { return mac.to_string(); }
std::string text(const VfVlan& vlan) { return vlan_text(vlan); }
std::string text(std::uint32_t rate) { return std::to_string(rate); }
std::string text(bool on) { return on ? "on" : "off"; }
std::string text(VfLinkState state) { return std::string(to_string(state)); }

}  // namespace

bool same_setting(const VfVlan& a, const VfVlan& b) noexcept
{
    return (a.vid == 0 && b.vid == 0) || a == b;
}

std::vector<VfSettings> steps_to(const VfSettings& desired, const VfSettings& found)
{
    std::vector<VfSettings> steps;
    if (differs(desired.mac, found.mac))
        steps.push_back({.mac = desired.mac});
    if (differs(desired.vlan, found.vlan))
        steps.push_back({.vlan = plain(*desired.vlan)});
    if (differs(desired.max_tx_rate, found.max_tx_rate) || differs(desired.min_tx_rate, found.min_tx_rate))
        steps.push_back(complete_rates({.max_tx_rate = desired.max_tx_rate, .min_tx_rate = desired.min_tx_rate},
                                       found));
    if (differs(desired.spoofchk, found.spoofchk))
        steps.push_back({.spoofchk = desired.spoofchk});
    if (differs(desired.link_state, found.link_state))
        steps.push_back({.link_state = desired.link_state});
    if (differs(desired.query_rss, found.query_rss))
        steps.push_back({.query_rss = desired.query_rss});
    if (differs(desired.trust, found.trust))
        steps.push_back({.trust = desired.trust});
    return steps;
}

std::optional<VfSettings> undo_of(const VfSettings& step, const VfSettings& found)
{
    VfSettings undo;
    bool possible = true;
    // Each field the step changes takes found's value back; one found lacks makes the undo impossible.
    const auto put_back = [&possible](auto& to, const auto& changed, const auto& before) {
        if (!changed)
            return;
        if (before)
            to = before;
        else
            possible = false;
    };
    put_back(undo.mac, step.mac, found.mac);
    put_back(undo.vlan, step.vlan, found.vlan);
    put_back(undo.max_tx_rate, step.max_tx_rate, found.max_tx_rate);
    put_back(undo.min_tx_rate, step.min_tx_rate, found.min_tx_rate);
    put_back(undo.spoofchk, step.spoofchk, found.spoofchk);
    put_back(undo.trust, step.trust, found.trust);
    put_back(undo.link_state, step.link_state, found.link_state);
    put_back(undo.query_rss, step.query_rss, found.query_rss);
    if (undo.mac && undo.mac->is_zero())
        possible = false;
    if (undo.vlan)
        undo.vlan = plain(*undo.vlan);
    if (!possible)
        return std::nullopt;
    return undo;
}

std::vector<Difference> differences(const VfSettings& desired, const VfSettings& found)
{
    std::vector<Difference> out;
    const auto compare = [&out](const char* setting, const auto& want, const auto& have) {
        if (differs(want, have))
            out.push_back({setting, text(*want), have ? text(*have) : "not reported"});
    };
    compare("mac", desired.mac, found.mac);
    compare("vlan", desired.vlan, found.vlan);
    compare("max_tx_rate", desired.max_tx_rate, found.max_tx_rate);
    compare("min_tx_rate", desired.min_tx_rate, found.min_tx_rate);
    compare("spoofchk", desired.spoofchk, found.spoofchk);
    compare("trust", desired.trust, found.trust);
    compare("state", desired.link_state, found.link_state);
    compare("query_rss", desired.query_rss, found.query_rss);
    return out;
}

std::size_t apply_all_or_none(const VfSettings& desired, const VfSettings& found,
                              const std::function<void(const VfSettings&)>& send,
                              const std::function<void(const VfSettings& undo, const std::exception& why)>& undo_failed)
{
    const auto steps = steps_to(desired, found);
    const auto report = [&undo_failed](const VfSettings& what, const std::exception& why) {
        if (undo_failed)
            undo_failed(what, why);
    };
    std::size_t sent = 0;
    try {
        for (; sent < steps.size(); ++sent)
            send(steps[sent]);
    } catch (...) {
        // Put back steps[sent - 1] .. steps[0]; steps[sent] is the one refused.
        const auto why = std::current_exception();
        while (sent > 0) {
            const auto& step = steps[--sent];
            const auto undo = undo_of(step, found);
            if (!undo) {
                report(step, Error(Errc::unsupported, "netlink",
                                   fmt::format("cannot put back {}: the kernel's view before it had no value "
                                               "that can be set again",
                                               to_string(step))));
                continue;
            }
            try {
                send(*undo);
            } catch (const std::exception& e) {
                report(*undo, e);
            } catch (...) {
                report(*undo, std::runtime_error("an exception that is not a std::exception"));
            }
        }
        std::rethrow_exception(why);
    }
    return sent;
}

}  // namespace sriov::nl
