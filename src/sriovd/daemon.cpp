#include "daemon.hpp"

#include "config_reload.hpp"
#include "control_router.hpp"
#include "ctl/server.hpp"
#include "latency_histogram.hpp"
#include "metrics_address.hpp"
#include "metrics_scrape.hpp"
#include "metrics_server.hpp"
#include "metrics_snapshot.hpp"
#include "pf_instance.hpp"
#include "pf_messages.hpp"
#include "privileges.hpp"
#include "process_age.hpp"
#include "sriov/error.hpp"
#include "token_file.hpp"
#include "vfio/root_files.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <grp.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

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
    bool requested()
    {
        std::lock_guard lock(mutex_);
        return requested_;
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool requested_ = false;
};

// The state directory, created if it is missing, then made 0750 and given the operators' group
// (if any) through its descriptor. A symbolic link there is refused (files::open_directory()).
std::filesystem::path state_directory(const std::string& dir, std::optional<gid_t> group)
{
    const UniqueFd fd = files::make_directory(dir, 0750);
    if (group && ::fchown(fd.get(), static_cast<uid_t>(-1), *group) != 0)
        throw system_error(dir, "give the operators' group access", errno);
    if (::fchmod(fd.get(), 0750) != 0)
        throw system_error(dir, "make the state directory 0750", errno);
    return dir;
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

// drop_privileges() for the calling thread, logged if last; a failure stops sriovd (it must not run
// on with more than it needs). Returns whether it succeeded.
bool drop_privileges_here(bool keep_chown, bool keep_net_admin, bool last, std::atomic<bool>& failed,
                          PfShared& shared)
{
    try {
        const std::string kept = drop_privileges(keep_chown, keep_net_admin);
        if (last)
            spdlog::info("privileges: {}", kept);
        return true;
    } catch (const Error& e) {
        spdlog::critical("{}; stopping", e.what());
        failed = true;
        shared.stop();
        return false;
    }
}

// text on one line: a TOML error's excerpt of the file spans several.
std::string one_line(std::string_view text)
{
    std::string line;
    for (const char c : text) {
        const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
        if (!space)
            line += c;
        else if (!line.empty() && line.back() != ' ')
            line += ' ';
    }
    while (!line.empty() && line.back() == ' ')
        line.pop_back();
    return line;
}

// SIGHUP: the configuration file read again and what it changes made (config_reload.hpp), each PF
// told by a config_reloaded event. A file that cannot be read, or that is refused, changes nothing.
// systemd (Type=notify) is told of the reload as systemd 253 and later want it: RELOADING=1 with
// the monotonic time at the start, READY=1 when done.
// running is the configuration sriovd started with; of what may change, it follows the reloads.
void reload_configuration(const Options& options, DaemonConfig& running, std::vector<std::unique_ptr<PfInstance>>& pfs,
                          const PfShared& shared)
{
    ::timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    ::sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading the configuration",
                 static_cast<unsigned long long>(now.tv_sec) * 1000000ull +
                     static_cast<unsigned long long>(now.tv_nsec) / 1000ull);
    spdlog::info("SIGHUP: reading the configuration again");
    try {
        const DaemonConfig next = daemon_config(options);
        std::vector<RunningPf> current;
        for (const auto& pf : pfs)
            current.push_back(pf->running());
        const ReloadPlan plan = plan_reload(running, current, next);
        for (const auto& line : plan.changes)
            spdlog::info("configuration reload: {}", line);
        for (const auto& line : plan.restart)
            spdlog::warn("configuration reload: {}", line);
        for (const PfReload& p : plan.pfs) {
            PfInstance& pf = *pfs.at(p.index);
            for (const auto& line : p.kept)
                spdlog::info("configuration reload: PF {} {}", pf.address(), line);
            for (const auto& line : pf.reload(p))
                spdlog::error("configuration reload: PF {} {}: not applied", pf.address(), line);
            std::string summary =
                p.changes.empty() ? std::string("no change") : fmt::format("{}", fmt::join(p.changes, "; "));
            if (!p.kept.empty())
                summary += fmt::format("; {} value(s) changed at run time kept", p.kept.size());
            if (!plan.restart.empty())
                summary += fmt::format("; {} change(s) need a restart", plan.restart.size());
            spdlog::info("configuration reloaded: PF {}: {}", pf.address(), summary);
            shared.publish(event_json(pf.address(), pf::PfEvent{"config_reloaded", std::nullopt, summary}));
        }
        running.remove_vfs_on_exit = plan.remove_vfs_on_exit;
    } catch (const Error& e) {
        const std::string why = one_line(e.what());
        spdlog::error("configuration reload refused: {}; nothing changed, the old configuration stays in force", why);
        const std::string message = fmt::format("refused: {}; the old configuration stays in force", why);
        for (const auto& pf : pfs)
            shared.publish(event_json(pf->address(), pf::PfEvent{"config_reloaded", std::nullopt, message}));
    }
    ::sd_notifyf(0, "READY=1\nSTATUS=%zu PF(s) up", pfs.size());
}

}  // namespace

