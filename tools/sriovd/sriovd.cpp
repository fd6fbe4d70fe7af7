// sriovd: the SR-IOV PF manager. It takes an Intel 82576 PF from the kernel (vfio-pci), brings it
// up in user space, creates its VFs and hands each to a driver (the kernel's igbvf, or vfio-pci for
// a user-space VF driver), then serves the VFs' mailbox: their resets, MAC, VLAN, multicast and
// frame-size requests, as the administrator's settings allow. SIGINT or SIGTERM stops it; the VFs
// stay (a restarted sriovd takes them back) unless --remove-vfs-on-exit.
#include "sriovd/daemon.hpp"
#include "sriovd/log_format.hpp"
#include "sriovd/options.hpp"
#include "sriov/error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv)
{
    using sriov::sriovd::Options;
    Options opt;
    CLI::App app{
        "sriovd: the SR-IOV PF manager for an Intel 82576 (needs root, vfio-pci with enable_sriov=1)"};
    app.add_flag("--foreground", opt.foreground,
                 "stay in the foreground and log to stderr (the only mode so far)");
    app.add_option("--config", opt.config,
                   "configuration file (default /etc/sriovd/sriovd.toml, unless --pf is given)");
    app.add_option("--pf", opt.pf, "the PF: PCI address (0000:00:02.0), vendor:device (8086:10c9) or network interface (eth0)");
    app.add_option("--vfs", opt.vfs, "number of VFs to create (at most 7 on an 82576)");
    app.add_option("--vf-mac", opt.vf_macs, "N=MAC: the MAC VF N gets at every reset (repeatable)");
    app.add_option("--vf-driver", opt.vf_drivers,
                   "N=DRIVER: bind VF N to igbvf or vfio-pci (default vfio-pci)");
    app.add_option("--vf-trust", opt.trusted, "N: trust VF N (it may change its MAC, receive all multicast)");
    app.add_option("--token-file", opt.token_file,
                   "also write the VF token here (0640) for VF users; removed with the VFs");
    app.add_option("--state-dir", opt.state_dir,
                   "where the VF token and the state file are kept (default /var/lib/sriovd)");
    app.add_flag("--take-over", opt.take_over,
                 "take the PF from the driver it is bound to (igb): the host loses its network interface");
    app.add_flag("--remove-vfs-on-exit", opt.remove_vfs_on_exit,
                 "remove the VFs when stopping (default: keep them, and their drivers, for a restart)");
    app.add_option("--timeout", opt.timeout_s, "seconds a change of the VF count may take (default 30)");
    app.add_option("--socket", opt.socket, "the control socket vfctl talks to (\"\" for none)")
        ->capture_default_str();
    app.add_option("--metrics", opt.metrics,
                   "serve Prometheus metrics on this loopback address and port (127.0.0.1:9469); "
                   "overrides [metrics] listen");
    app.add_flag("-v,--verbose", opt.verbose, "log every interrupt and mailbox event");
    CLI11_PARSE(app, argc, argv);

    spdlog::set_default_logger(spdlog::stderr_logger_mt("sriovd"));
    sriov::sriovd::set_log_format(sriov::sriovd::stderr_is_journal());
    spdlog::set_level(opt.verbose ? spdlog::level::debug : spdlog::level::info);
    spdlog::flush_on(spdlog::level::info);

    if (!opt.foreground) {
        fmt::print(stderr,
                   "sriovd: running as a background daemon is not implemented yet; use --foreground "
                   "(under a service manager, or with &)\n");
        return 2;
    }
    try {
        return sriov::sriovd::run_daemon(opt);
    } catch (const sriov::Error& err) {
        spdlog::critical("{}", err.what());
        return err.code() == sriov::Errc::invalid_argument ? 2 : 1;
    }
}
