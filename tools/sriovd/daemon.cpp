#include "daemon.hpp"

#include "control_handler.hpp"
#include "ctl/server.hpp"
#include "pf/pf_manager.hpp"
#include "pf/vf_provisioning.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "state_file.hpp"
#include "token_file.hpp"
#include "vf_count_change.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>
#include <tuple>

namespace sriov::sriovd {

namespace {

// A one-way "stop now" shared by the event loop (signals) and the provisioning thread.
class StopRequest {
public:
    void request()
    {
        {
            std::lock_guard lock(mutex_);
            requested_ = true;
        }
        cv_.notify_all();
    }
    void wait()
    {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return requested_; });
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool requested_ = false;
};

std::string describe_vfs(const std::vector<pci::Address>& vfs, const std::vector<std::string>& drivers)
{
    std::string text;
    for (unsigned n = 0; n < vfs.size(); ++n)
        text += fmt::format("{}VF {} {} ({})", n ? ", " : "", n, vfs[n],
                            drivers[n].empty() ? std::string(pf::default_vf_driver) : drivers[n]);
    return text;
}

// The state directory, created (0750) if it is missing.
std::filesystem::path state_directory(const std::string& dir)
{
    const std::filesystem::path path(dir);
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec)
        throw system_error(dir, "create the state directory", ec.value());
    std::filesystem::permissions(path, std::filesystem::perms(0750), ec);
    return path;
}

// The operators' group named in the configuration, or nothing (root only).
std::optional<gid_t> operators_group(const std::string& name)
{
    if (name.empty())
        return std::nullopt;
    const ::group* g = ::getgrnam(name.c_str());
    if (!g)
        throw Error(Errc::not_found, fmt::format("group '{}'", name),
                    "no such group (the configuration's [daemon] group): create it (groupadd) or leave the key out");
    return g->gr_gid;
}

// Gives the operators' group access to path (the mode already limits it to owner and group).
void share_with(const std::filesystem::path& path, std::optional<gid_t> group)
{
    if (group && ::chown(path.c_str(), static_cast<uid_t>(-1), *group) != 0)
        throw system_error(path.string(), "give the operators' group access", errno);
}

// The configuration with the values changed at run time laid over it (state_file.hpp), and the
// state file rewritten to match. A corrupt state file stops sriovd (the error says so and how to
// recover): applying part of it, or starting without it and overwriting it, would lose state.
std::pair<DaemonConfig, PfState> with_saved_state(const DaemonConfig& configured,
                                                  const std::filesystem::path& path)
{
    DaemonConfig effective = configured;
    PfState state = state_of(configured);
    if (const auto saved = load_state(path)) {
        std::vector<std::string> notes;
        std::tie(effective, state) = apply_state(configured, *saved, notes);
        for (const auto& note : notes)
            spdlog::info("state file {}: {}", path.string(), note);
    }
    save_state(path, state);
    return {effective, state};
}

}  // namespace

