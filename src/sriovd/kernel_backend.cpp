#include "kernel_backend.hpp"

#include "kernel_desired.hpp"
#include "kernel_drift.hpp"
#include "pf_messages.hpp"

#include "netlink/vf_reconcile.hpp"
#include "sriov/error.hpp"
#include "vfio/driver_binding.hpp"
#include "vfio/sriov_control.hpp"
#include "vfio/sysfs.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <set>

namespace sriov::sriovd {

using nlohmann::json;

namespace {

// Drivers whose ndo_get_vf_stats fills IFLA_VF_STATS (Linux 6.1). For any other the kernel sends
// zeros, which are not counts: those are "not reported".
bool counts_vf_traffic(const std::string& driver)
{
    static const std::set<std::string> drivers{"mlx5_core", "mlx4_core", "i40e", "ice", "ionic", "liquidio"};
    return drivers.count(driver) > 0;
}

std::string read_or(const pci::Sysfs& sysfs, const std::filesystem::path& path, std::string fallback)
{
    try {
        auto text = sysfs.read_if_exists(path);
        if (text && !text->empty())
            return *text;
    } catch (const Error&) {
    }
    return fallback;
}

}  // namespace

KernelBackend::KernelBackend(const DaemonConfig& config, const NamedPf& pf, const PfState& state,
                             PfShared& shared, MacKeeper keep_mac)
    : address_(pf.address), interface_(pf.interface), driver_(pf.driver), admin_(config.vfs), config_(config),
      timeout_(std::chrono::seconds(config.timeout_s)), state_(state), shared_(shared),
      keep_mac_(std::move(keep_mac)), timer_(shared.io), events_fd_(shared.io)
{
    if (interface_.empty())
        throw Error(Errc::not_found, address_.to_string(),
                    fmt::format("has no network interface{}: a PF whose owner is \"kernel\" must be bound to its "
                                "network driver",
                                driver_.empty() ? std::string(" (no driver)") : fmt::format(" (driver {})", driver_)));
    const pci::SriovControl sriov;
    const unsigned total = sriov.total_vfs(address_);
    if (admin_.size() > total)
        throw Error(Errc::invalid_argument, fmt::format("{} ({})", interface_, driver_),
                    fmt::format("{} VFs asked for; this PF has at most {} (sriov_totalvfs)", admin_.size(), total));
    vfs_existed_ = sriov.num_vfs(address_) == admin_.size();
    ifindex_ = nl::interface_index(interface_);
    found_ = socket_.read_link(ifindex_);
    reported_.resize(admin_.size());
    spdlog::info("PF {}: kept by its kernel driver {} as {}; {} VFs wanted, {} there", address_, driver_, interface_,
                 admin_.size(), sriov.num_vfs(address_));
}

KernelBackend::~KernelBackend()
{
    timer_.cancel();
    events_fd_.close();
    if (reload_.joinable())
        reload_.join();
}

bool KernelBackend::managed(unsigned vf) const
{
    return vf < config_.declared.size() && config_.declared[vf].listed && config_.declared[vf].managed;
}

KernelBackend::Plan KernelBackend::plan(const std::vector<std::string>& drivers) const
{
    Plan p;
    for (unsigned vf = 0; vf < num_vfs(); ++vf) {
        p.want.push_back(desired(vf));
        p.managed.push_back(managed(vf));
        p.drivers.push_back(vf < drivers.size() ? drivers[vf] : std::string());
    }
    return p;
}

std::vector<std::string> KernelBackend::declared_keys(unsigned vf) const
{
    std::vector<std::string> keys;
    if (vf < state_.vfs.size())
        for (const auto& [key, value] : state_.vfs[vf])
            keys.push_back(key);
    return keys;
}

nl::VfSettings KernelBackend::desired(unsigned vf, const pf::VfAdmin& a, const std::vector<std::string>& keys) const
{
    const pci::Sysfs sysfs;
    const auto pf_mac = a.generated_mac
        ? MacAddress::try_parse(read_or(sysfs, sysfs.root() / "class" / "net" / interface_ / "address", ""))
        : std::nullopt;
    return desired_settings(a, keys, pf_mac.value_or(MacAddress{}), vf);
}

nl::VfSettings KernelBackend::desired(unsigned vf) const
{
    return managed(vf) ? desired(vf, admin_[vf], declared_keys(vf)) : nl::VfSettings{};
}

nl::VfSettings KernelBackend::found(unsigned vf)
{
    found_ = socket_.read_link(ifindex_);
    for (const auto& f : found_.vfs)
        if (f.vf == vf)
            return f.settings;
    return {};
}

std::string KernelBackend::subject(unsigned vf) const { return fmt::format("{} ({}) VF {}", interface_, driver_, vf); }

std::size_t KernelBackend::bring(nl::RtnlSocket& socket, int ifindex, unsigned vf, const nl::VfSettings& want,
                                 const nl::VfSettings& had)
{
    return nl::apply_all_or_none(
        want, had, [&](const nl::VfSettings& step) { socket.set_vf(ifindex, vf, step, subject(vf)); },
        [&](const nl::VfSettings& undo, const std::exception& why) {
            spdlog::error("{}: could not put back {}: {}", subject(vf), nl::to_string(undo), why.what());
        });
}

json KernelBackend::show_pf()
{
    const pci::Sysfs sysfs;
    const auto net = sysfs.root() / "class" / "net" / interface_;
    const std::string operstate = read_or(sysfs, net / "operstate", "unknown");
    unsigned speed = 0;
    try {
        const long long s = std::stoll(read_or(sysfs, net / "speed", "0"));
        speed = s > 0 ? static_cast<unsigned>(s) : 0;
    } catch (const std::exception&) {
    }
    return json{{"owner", owner()},
                {"interface", interface_},
                {"driver", driver_},
                {"mac", read_or(sysfs, net / "address", "-")},
                {"link", operstate == "up" ? "up" : "down"},
                {"speed_mbps", operstate == "up" ? speed : 0}};
}

json KernelBackend::show_vf(unsigned vf)
{
    const nl::VfSettings f = found(vf);
    json v;
    v["managed"] = managed(vf);
    v["mac"] = f.mac ? json(f.mac->to_string()) : json(nullptr);
    if (f.vlan) {
        v["vlan"] = f.vlan->vid;
        v["qos"] = f.vlan->qos;
        v["vlan_protocol"] = std::string(nl::to_string(f.vlan->protocol));
    }
    const auto put = [&](const char* key, const auto& value) {
        if (value)
            v[key] = *value;
        else
            v[key] = nullptr;
    };
    put("max_tx_rate", f.max_tx_rate);
    put("min_tx_rate", f.min_tx_rate);
    put("spoofchk", f.spoofchk);
    put("trust", f.trust);
    v["state"] = f.link_state ? json(std::string(nl::to_string(*f.link_state))) : json(nullptr);
    put("query_rss", f.query_rss);
    json drift = json::array();
    for (const auto& d : nl::differences(desired(vf), f))
        drift.push_back(json{{"setting", d.setting}, {"desired", d.desired}, {"found", d.found}});
    v["drift"] = drift;
    return v;
}

json KernelBackend::stats_vf(unsigned vf)
{
    json s{{"pf", address_.to_string()}, {"vf", vf}};
    if (!counts_vf_traffic(driver_)) {
        s["traffic"] = "not_reported";
        s["traffic_driver"] = driver_;
        return s;
    }
    found(vf);
    for (const auto& f : found_.vfs) {
        if (f.vf != vf)
            continue;
        const auto put = [&](const char* key, const std::optional<std::uint64_t>& value) {
            if (value)
                s[key] = *value;
        };
        put("rx_packets", f.counters.rx_packets);
        put("tx_packets", f.counters.tx_packets);
        put("rx_bytes", f.counters.rx_bytes);
        put("tx_bytes", f.counters.tx_bytes);
        put("broadcast", f.counters.broadcast);
        put("multicast", f.counters.multicast);
        put("rx_dropped", f.counters.rx_dropped);
        put("tx_dropped", f.counters.tx_dropped);
    }
    return s;
}

void KernelBackend::check(unsigned vf, const control::VfSettings& settings) const
{
    const auto refuse = [&](const char* key) {
        throw Error(Errc::invalid_argument, fmt::format("VF {}", vf),
                    fmt::format("{}: only a PF sriovd owns from user space can enforce it; {} ({}) has no such "
                                "setting",
                                key, interface_, driver_));
    };
    if (settings.max_frame)
        refuse("max_frame");
    if (settings.max_multicast)
        refuse("max_multicast");
    if (settings.max_vlans)
        refuse("max_vlans");
    if (!managed(vf))
        throw Error(Errc::invalid_argument, fmt::format("VF {}", vf),
                    "is not managed by sriovd (it has no [[pf.vf]] table, or managed = false): sriovd leaves it "
                    "as others set it; list it in the configuration to manage it");
}

void KernelBackend::apply(unsigned vf, const pf::VfAdmin& admin, const std::vector<std::string>& keys)
{
    std::vector<std::string> changed = keys;
    if (std::find(changed.begin(), changed.end(), "vlan") != changed.end())
        changed.push_back("qos");
    const std::size_t steps = bring(socket_, ifindex_, vf, desired(vf, admin, changed), found(vf));
    admin_.at(vf) = admin;
    reported_.at(vf).clear();
    spdlog::info("{}: {} setting(s) sent", subject(vf), steps);
}

void KernelBackend::reset_vf(unsigned vf)
{
    if (!managed(vf))
        throw Error(Errc::invalid_argument, fmt::format("VF {}", vf),
                    "is not managed by sriovd: there is no desired state to put back");
    const std::size_t steps = bring(socket_, ifindex_, vf, desired(vf), found(vf));
    spdlog::info("{}: desired state re-applied ({} setting(s) sent)", subject(vf), steps);
}

void KernelBackend::reset_pf()
{
    for (unsigned vf = 0; vf < num_vfs(); ++vf)
        if (managed(vf))
            reset_vf(vf);
}

bool KernelBackend::release_vf(unsigned vf)
{
    throw Error(Errc::invalid_argument, fmt::format("VF {}", vf),
                fmt::format("is never quarantined: {} is kept by its kernel driver {}, which serves the VFs' mailbox",
                            interface_, driver_));
}

std::vector<pci::Address> KernelBackend::provision(const std::vector<std::string>& drivers)
{
    return provision_now(plan(drivers));
}

std::vector<pci::Address> KernelBackend::provision_now(const Plan& plan)
{
    const pci::Sysfs sysfs;
    const pci::SriovControl sriov(sysfs);
    const auto want = static_cast<unsigned>(plan.want.size());
    const unsigned had = sriov.num_vfs(address_);
    const auto autoprobe_file = sysfs.device_file(address_, "sriov_drivers_autoprobe");
    bool probe_held = false;
    if (had != want) {
        // The VF drivers must not take the VFs before their settings are in: igbvf, say, learns
        // its MAC only when it probes.
        if (want > 0 && read_or(sysfs, autoprobe_file, "0") == "1") {
            sysfs.write(autoprobe_file, "0");
            probe_held = true;
        }
        try {
            sriov.set_num_vfs(address_, want, timeout_);
        } catch (...) {
            if (probe_held)
                sysfs.write(autoprobe_file, "1");
            throw;
        }
        spdlog::info("PF {} ({}): VF count {} -> {}", address_, interface_, had, want);
    }
    // A socket of this thread's own: the loop's is not to be shared.
    nl::RtnlSocket socket;
    const int ifindex = nl::interface_index(interface_);
    const nl::LinkVfInfo info = socket.read_link(ifindex);
    for (unsigned vf = 0; vf < want; ++vf) {
        if (!plan.managed[vf])
            continue;
        nl::VfSettings had_vf;
        for (const auto& f : info.vfs)
            if (f.vf == vf)
                had_vf = f.settings;
        try {
            const auto steps = bring(socket, ifindex, vf, plan.want[vf], had_vf);
            if (steps) {
                spdlog::info("{}: {} setting(s) applied: {}", subject(vf), steps, nl::to_string(plan.want[vf]));
                publish("vf_applied", vf, fmt::format("applied: {}", nl::to_string(plan.want[vf])));
            }
        } catch (const Error& e) {
            spdlog::error("{}; VF {} left as it was", e.what(), vf);
            publish("vf_applied", vf, fmt::format("not applied, the VF is left as it was: {}", e.what()));
        }
    }
    if (probe_held)
        sysfs.write(autoprobe_file, "1");

    std::vector<pci::Address> vfs;
    const pci::DriverBinding binding(sysfs);
    for (unsigned vf = 0; vf < want; ++vf) {
        const auto name = sysfs.link_name(sysfs.device_file(address_, pci::attr::virtfn(vf)));
        const auto address = name ? pci::Address::try_parse(*name) : std::nullopt;
        if (!address)
            throw Error(Errc::protocol, address_.to_string(), fmt::format("the kernel shows no VF {}", vf));
        vfs.push_back(*address);
        const std::string& driver = plan.drivers[vf];
        if (plan.managed[vf] && !driver.empty()) {
            if (binding.current_driver(*address) != driver) {
                binding.bind(*address, driver);
                spdlog::info("VF {} ({}) bound to {}", vf, *address, driver);
            }
        } else if (probe_held && !binding.current_driver(*address)) {
            // What the automatic probe would have done had it not been held off.
            try {
                sysfs.write(sysfs.drivers_probe(), address->to_string());
            } catch (const Error& e) {
                spdlog::warn("VF {} ({}): the kernel's probe failed: {}", vf, *address, e.what());
            }
        }
    }
    return vfs;
}

void KernelBackend::provision_in_background(Plan p, std::string kind, std::string done)
{
    if (reload_.joinable())
        reload_.join();
    reloading_ = true;
    reload_ = std::thread([this, p = std::move(p), kind = std::move(kind), done = std::move(done)] {
        std::string message;
        try {
            const auto vfs = provision_now(p);
            message = fmt::format("{}: {} VFs, their settings and drivers in place", done, vfs.size());
        } catch (const std::exception& e) {
            message = fmt::format("{}, but the VFs could not be made: {}", done, e.what());
        }
        spdlog::info("PF {}: {}", address_, message);
        publish(kind, std::nullopt, message);
        reloading_ = false;
    });
}

void KernelBackend::provisioned()
{
    watch();
    events_fd_.assign(::dup(events_.fd()));
    listen();
}

// A link notification of the PF: look now rather than at the next tick.
void KernelBackend::listen()
{
    events_fd_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec)
            return;
        try {
            if (events_.take(ifindex_))
                check_drift();
        } catch (const std::exception& e) {
            spdlog::warn("PF {} ({}): link notifications: {}", address_, interface_, e.what());
        }
        listen();
    });
}

