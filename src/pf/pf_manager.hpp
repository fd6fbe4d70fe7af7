// One SR-IOV PF managed by sriovd: the PF opened through VFIO, brought up for N VFs, and its
// mailbox served on an io_context. This is the object sriovd grows around (configuration file,
// control socket and state file come later); main() only wires it to the command line and signals.
//
// Creating the VFs and binding their drivers is not done here: those are blocking sysfs writes
// that must run away from the event loop (vf_provisioning.hpp), while this object keeps serving
// the mailbox the new VFs talk to at once.
#pragma once

#include "mbx/pf_mailbox.hpp"
#include "pf/e82576_pf.hpp"
#include "pf/mailbox_service.hpp"
#include "pf/pf_event.hpp"
#include "pf/pf_notices.hpp"
#include "pf/request_policer.hpp"
#include "pf/vf_counters.hpp"
#include "pf/vf_policy.hpp"
#include "pf/vf_supervisor.hpp"
#include "vfio/container.hpp"
#include "vfio/device.hpp"
#include "vfio/interrupts.hpp"
#include "vfio/pci_address.hpp"
#include "vfio/vf_token.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sriov::pf {

struct PfConfig {
    pci::Address pf;
    unsigned num_vfs = 0;
    std::vector<VfAdmin> vfs;  // the administrator's settings of VF 0, 1, ...; missing ones default
    // The VFs exist already: sriovd restarted while their drivers kept running. Without `granted`
    // the PF is reset, which resets the VFs' queues too; the VFs are told at once, and a VF
    // driver that answers is told to reset, which makes it set everything up again without being
    // reloaded.
    bool vfs_exist = false;
    // With vfs_exist: what the previous sriovd had granted each VF (vf_grants_file.hpp), if it
    // left that. The PF is then taken back without a reset, and the VFs that were clear to send
    // get their filters back and stay so: their drivers need not reset (VfSupervisor::resume_all).
    std::optional<std::vector<VfState>> granted;
    PolicingLimits policing;  // when a misbehaving VF is quarantined
};

class PfManager {
public:
    // Opens the PF through VFIO (it must be bound to vfio-pci), enables its memory space and bus
    // mastering, routes MSI-X vector 0 to an eventfd, sets the VF token, brings the PF up for
    // config.num_vfs VFs, puts each VF's administrator settings in place and starts serving the
    // mailbox on io. The VFs themselves are not created. With config.vfs_exist, the PF is opened
    // with the token (VF users may hold their VFs open still) and the VFs are told at once to
    // resynchronise (as vfs_created()).
    // Throws sriov::Error (subject = the PF or the VF concerned):
    //   invalid_argument  num_vfs above what the chip serves (the message says why), more VF
    //                     settings than VFs, or a bad setting (see VfPolicy::set_admin).
    //   not_found, busy, permission, no_iommu, not_viable  from opening the PF (vfio::Device::open).
    //   unsupported       no MSI-X, or no VF token (vfio-pci loaded without enable_sriov=1).
    //   timeout, protocol from the bring-up (PfDevice::bring_up).
    static std::unique_ptr<PfManager> open(boost::asio::io_context& io, const PfConfig& config,
                                           const vfio::VfToken& token);

    ~PfManager();
    PfManager(const PfManager&) = delete;
    PfManager& operator=(const PfManager&) = delete;

    // Tells every VF the PF is alive (control message); call once the kernel has created them.
    // Never throws sriov::Error.
    void vfs_created();

    const pci::Address& address() const { return address_; }
    const MacAddress& mac() const { return mac_; }
    LinkState link() { return chip_.link(); }
    const VfPolicy& policy() const { return policy_; }
    const VfSupervisor& vfs() const { return vfs_; }
    // See VfSupervisor::on_mac_changed(); call from the io_context's thread. A trusted VF's own
    // MAC becomes its administrator's MAC too, so that a PF reset gives it back the address it
    // chose (as a restart does, through the state file); the observer is called after that.
    void on_vf_mac_changed(VfSupervisor::MacObserver observer);
    // Called with every VF's state whenever it may have changed, before the VF is answered (see
    // VfSupervisor::on_state_changed); for a file a restarted sriovd resumes from. Must not throw.
    void on_vf_state_changed(std::function<void(const std::vector<VfState>&)> observer);
    const MailboxStats& stats() const { return service_.stats(); }
    const RequestPolicer& policer() const { return policer_; }