int run_daemon(const Options& options)
{
    const DaemonConfig configured = daemon_config(options);
    const std::optional<gid_t> group = operators_group(configured.group);
    const std::filesystem::path state_dir = state_directory(configured.state_dir);
    share_with(state_dir, group);
    const std::filesystem::path state_path = state_dir / state_file_name;
    auto [daemon, state] = with_saved_state(configured, state_path);
    pf::PfConfig config = pf_config(daemon);
    const std::vector<std::string>& drivers = daemon.drivers;
    const bool remove_vfs_on_exit = daemon.remove_vfs_on_exit;
    const pf::VfProvisioner provisioner(pci::Sysfs(), std::chrono::seconds(daemon.timeout_s));

    // The token is made once and kept: a restarted sriovd must present it to reopen its PF while
    // VF users hold their VFs.
    const vfio::VfToken token = load_or_create_token(state_dir / "vf-token");
    share_with(state_dir / "vf-token", group);

    // The PF must be ours before it is brought up; VFs that outlived a previous sriovd are kept
    // if they are as many as wanted, otherwise removed first.
    config.vfs_exist = provisioner.claim_pf(config.pf, config.num_vfs, options.take_over);

    boost::asio::io_context io;
    auto manager = pf::PfManager::open(io, config, token);
    // A trusted VF that picks its own MAC keeps it across restarts: the change is a runtime value
    // of the state file. (An untrusted VF may only pick one when it was given none; keeping that
    // one would stop it from ever picking another, so it is not kept.)
    manager->on_vf_mac_changed([&](unsigned vf, const MacAddress& mac) {
        if (!manager->policy().admin(vf).trusted)
            return;
        try {
            record_runtime(state, vf, "mac", mac.to_string());
            save_state(state_path, state);
            spdlog::info("VF {}: its MAC {} kept in the state file", vf, mac);
        } catch (const std::exception& e) {
            spdlog::error("VF {}: its MAC {} could not be kept: {}", vf, mac, e.what());
        }
    });
    // The control socket (vfctl): root and the operators' group.
    std::optional<control::Server> control_server;
    // Events go to vfctl monitor (the server is made just below).
    const auto publish = [&, pf = config.pf.to_string()](const pf::PfEvent& e) {
        if (!control_server)
            return;
        nlohmann::json event{{"event", e.kind}, {"pf", pf}, {"message", e.message}};
        if (e.vf)
            event["vf"] = *e.vf;
        control_server->publish(event.dump());
    };
    // A change of the VF count at run time: kept in the state file once the PF is brought up for
    // the new count; the VFs are removed and created off the loop.
    VfCountChange count_change(io, provisioner, config.pf);
    const auto set_num_vfs = [&](unsigned n) {
        if (n > e82576::max_vfs)
            throw Error(Errc::invalid_argument, config.pf.to_string(),
                        fmt::format("{} VFs asked for; an 82576 PF serves at most {}", n, e82576::max_vfs));
        VfCountChange::Hooks hooks;
        hooks.removing = [&, n] {
            manager->vfs_removing();
            spdlog::info("changing the VF count from {} to {}: removing the VFs", config.num_vfs, n);
            publish({"num_vfs", std::nullopt, fmt::format("changing from {} to {} VFs", config.num_vfs, n)});
        };
        hooks.bring_up = [&](unsigned m) {
            DaemonConfig next = daemon;
            PfState next_state = state;
            record_runtime_num_vfs(next_state, next, m);
            // VFs that stay keep what they have now, run-time changes included.
            for (unsigned vf = 0; vf < std::min(m, manager->policy().num_vfs()); ++vf)
                next.vfs[vf] = manager->policy().admin(vf);
            save_state(state_path, next_state);
            manager->resize(m, next.vfs);
            daemon = std::move(next);
            state = std::move(next_state);
            config.num_vfs = m;
        };
        hooks.created = [&](const std::vector<pci::Address>& vfs) {
            manager->vfs_created();
            const std::string text = vfs.empty() ? std::string("no VFs") : describe_vfs(vfs, drivers);
            spdlog::info("ready: {}", text);
            ::sd_notifyf(0, "STATUS=PF %s up: %s", config.pf.to_string().c_str(), text.c_str());
            publish({"num_vfs", std::nullopt, fmt::format("now {} VFs", vfs.size())});
        };
        hooks.failed = [&](const std::string& why) {
            spdlog::error("changing the VF count: {}", why);
            publish({"num_vfs", std::nullopt, fmt::format("failed: {}", why)});
        };
        std::vector<std::string> next_drivers = drivers;
        next_drivers.resize(n);
        count_change.start(n, std::move(next_drivers), std::move(hooks));
    };
    ControlHandler control_handler(*manager, drivers, state, state_path, set_num_vfs);
    if (!options.socket.empty()) {
        control::ServerOptions socket_options;
        socket_options.socket_path = options.socket;
        socket_options.group = group;
        control_server.emplace(io, socket_options,
                               [&](const control::Request& r, const control::Peer&) { return control_handler(r); });
        spdlog::info("control socket {} ({})", options.socket,
                     group ? fmt::format("root and group {}", configured.group) : std::string("root only"));
    }
    manager->on_event(publish);
    if (!options.token_file.empty()) {
        write_token_file(options.token_file, token);
        share_with(options.token_file, group);
        spdlog::info("VF token written to {}", options.token_file);
    }

    StopRequest stop;
    std::atomic<bool> failed{false};
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec)
            return;
        spdlog::info("{}: {}, then stopping", ::strsignal(signal),
                     remove_vfs_on_exit ? "removing the VFs" : "keeping the VFs");
        ::sd_notify(0, "STOPPING=1");
        stop.request();
    });

    // The kernel wants the PF back (vfio-pci being unbound from it): stop, which closes it.
    manager->on_release_request([&] {
        spdlog::warn("stopping: the kernel asks for PF {} back", config.pf);
        ::sd_notify(0, "STOPPING=1");
        stop.request();
    });

    // The VFs are created and bound here, off the event loop: their drivers talk to the PF while
    // they are probed, and the loop must be free to answer. Removal happens here too, since it
    // blocks until every VF user has let go.
    std::thread provisioning([&] {
        try {
            const auto vfs = config.vfs_exist ? provisioner.adopt_vfs(config.pf, config.num_vfs, drivers)
                                              : provisioner.create_vfs(config.pf, config.num_vfs, drivers);
            boost::asio::post(io, [&, vfs] {
                if (!config.vfs_exist)
                    manager->vfs_created();
                const std::string text = vfs.empty() ? std::string("no VFs") : describe_vfs(vfs, drivers);
                spdlog::info("ready: {}", text);
                // A no-op unless systemd started us (Type=notify).
                ::sd_notifyf(0, "READY=1\nSTATUS=PF %s up: %s", config.pf.to_string().c_str(), text.c_str());
            });
        } catch (const Error& e) {
            spdlog::error("cannot {} the VFs: {}", config.vfs_exist ? "adopt" : "create", e.what());
            failed = true;
            stop.request();
        }
        stop.wait();
        if (remove_vfs_on_exit) {
            try {
                provisioner.remove_vfs(config.pf);
            } catch (const Error& e) {
                spdlog::error("cannot remove the VFs: {}", e.what());
                failed = true;
            }
        }
        boost::asio::post(io, [&] {
            signals.cancel();
            io.stop();
        });
    });

    try {
        io.run();
    } catch (...) {
        stop.request();
        provisioning.join();
        throw;
    }
    provisioning.join();
    control_server.reset();
    manager.reset();
    if (remove_vfs_on_exit) {
        // The copy for VF users means nothing once the VFs are gone.
        if (!options.token_file.empty()) {
            std::error_code ignored;
            std::filesystem::remove(options.token_file, ignored);
        }
    } else {
        spdlog::info("PF {}: its {} VFs stay; a restarted sriovd takes them back", config.pf, config.num_vfs);
    }
    return failed ? 1 : 0;
}

}  // namespace sriov::sriovd
