#include "daemon.hpp"

#include "pf/pf_manager.hpp"
#include "pf/vf_provisioning.hpp"
#include "sriov/error.hpp"
#include "token_file.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <filesystem>
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

}  // namespace

int run_daemon(const Options& options)
{
    const pf::PfConfig config = make_config(options);
    const std::vector<std::string> drivers = vf_drivers(options);
    const pf::VfProvisioner provisioner(pci::Sysfs(), std::chrono::seconds(options.timeout_s));

    // The PF must be ours, and without VFs, before it is brought up.
    provisioner.claim_pf(config.pf);

    boost::asio::io_context io;
    const vfio::VfToken token = vfio::VfToken::generate();
    auto manager = pf::PfManager::open(io, config, token);
    if (!options.token_file.empty()) {
        write_token_file(options.token_file, token);
        spdlog::info("VF token written to {}", options.token_file);
    }

    StopRequest stop;
    std::atomic<bool> failed{false};
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec)
            return;
        spdlog::info("{}: removing the VFs, then stopping", ::strsignal(signal));
        stop.request();
    });

    // The VFs are created and bound here, off the event loop: their drivers talk to the PF while
    // they are probed, and the loop must be free to answer. Removal happens here too, since it
    // blocks until every VF user has let go.
    std::thread provisioning([&] {
        try {
            const auto vfs = provisioner.create_vfs(config.pf, config.num_vfs, drivers);
            boost::asio::post(io, [&, vfs] {
                manager->vfs_created();
                spdlog::info("ready: {}", vfs.empty() ? std::string("no VFs") : describe_vfs(vfs, drivers));
            });
        } catch (const Error& e) {
            spdlog::error("cannot create the VFs: {}", e.what());
            failed = true;
            stop.request();
        }
        stop.wait();
        try {
            provisioner.remove_vfs(config.pf);
        } catch (const Error& e) {
            spdlog::error("cannot remove the VFs: {}", e.what());
            failed = true;
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
    manager.reset();
    // The token means nothing once the PF is closed (its VFs are gone too).
    if (!options.token_file.empty()) {
        std::error_code ignored;
        std::filesystem::remove(options.token_file, ignored);
    }
    return failed ? 1 : 0;
}

}  // namespace sriov::sriovd
