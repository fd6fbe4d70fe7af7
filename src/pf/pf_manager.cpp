#include "pf/pf_manager.hpp"

#include "pf/generated_mac.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace sriov::pf {

namespace {

// The PF's mailbox waits (its buffer lock) must be short: they run in the event loop. Linux
// tries 10 times, 1 ms apart.
constexpr mbx::Timing pf_mailbox_timing{std::chrono::milliseconds(10), std::chrono::microseconds(20)};

void check(const PfConfig& config)
{
    const std::string pf = config.pf.to_string();
    if (config.num_vfs > e82576::max_vfs)
        throw Error(Errc::invalid_argument, pf,
                    fmt::format("{} VFs asked for; an 82576 PF serves at most {}: the PF keeps pool {} for "
                                "itself (Linux igb has the same limit)",
                                config.num_vfs, e82576::max_vfs, e82576::max_vfs));
    if (config.vfs.size() > config.num_vfs)
        throw Error(Errc::invalid_argument, pf,
                    fmt::format("settings for {} VFs given, but only {} VFs asked for", config.vfs.size(),
                                config.num_vfs));
}

VfPolicy make_policy(const PfConfig& config)
{
    VfPolicy policy(config.num_vfs);
    for (unsigned vf = 0; vf < config.vfs.size(); ++vf)
        policy.set_admin(vf, config.vfs[vf]);
    return policy;
}

// PCI level, before any register access: memory space and bus master enable in the command
// register (MSI-X messages are memory writes by the device), and the VF token that VF users
// will have to present.
// With VFs in use through vfio-pci the kernel lets the PF be opened only with their token.
vfio::Device open_pf(const std::shared_ptr<vfio::Container>& container, const PfConfig& config,
                     const vfio::VfToken& token)
{
    vfio::Device::Options options;
    if (config.vfs_exist)
        options.vf_token = token;
    // A sriovd killed during a VF count change can hold the PF's group for seconds after the kill
    // (seen in the soak, cycle 288 of seed 1), while systemd or the soak already start this one.
    options.busy_wait = std::chrono::seconds(10);
    vfio::Device device = vfio::Device::open(container, config.pf, options);
    device.enable_bus_master();
    device.set_vf_token(token);
    return device;
}

}  // namespace

std::unique_ptr<PfManager> PfManager::open(boost::asio::io_context& io, const PfConfig& config,
                                           const vfio::VfToken& token)
{
    check(config);
    return std::unique_ptr<PfManager>(new PfManager(io, config, vfio::Container::open(), token));
}

PfManager::PfManager(boost::asio::io_context& io, const PfConfig& config,
                     std::shared_ptr<vfio::Container> container, const vfio::VfToken& token)
    : address_(config.pf), container_(std::move(container)), device_(open_pf(container_, config, token)),
      bar0_(device_.map(vfio::PciRegion::bar0)), regs_(bar0_),
      msix_(device_, vfio::PciIrq::msix, 1),  // vector 0: link and mailbox ("other" causes)
      chip_(regs_, config.pf.to_string()), mailbox_(regs_, pf_mailbox_timing), policy_(make_policy(config)),
      vfs_(chip_, policy_), policer_(config.num_vfs, config.policing),
      service_(io, chip_, mailbox_, vfs_, policer_, msix_[0], config.pf.to_string()), counters_(config.num_vfs),
      counter_timer_(io), notices_(io, device_)
{
    // An error the PCIe link or the device reported (AER): the PF's state cannot be trusted any
    // more, so it is reset and every VF's state written back, as an operator's PF reset does.
    notices_.on_error([this] {
        spdlog::error("PF {}: the kernel reports a PCI error on it; resetting it", address_);
        if (sink_)
            sink_(PfEvent{"pf_error", std::nullopt, "the kernel reported a PCI error; the PF is reset"});
        try {
            reset_pf();
        } catch (const Error& e) {
            spdlog::error("PF {}: the reset after the error failed: {}", address_, e.what());
        }
    });
    notices_.on_request([this] {
        spdlog::warn("PF {}: the kernel asks for it back (vfio-pci is being unbound, or the device removed)",
                     address_);
        if (sink_)
            sink_(PfEvent{"pf_release", std::nullopt, "the kernel asks for the PF back; sriovd lets it go"});
        if (release_request_)
            release_request_();
    });
    if (config.vfs_exist && config.granted)
        resume_chip(*config.granted);  // the chip's counters go on
    else
        bring_up_chip(config.vfs_exist);  // the chip's counters start from 0 here
    // The rate limiter is a fraction of the link speed: set again at every link change.
    service_.on_link_change([this](const LinkState& link) { apply_rates(link); });
    arm_counter_timer();
    service_.start();
    if (config.vfs_exist) {
        if (resumed_ == config.num_vfs)
            spdlog::info("PF {}: its {} VFs outlived the previous PF manager and were taken back as they were; "
                         "telling them the PF is back",
                         address_, config.num_vfs);
        else
            spdlog::info("PF {}: its {} VFs outlived the previous PF manager; {} taken back as they were, the "
                         "others told to resynchronise",
                         address_, config.num_vfs, resumed_);
        service_.vfs_created();
    }
    const LinkState link = chip_.link();
    spdlog::info("PF {} ({} {}) up for {} VFs, MAC {}, link {}; serving the mailbox on MSI-X vector 0",
                 address_, "Intel", chip_.chip(), config.num_vfs, mac_, link.up ? "up" : "coming up");
}