    // VF vf's traffic since sriovd took the PF, as 64-bit totals, read from the chip now.
    // Throws sriov::Error(invalid_argument) for a bad vf.
    const VfTotals& traffic(unsigned vf);
    // How often the chip's 32-bit traffic counters are read so that none wraps unseen (the
    // fastest wraps in about 34 s at 1 Gb/s). The mailbox is served by interrupts, not by this.
    static constexpr std::chrono::seconds counter_interval{5};

    // Called on the loop when the kernel asks for the PF back (someone unbinds vfio-pci from it, or
    // it is being removed): the caller should stop and close it. Must not throw.
    void on_release_request(std::function<void()> handler) { release_request_ = std::move(handler); }

    // Events of the PF and its VFs go to sink from now on (pf_event.hpp).
    void on_event(EventSink sink);

    // --- Operators' changes; call from the io_context's thread. ---

    // Replaces VF vf's administrator settings and programs them at once; a VF whose MAC or link
    // state changed is told (its driver resets to learn a new MAC). All or nothing: invalid
    // settings change nothing. A generated_mac without a mac is made as at start.
    // Throws sriov::Error(invalid_argument, "VF <n>") as VfPolicy::set_admin().
    void set_admin(unsigned vf, const VfAdmin& admin);

    // Makes VF vf's driver reset and set itself up again (the PF forgets what it asked for).
    // Throws sriov::Error(invalid_argument) for a bad vf.
    void reset_vf(unsigned vf);

    // Ends VF vf's quarantine; its driver is made to reset. Returns false if it was not
    // quarantined. Throws sriov::Error(invalid_argument) for a bad vf.
    bool release_vf(unsigned vf);

    // The VFs are about to be removed: stop talking to them. Never throws.
    void vfs_removing() noexcept { service_.vfs_removed(); }

    // Brings the PF up again for num_vfs VFs with these administrator settings (missing ones
    // default), after the old VFs were removed; call vfs_created() once the new ones exist. Every
    // VF starts afresh: counters, policing, state.
    // Throws sriov::Error: invalid_argument as open() (too many VFs, bad settings: nothing is
    // changed then); as PfDevice::bring_up().
    void resize(unsigned num_vfs, const std::vector<VfAdmin>& vfs);

    // Resets the PF and brings it up again for the same VFs, writes every VF's state back and
    // tells the VFs to resynchronise, as after a restart of sriovd.
    // Throws sriov::Error as PfDevice::bring_up().
    void reset_pf();

private:
    PfManager(boost::asio::io_context& io, const PfConfig& config, std::shared_ptr<vfio::Container> container,
              const vfio::VfToken& token);

    void bring_up_chip(bool vfs_running);
    void resume_chip(const std::vector<VfState>& granted);
    void apply_rates(const LinkState& link);
    void generate_macs();
    void sample_counters();
    void arm_counter_timer();

    pci::Address address_;
    std::shared_ptr<vfio::Container> container_;
    vfio::Device device_;
    vfio::MappedRegion bar0_;
    dev::MmioRegisters regs_;
    vfio::Interrupts msix_;
    E82576Pf chip_;
    mbx::PfMailbox mailbox_;
    VfPolicy policy_;
    VfSupervisor vfs_;
    RequestPolicer policer_;
    MailboxService service_;
    MacAddress mac_;
    unsigned resumed_ = 0;
    EventSink sink_;
    std::vector<VfCounters> counters_;
    boost::asio::steady_timer counter_timer_;
    PfNotices notices_;
    std::function<void()> release_request_;
};

}  // namespace sriov::pf