void KernelBackend::remove_vfs()
{
    pci::SriovControl().set_num_vfs(address_, 0, timeout_);
    spdlog::info("PF {} ({}): VFs removed", address_, interface_);
}

void KernelBackend::set_num_vfs(unsigned n, std::vector<std::string> drivers,
                                std::function<std::vector<pf::VfAdmin>(unsigned)> record)
{
    if (reloading_ || gone_)
        throw Error(Errc::busy, address_.to_string(),
                    "the VFs are being made already (a change of their count, or the PF's driver came back): "
                    "try again when its event says it is done");
    const unsigned total = pci::SriovControl().total_vfs(address_);
    if (n > total)
        throw Error(Errc::invalid_argument, fmt::format("{} ({})", interface_, driver_),
                    fmt::format("{} VFs asked for; this PF has at most {} (sriov_totalvfs)", n, total));
    const unsigned before = num_vfs();
    admin_ = record(n);
    reported_.assign(n, std::string());
    shared_.publish(event_json(address_, pf::PfEvent{"num_vfs", std::nullopt,
                                                     fmt::format("changing from {} to {} VFs", before, n)}));
    provision_in_background(plan(drivers), "num_vfs", fmt::format("now {} VFs", n));
}

void KernelBackend::publish(const std::string& kind, std::optional<unsigned> vf, const std::string& message)
{
    boost::asio::post(shared_.io, [this, kind, vf, message] {
        shared_.publish(event_json(address_, pf::PfEvent{kind, vf, message}));
    });
}