int run_daemon(const Options& options)
{
    const DaemonConfig configured = daemon_config(options);
    const std::optional<gid_t> group = operators_group(configured.group);
    const std::filesystem::path state_dir = state_directory(configured.state_dir, group);

    // The token is made once and kept: a restarted sriovd must present it to reopen its PFs while
    // VF users hold their VFs. All PFs of this sriovd share it.
    const vfio::VfToken token = load_or_create_token(state_dir / "vf-token", group);

    boost::asio::io_context io;
    // SIGHUP is caught from here on (its default would end sriovd); a reload waits until the PFs
    // are up.
    boost::asio::signal_set hangup(io, SIGHUP);
    bool ready = false;
    bool reload_pending = false;
    DaemonConfig running = configured;  // as the last reload left it
    StopRequest stop;
    std::optional<control::Server> control_server;  // made once the PFs are up
    // What the metrics count that no control answer holds: events by PF and kind, and how long
    // control requests take. Kept whether or not the listener is on: both cost a few additions.
    std::map<std::pair<std::string, std::string>, std::uint64_t> event_counts;
    LatencyHistogram latency;
    PfShared shared{io, token, options.take_over,
                    [&](const nlohmann::json& event) {
                        count_event(event_counts, event);
                        if (control_server)
                            control_server->publish(event.dump());
                    },
                    [&] {
                        ::sd_notify(0, "STOPPING=1");
                        stop.request();
                    },
                    group};
    // One per [[pf]] of the configuration, each brought up before the next.
    std::vector<std::unique_ptr<PfInstance>> pfs;
    for (const DaemonConfig& one : all_pfs(configured))
        pfs.push_back(std::make_unique<PfInstance>(one, state_dir, shared));

    std::vector<std::string> owners;
    for (const auto& pf : pfs)
        owners.emplace_back(pf->owner());
    check_policing(configured, owners);
    // rtnetlink changes need CAP_NET_ADMIN: kept only while a kernel-owned PF is managed.
    const bool net_admin = std::any_of(pfs.begin(), pfs.end(), [](const auto& pf) { return pf->owner() == owner_kernel; });

    // The control socket (vfctl): root and the operators' group.
    std::vector<std::pair<pci::Address, ControlHandler*>> handlers;
    for (auto& pf : pfs)
        handlers.emplace_back(pf->address(), &pf->control());
    ControlRouter router(std::move(handlers));
    if (!options.socket.empty()) {
        control::ServerOptions socket_options;
        socket_options.socket_path = options.socket;
        socket_options.group = group;
        control_server.emplace(io, socket_options, [&](const control::Request& r, const control::Peer&) {
            // Timed on the loop around the answer alone, as a client waiting for it sees it (less
            // the socket). A request that throws is an answer too, and is timed as well.
            const auto start = std::chrono::steady_clock::now();
            struct Observe {
                LatencyHistogram& h;
                std::chrono::steady_clock::time_point start;
                ~Observe() { h.observe(std::chrono::steady_clock::now() - start); }
            } observe{latency, start};
            return router(r);
        });
        spdlog::info("control socket {} ({})", options.socket,
                     group ? fmt::format("root and group {}", configured.group) : std::string("root only"));
    }
    // The metrics listener: off unless [metrics] listen or --metrics names an address. Its figures
    // are the answers vfctl -s and vfctl status get, asked of the same router at scrape time.
    std::optional<MetricsServer> metrics_server;
    if (!configured.metrics_listen.empty()) {
        MetricsServerOptions metrics_options;
        metrics_options.endpoint = loopback_endpoint(configured.metrics_listen);
        metrics_server.emplace(io, metrics_options, [&] { return scrape_metrics(router, event_counts, latency); });
        spdlog::info("metrics on http://{}/metrics", configured.metrics_listen);
    }
    if (!options.token_file.empty()) {
        write_token_file(options.token_file, token, group);
        spdlog::info("VF token written to {}", options.token_file);
    }

    std::atomic<bool> failed{false};
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec)
            return;
        spdlog::info("{}: stopping", ::strsignal(signal));
        shared.stop();
    });
    const auto reload = [&] { reload_configuration(options, running, pfs, shared); };
    std::function<void()> wait_hangup = [&] {
        hangup.async_wait([&](const boost::system::error_code& ec, int) {
            if (ec)
                return;
            if (stop.requested()) {
                // The VFs may be being removed off the loop: nothing is changed under them.
                spdlog::info("SIGHUP: not reloading, sriovd is stopping");
            } else if (ready) {
                reload();
            } else {
                reload_pending = true;
                spdlog::info("SIGHUP: the configuration is read again once the PFs are up");
            }
            wait_hangup();
        });
    };
    wait_hangup();

    // The VFs are created and bound here, off the event loop: their drivers talk to the PF while
    // they are probed, and the loop must be free to answer. Removal happens here too, since it
    // blocks until every VF user has let go.
    std::thread provisioning([&] {
        bool ok = true;
        for (auto& pf : pfs)
            ok = pf->provision() && ok;
        // Start-up is done: both threads (this one and the event loop's) give up what run time does
        // not need, before sriovd says it is ready.
        ok = ok && drop_privileges_here(group.has_value(), net_admin, false, failed, shared);
        if (ok) {
            boost::asio::post(io, [&] {
                if (!drop_privileges_here(group.has_value(), net_admin, true, failed, shared))
                    return;
                // How much of a restart's recovery is sriovd's own: exec to ready, apart from
                // whatever delay its supervisor added before starting it.
                if (const auto age = time_since_start())
                    spdlog::info("up {} ms after sriovd started", age->count());
                // A no-op unless systemd started us (Type=notify).
                ::sd_notifyf(0, "READY=1\nSTATUS=%zu PF(s) up", pfs.size());
                ready = true;
                if (reload_pending)
                    reload();
            });
        } else {
            failed = true;
            shared.stop();
        }
        stop.wait();
        for (auto& pf : pfs)
            if (!pf->finish())
                failed = true;
        boost::asio::post(io, [&] {
            signals.cancel();
            hangup.cancel();
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
    metrics_server.reset();
    control_server.reset();
    for (const auto& pf : pfs)
        pf->log_exit();
    pfs.clear();
    if (running.remove_vfs_on_exit && !options.token_file.empty()) {
        // The copy for VF users means nothing once the VFs are gone.
        std::error_code ignored;
        std::filesystem::remove(options.token_file, ignored);
    }
    return failed ? 1 : 0;
}

}  // namespace sriov::sriovd
