#include "config_reload.hpp"

#include "pf/vf_policy.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace sriov::sriovd {

namespace {

using nlohmann::json;

// A value as the log shows it: strings unquoted, null as "none".
std::string shown(const json& v) { return v.is_null() ? "none" : v.is_string() ? v.get<std::string>() : v.dump(); }

std::string shown(const std::string& v) { return v.empty() ? "none" : v; }

std::string shown(const DaemonConfig& c, const pf::PolicingLimits& p)
{
    if (!c.policing_given)
        return "none";
    return fmt::format("requests_per_s {} burst {} max_malformed {} max_refused {} max_dropped {} window_s {}",
                       p.requests_per_s, p.burst, p.max_malformed, p.max_refused, p.max_dropped, p.window.count());
}

std::string needs_restart(const std::string& key, const std::string& was, const std::string& now)
{
    return fmt::format("{} changed from {} to {}: it cannot change while sriovd runs; restart sriovd to apply it "
                       "({} stays in force)",
                       key, was, now, was);
}

// What the file says of the whole daemon that only a start reads.
void daemon_wide(const DaemonConfig& was, const DaemonConfig& now, std::vector<std::string>& restart)
{
    if (was.state_dir != now.state_dir)
        restart.push_back(needs_restart("[daemon] state_dir", was.state_dir, now.state_dir));
    if (was.group != now.group)
        restart.push_back(needs_restart("[daemon] group", shown(was.group), shown(now.group)));
    if (was.timeout_s != now.timeout_s)
        restart.push_back(
            needs_restart("[daemon] timeout_s", std::to_string(was.timeout_s), std::to_string(now.timeout_s)));
    if (was.policing_given != now.policing_given || was.policing != now.policing)
        restart.push_back(needs_restart("[policing]", shown(was, was.policing), shown(now, now.policing)));
    if (was.metrics_listen != now.metrics_listen)
        restart.push_back(needs_restart("[metrics] listen", shown(was.metrics_listen), shown(now.metrics_listen)));
}

// The file's view of a PF that runs: owner and PCI address as they were resolved at start.
DaemonConfig resolved(const DaemonConfig& file, const DaemonConfig& running)
{
    DaemonConfig c = file;
    if (c.owner.empty())
        check_owner_keys(c, running.owner);
    c.owner = running.owner;
    if (c.pf.empty())
        c.pf = running.pf;
    return c;
}

// file with count VFs: those beyond the file's keep what they have in current (they stay until
// the VF count changes, or for good if the count was changed at run time).
DaemonConfig at_count(const DaemonConfig& file, unsigned count, const DaemonConfig& current)
{
    DaemonConfig c = file;
    c.num_vfs = count;
    c.vfs.resize(count);
    c.drivers.resize(count);
    c.declared.resize(count);
    for (unsigned vf = file.num_vfs; vf < count; ++vf) {
        c.vfs[vf] = current.vfs.at(vf);
        c.drivers[vf] = current.drivers.at(vf);
        c.declared[vf] = current.declared.at(vf);
    }
    return c;
}

const StateValue* find(const PfState& state, unsigned vf, const std::string& key)
{
    if (vf >= state.vfs.size())
        return nullptr;
    const auto it = state.vfs[vf].find(key);
    return it == state.vfs[vf].end() ? nullptr : &it->second;
}

bool managed(const DaemonConfig& c, unsigned vf)
{
    return c.owner != owner_kernel || (c.declared.at(vf).listed && c.declared.at(vf).managed);
}

// The reload of running PF index to what file says of it; a restart-only change of one of its VFs
// goes to restart.
PfReload plan_pf(std::size_t index, const RunningPf& running, const DaemonConfig& file,
                 std::vector<std::string>& restart)
{
    PfReload p;
    p.index = index;
    p.configured = file;
    const std::string name = pf_name(running.configured);
    std::vector<std::string> notes;  // apply_state()'s, said at start already
    const DaemonConfig before = apply_state(running.configured, running.state, notes).first;
    const unsigned count = running.state.num_vfs;
    auto [after, state] = apply_state(at_count(file, count, before), running.state, notes);
    // Reported by daemon_wide(), kept as they are.
    after.state_dir = before.state_dir;
    after.group = before.group;
    after.timeout_s = before.timeout_s;
    after.policing = before.policing;
    after.policing_given = before.policing_given;
    after.metrics_listen = before.metrics_listen;

    if (running.state.num_vfs_origin == Origin::config && file.num_vfs != count) {
        p.num_vfs = file.num_vfs;
        p.changes.push_back(fmt::format("num_vfs {} -> {}", count, file.num_vfs));
    } else if (running.state.num_vfs_origin == Origin::runtime && file.num_vfs != running.configured.num_vfs) {
        p.kept.push_back(fmt::format("num_vfs stays {} (changed at run time, which wins over the file's {})", count,
                                     file.num_vfs));
    }

    if (before.on_drift != after.on_drift)
        p.changes.push_back(fmt::format("on_drift {} -> {}", before.on_drift, after.on_drift));

    pf::VfPolicy policy(count);
    for (unsigned vf = 0; vf < count; ++vf) {
        try {
            policy.set_admin(vf, after.vfs[vf]);
        } catch (const Error& e) {
            throw Error(Errc::invalid_argument, fmt::format("PF {}, VF {}", name, vf), e.cause());
        }
    }

    for (unsigned vf = 0; vf < std::min(count, file.num_vfs); ++vf) {
        const auto was = state_values(before.vfs[vf], before.drivers[vf]);
        const auto now = state_values(after.vfs[vf], after.drivers[vf]);
        const auto file_was = vf < running.configured.num_vfs
            ? state_values(running.configured.vfs[vf], running.configured.drivers[vf])
            : was;
        const auto file_now = state_values(file.vfs[vf], file.drivers[vf]);
        std::vector<std::string> keys;
        std::vector<std::string> said;
        for (const auto& [key, value] : now) {
            const StateValue* had = find(running.state, vf, key);
            const StateValue* has = find(state, vf, key);
            if (had && had->origin == Origin::runtime && file_was.at(key) != file_now.at(key))
                p.kept.push_back(fmt::format("VF {}: {} stays {} (changed at run time, which wins over the file's {})",
                                             vf, key, shown(value), shown(file_now.at(key))));
            if (was.at(key) == value && (had == nullptr) == (has == nullptr))
                continue;
            if (key == "driver") {
                restart.push_back(needs_restart(fmt::format("PF {} VF {} driver", name, vf), shown(was.at(key)),
                                                shown(value)));
                after.drivers[vf] = before.drivers[vf];
                p.configured.drivers[vf] = before.drivers[vf];  // in force until a restart
                if (had)
                    state.vfs[vf][key] = *had;
                else
                    state.vfs[vf].erase(key);
                continue;
            }
            keys.push_back(key);
            said.push_back(!has   ? fmt::format("{} back to its default {}", key, shown(value))
                           : !had ? fmt::format("{} {} (now managed)", key, shown(value))
                                  : fmt::format("{} {} -> {}", key, shown(was.at(key)), shown(value)));
        }
        const VfDeclaration& declared_was = before.declared.at(vf);
        const VfDeclaration& declared_now = after.declared.at(vf);
        if (declared_was.managed != declared_now.managed)
            said.push_back(fmt::format("managed {} -> {}", declared_was.managed, declared_now.managed));
        // Managed again: everything it declares is written, changed or not.
        if (!declared_was.managed && declared_now.managed)
            for (const auto& [key, value] : state.vfs[vf])
                if (key != "driver" && std::find(keys.begin(), keys.end(), key) == keys.end())
                    keys.push_back(key);
        if (declared_was.on_drift != declared_now.on_drift)
            said.push_back(
                fmt::format("on_drift {} -> {}", shown(declared_was.on_drift), shown(declared_now.on_drift)));
        if (keys.empty()) {
            if (!said.empty())
                p.changes.push_back(fmt::format("VF {}: {}", vf, fmt::join(said, ", ")));
            continue;
        }
        if (!managed(after, vf)) {
            p.changes.push_back(fmt::format("VF {}: no longer managed, left as it is", vf));
            continue;
        }
        p.changes.push_back(fmt::format("VF {}: {}", vf, fmt::join(said, ", ")));
        p.updates.push_back(VfUpdate{vf, after.vfs[vf], std::move(keys)});
    }
    p.effective = std::move(after);
    p.state = std::move(state);
    return p;
}

}  // namespace