// Once a second: a VF's own change through its mailbox raises no link notification.
void KernelBackend::watch()
{
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec)
            return;
        try {
            check_drift();
        } catch (const std::exception& e) {
            spdlog::warn("PF {} ({}): reading the kernel's view: {}", address_, interface_, e.what());
        }
        watch();
    });
}

void KernelBackend::check_drift()
{
    if (reloading_)
        return;
    if (reload_.joinable())
        reload_.join();
    const auto now = interface_of(address_);
    if (!now) {
        if (!gone_) {
            gone_ = true;
            spdlog::warn("PF {}: its interface {} went away (driver unbound or reloaded); waiting for it", address_,
                         interface_);
            shared_.publish(event_json(address_, pf::PfEvent{"pf_reloaded", std::nullopt,
                                                             fmt::format("{} went away: waiting for it", interface_)}));
        }
        return;
    }
    if (gone_) {
        // Back, once the host's network configuration brought it up (IFF_UP): the driver takes VF
        // settings from then on. The VFs are taken back as the configuration has them, off the loop.
        const pci::Sysfs sysfs;
        unsigned long flags = 0;
        try {
            flags = std::stoul(read_or(sysfs, sysfs.root() / "class" / "net" / *now / "flags", "0"), nullptr, 16);
        } catch (const std::exception&) {
        }
        if (!(flags & 0x1))
            return;
        gone_ = false;
        interface_ = *now;
        ifindex_ = nl::interface_index(interface_);
        spdlog::info("PF {}: back as {}: re-creating its VFs", address_, interface_);
        provision_in_background(plan(config_.drivers), "pf_reloaded", fmt::format("{} is back", interface_));
        return;
    }
    found_ = socket_.read_link(ifindex_);
    if (found_.vfs.size() < num_vfs()) {
        // Fewer VFs than sriovd made: they are being removed (the PF's driver unbinding, or
        // sriov_numvfs written behind sriovd's back). That is no drift of their settings, and no
        // VF is written to until they are back: igb frees its VF data before its interface goes
        // (igb_remove: igb_disable_sriov, then unregister_netdev), and a VF setting that reached it
        // at that moment crashed the guest's kernel (a NULL dereference in igb_set_vf_mac).
        if (!vfs_missing_)
            spdlog::warn("PF {} ({}): the kernel lists {} of its {} VFs; none is changed until they are back",
                         address_, interface_, found_.vfs.size(), num_vfs());
        vfs_missing_ = true;
        return;
    }
    vfs_missing_ = false;
    for (unsigned vf = 0; vf < num_vfs(); ++vf) {
        if (!managed(vf))
            continue;
        nl::VfSettings f;
        for (const auto& one : found_.vfs)
            if (one.vf == vf)
                f = one.settings;
        const std::string& own = config_.declared[vf].on_drift;
        const std::string mode = own.empty() ? config_.on_drift : own;
        const DriftCheck c = drift_of(desired(vf), f, admin_[vf].trusted, mode == "restore", reported_[vf]);
        if (c.adopt_mac) {
            spdlog::info("{}: trusted, took MAC {}: kept", subject(vf), *c.adopt_mac);
            admin_[vf].mac = *c.adopt_mac;
            keep_mac_(vf, *c.adopt_mac);
        }
        reported_[vf] = c.text;
        if (c.report) {
            spdlog::warn("{}: changed behind sriovd's back: {}{}", subject(vf), c.text,
                         c.restore ? "; putting it back" : "");
            shared_.publish(event_json(address_, pf::PfEvent{"drift", vf, c.text}));
        }
        if (c.restore) {
            try {
                bring(socket_, ifindex_, vf, c.want, f);
            } catch (const Error& e) {
                // Tried again at every check; said once per drift, so that the log stays bounded.
                if (c.report)
                    spdlog::error("{}; it stays as found until the driver takes it", e.what());
            }
        }
    }
}

}  // namespace sriov::sriovd