PfManager::~PfManager()
{
    counter_timer_.cancel();
    service_.stop();
    const MailboxStats& s = service_.stats();
    spdlog::info("PF {}: served {} interrupts: {} VF resets, {} requests ({} NACKed), {} acknowledgements, "
                 "{} control messages, {} mailbox errors",
                 address_, s.wakeups, s.vf_resets, s.requests, s.nacks, s.acks, s.pings, s.errors);
}

void PfManager::vfs_created() { service_.vfs_created(); }

void PfManager::on_vf_mac_changed(VfSupervisor::MacObserver observer)
{
    vfs_.on_mac_changed([this, observer = std::move(observer)](unsigned vf, const MacAddress& mac) {
        VfAdmin admin = policy_.admin(vf);
        if (admin.trusted) {
            admin.mac = mac;
            policy_.set_admin(vf, admin);  // valid: the policy allowed it as a unicast address
        }
        if (observer)
            observer(vf, mac);
    });
}

void PfManager::on_event(EventSink sink)
{
    sink_ = sink;
    service_.on_event(std::move(sink));
}

namespace {

void check_vf(const VfPolicy& policy, unsigned vf)
{
    if (vf >= policy.num_vfs())
        throw Error(Errc::invalid_argument, fmt::format("VF {}", vf),
                    fmt::format("there are only {} VFs", policy.num_vfs()));
}

}  // namespace

void PfManager::set_admin(unsigned vf, const VfAdmin& admin)
{
    check_vf(policy_, vf);
    const VfAdmin before = policy_.admin(vf);
    VfAdmin next = admin;
    if (next.generated_mac && !next.mac)  // "auto", as at start (generate_macs())
        next.mac = generated_mac(mac_, vf);
    policy_.set_admin(vf, next);  // validates first: a refusal changes nothing
    if (vfs_.apply_admin(vf, before, VfSupervisor::Clock::now()))
        service_.send_control_message(vf);
    if (next.max_tx_rate_mbps != before.max_tx_rate_mbps)
        apply_rates(chip_.link());
    if (sink_)
        sink_(PfEvent{"vf_changed", vf, "settings changed by an operator"});
}

void PfManager::reset_vf(unsigned vf)
{
    check_vf(policy_, vf);
    vfs_.resync(vf, VfSupervisor::Clock::now());
    service_.send_control_message(vf);
    spdlog::info("{} VF {}: reset by an operator: its driver is told to set itself up again", address_, vf);
    if (sink_)
        sink_(PfEvent{"vf_reset", vf, "reset by an operator"});
}

bool PfManager::release_vf(unsigned vf)
{
    check_vf(policy_, vf);
    const auto now = VfSupervisor::Clock::now();
    if (!vfs_.release(vf, now))
        return false;
    policer_.forgive(vf, now, false);
    service_.send_control_message(vf);
    spdlog::info("{} VF {}: released from quarantine by an operator; its driver is told to reset", address_, vf);
    if (sink_)
        sink_(PfEvent{"release", vf, "released from quarantine by an operator"});
    return true;
}

void PfManager::resize(unsigned num_vfs, const std::vector<VfAdmin>& vfs)
{
    PfConfig config;
    config.pf = address_;
    config.num_vfs = num_vfs;
    config.vfs = vfs;
    check(config);
    VfPolicy policy = make_policy(config);  // validated before anything changes
    service_.vfs_removed();
    policy_ = std::move(policy);
    vfs_.resize();
    policer_.resize(num_vfs);
    // The VFs are gone and their counters start again: what they counted is logged, not lost.
    sample_counters();
    for (unsigned vf = 0; vf < counters_.size(); ++vf) {
        const VfTotals& t = counters_[vf].totals();
        spdlog::info("{} VF {}: traffic until the VF count changed: rx {} frames ({} bytes), tx {} frames ({} bytes)",
                     address_, vf, t.rx_packets, t.rx_bytes, t.tx_packets, t.tx_bytes);
    }
    counters_.assign(num_vfs, VfCounters{});
    bring_up_chip(false);
    spdlog::info("PF {}: brought up again for {} VFs", address_, num_vfs);
}