ReloadPlan plan_reload(const DaemonConfig& running_config, const std::vector<RunningPf>& running,
                       const DaemonConfig& next)
{
    ReloadPlan plan;
    plan.remove_vfs_on_exit = next.remove_vfs_on_exit;
    if (running_config.remove_vfs_on_exit != next.remove_vfs_on_exit)
        plan.changes.push_back(fmt::format("[daemon] remove_vfs_on_exit {} -> {}", running_config.remove_vfs_on_exit,
                                           next.remove_vfs_on_exit));
    daemon_wide(running_config, next, plan.restart);
    std::vector<std::string> owners;
    for (const auto& r : running)
        owners.push_back(r.configured.owner);
    check_policing(next, owners);

    const auto was = all_pfs(running_config);
    const auto now = all_pfs(next);
    std::vector<bool> listed(was.size());
    for (const DaemonConfig& file : now) {
        const std::string name = pf_name(file);
        const auto it = std::find_if(was.begin(), was.end(), [&](const DaemonConfig& c) { return pf_name(c) == name; });
        if (it == was.end()) {
            plan.restart.push_back(fmt::format("[[pf]] {} is new in the file: sriovd manages the PFs it started with; "
                                               "restart sriovd to manage it",
                                               name));
            continue;
        }
        const auto i = static_cast<std::size_t>(it - was.begin());
        listed[i] = true;
        const DaemonConfig& current = running.at(i).configured;
        if (!file.owner.empty() && file.owner != current.owner) {
            plan.restart.push_back(needs_restart(fmt::format("PF {} owner", name), current.owner, file.owner));
            continue;
        }
        plan.pfs.push_back(plan_pf(i, running[i], resolved(file, current), plan.restart));
    }
    for (std::size_t i = 0; i < was.size(); ++i)
        if (!listed[i])
            plan.restart.push_back(fmt::format("[[pf]] {} is no longer in the file: sriovd still manages it; restart "
                                               "sriovd to let it go",
                                               pf_name(was[i])));
    return plan;
}

}  // namespace sriov::sriovd