void PfManager::reset_pf()
{
    spdlog::info("PF {}: reset by an operator", address_);
    sample_counters();  // what was counted until now; the reset sets the chip's counters to 0
    bring_up_chip(true);  // as after a restart: the VFs think they are clear to send
    for (unsigned vf = 0; vf < counters_.size(); ++vf)
        counters_[vf].rebase(chip_.read_vf_counters(vf));
    service_.ping_all();
    if (sink_)
        sink_(PfEvent{"pf_reset", std::nullopt, "the PF was reset and its VFs' settings written back"});
}

// Everything the PF needs after the chip was reset: its bring-up for the policy's VFs, the VFs'
// generated MACs, every VF's state, and the rate limits (which the reset cleared).
void PfManager::bring_up_chip(bool vfs_running)
{
    mac_ = chip_.bring_up(policy_.num_vfs());
    generate_macs();
    // VFs whose drivers kept running (across a restart or a PF reset) still think they are clear
    // to send. Their first acknowledgement is answered at once with the NACK that makes their
    // driver reset (the usual pause between such NACKs is for VFs that just reset, which these
    // have not).
    const auto now = VfSupervisor::Clock::now();
    vfs_.restore_all(vfs_running ? now - VfSupervisor::nack_interval : now);
    apply_rates(chip_.link());
}

// After a restart, with what the previous sriovd granted the VFs: the chip is not reset (that
// would reset the VFs' queues, and igbvf rebuilds them only by resetting itself, at most once every
// 10 s), and every VF that was clear to send is put back as it was.
void PfManager::resume_chip(const std::vector<VfState>& granted)
{
    mac_ = chip_.resume(policy_.num_vfs());
    generate_macs();
    resumed_ = vfs_.resume_all(granted, VfSupervisor::Clock::now());
    apply_rates(chip_.link());
}

void PfManager::on_vf_state_changed(std::function<void(const std::vector<VfState>&)> observer)
{
    vfs_.on_state_changed([this, observer = std::move(observer)] { observer(vfs_.states()); });
}

void PfManager::generate_macs()
{
    for (unsigned vf = 0; vf < policy_.num_vfs(); ++vf) {
        VfAdmin admin = policy_.admin(vf);
        if (!admin.generated_mac || admin.mac)
            continue;
        admin.mac = generated_mac(mac_, vf);
        policy_.set_admin(vf, admin);
        spdlog::info("{} VF {}: MAC {}, made from the PF's MAC (the same at every start)", address_, vf, *admin.mac);
    }
}

void PfManager::apply_rates(const LinkState& link)
{
    const unsigned link_mbps = link.up ? link.speed_mbps : 0;
    for (unsigned vf = 0; vf < policy_.num_vfs(); ++vf) {
        const unsigned rate = policy_.admin(vf).max_tx_rate_mbps;
        chip_.set_vf_tx_rate(vf, rate, link_mbps);
        if (rate != 0)
            spdlog::info("{} VF {}: TX limited to {} Mb/s{}", address_, vf, rate,
                         link_mbps == 0          ? " once the link is up"
                         : rate >= link_mbps     ? fmt::format(" (the link's {} Mb/s: no limit needed)", link_mbps)
                                                 : fmt::format(" of the link's {} Mb/s", link_mbps));
    }
}

void PfManager::sample_counters()
{
    for (unsigned vf = 0; vf < counters_.size(); ++vf)
        counters_[vf].sample(chip_.read_vf_counters(vf));
}

void PfManager::arm_counter_timer()
{
    counter_timer_.expires_after(counter_interval);
    counter_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec)
            return;
        sample_counters();
        arm_counter_timer();
    });
}

const VfTotals& PfManager::traffic(unsigned vf)
{
    if (vf >= counters_.size())
        throw Error(Errc::invalid_argument, fmt::format("VF {}", vf),
                    fmt::format("there are only {} VFs", counters_.size()));
    counters_[vf].sample(chip_.read_vf_counters(vf));
    return counters_[vf].totals();
}

}  // namespace sriov::pf
