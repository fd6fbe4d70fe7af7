// A PF its kernel driver keeps (owner "kernel": igb, ixgbe, i40e, ice, mlx5...): the PF keeps its
// driver and its host interface; sriovd sets the VF count through sysfs and each VF's settings
// through rtnetlink (src/netlink), and watches the kernel's view. The PfBackend of pf_backend.hpp.
//
// What it manages: exactly what the configuration or vfctl declared for a listed, managed VF (the
// state file's keys of that VF); nothing else is ever written. A VF without a [[pf.vf]] table, or
// with managed = false, is shown and never changed, its driver binding included.
//
// How a change is made: one setting per request, in the kernel's order; when the driver refuses
// one, what was changed before it is put back (nl::apply_all_or_none), and the error names the
// interface, the driver, the setting and the kernel's words.
//
// Watching: on every link notification of the PF (nl::LinkEvents) and at least once a second the
// kernel's view (RTM_GETLINK with VF info) is read and compared with the desired state. A difference is a `drift` event (once, until it changes) and is put back when
// on_drift is "restore". A trusted VF's own MAC is adopted, not put back. When the PF's interface
// goes away (its driver unbound or reloaded, a reset that drops the VFs) and comes back, sriovd
// recreates the VF count, re-applies every managed VF, binds the VF drivers again and says so in a
// `pf_reloaded` event. It never touches the PF's own admin state or addresses.
#pragma once

#include "config_file.hpp"
#include "pf_backend.hpp"
#include "pf_naming.hpp"
#include "pf_shared.hpp"
#include "state_file.hpp"

#include "netlink/link_events.hpp"
#include "netlink/rtnl_socket.hpp"
#include "netlink/vf_info.hpp"
#include "netlink/vf_settings.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace sriov::sriovd {

class KernelBackend final : public PfBackend {
public:
    using MacKeeper = std::function<void(unsigned vf, const MacAddress& mac)>;

    // config: the effective configuration of this PF (which VFs are listed and managed, their
    // drivers, on_drift), and state: its state file's contents, which say what is declared; both
    // are the caller's, kept up to date by it, and must outlive this object. Opens an rtnetlink socket and reads the
    // kernel's view once. Throws sriov::Error: not_found when the PF has no interface (not bound
    // to its network driver), invalid_argument when num_vfs is above the PF's TotalVFs.
    KernelBackend(const DaemonConfig& config, const NamedPf& pf, const PfState& state, PfShared& shared,
                  MacKeeper keep_mac);
    ~KernelBackend() override;

    std::string_view owner() const override { return owner_kernel; }
    const pci::Address& address() const override { return address_; }
    std::string interface() const override { return interface_; }
    unsigned num_vfs() const override { return static_cast<unsigned>(admin_.size()); }
    const pf::VfAdmin& admin(unsigned vf) const override { return admin_.at(vf); }

    nlohmann::json show_pf() override;
    nlohmann::json show_vf(unsigned vf) override;
    nlohmann::json stats_vf(unsigned vf) override;
    nlohmann::json mailbox_status() const override { return nlohmann::json::object(); }

    // Refuses the settings only a PF sriovd owns can enforce, and any change of an unmanaged VF.
    void check(unsigned vf, const control::VfSettings& settings) const override;
    void apply(unsigned vf, const pf::VfAdmin& admin, const std::vector<std::string>& keys) override;
    // Re-applies the VF's desired settings (all of them, where the kernel's view differs).
    void reset_vf(unsigned vf) override;
    // Re-applies every managed VF's desired settings; the PF itself is its driver's.
    void reset_pf() override;
    // There is no quarantine on a kernel-owned PF: always refused.
    bool release_vf(unsigned vf) override;

    // Writes sriov_numvfs only when the count differs (then with the VF drivers' automatic probe
    // held off until the settings are in), applies every managed VF's settings, and binds the
    // drivers the configuration names; other VFs keep the kernel's choice.
    std::vector<pci::Address> provision(const std::vector<std::string>& drivers) override;
    // Starts watching the kernel's view.
    void provisioned() override;
    bool vfs_existed() const override { return vfs_existed_; }
    void remove_vfs() override;
    // Up to the PF's TotalVFs; the sysfs writes, the settings and the bindings run on a thread of
    // their own, and a num_vfs event says when it is done. Throws sriov::Error: invalid_argument
    // above TotalVFs, busy while a change or a reload is under way.
    void set_num_vfs(unsigned n, std::vector<std::string> drivers,
                     std::function<std::vector<pf::VfAdmin>(unsigned m)> record) override;

private:
    // What a provisioning thread works from, taken on the loop: it must not read what the loop
    // changes meanwhile.
    struct Plan {
        std::vector<nl::VfSettings> want;  // per VF; empty for an unmanaged VF
        std::vector<bool> managed;
        std::vector<std::string> drivers;  // per VF; empty: the kernel's choice
    };
    Plan plan(const std::vector<std::string>& drivers) const;
    bool managed(unsigned vf) const;
    // What VF vf should have, as netlink settings: the declared keys only.
    nl::VfSettings desired(unsigned vf, const pf::VfAdmin& admin, const std::vector<std::string>& keys) const;
    nl::VfSettings desired(unsigned vf) const;
    std::vector<std::string> declared_keys(unsigned vf) const;
    // The kernel's view of VF vf now (found_ refreshed); empty settings if it does not report it.
    nl::VfSettings found(unsigned vf);
    // Brings VF vf to `want` over `had`, all or none, through socket; returns the steps sent.
    std::size_t bring(nl::RtnlSocket& socket, int ifindex, unsigned vf, const nl::VfSettings& want,
                      const nl::VfSettings& had);
    std::string subject(unsigned vf) const;
    // Sets the count, applies, binds; at start, after a driver reload, for a new VF count. Blocks.
    std::vector<pci::Address> provision_now(const Plan& plan);
    // Runs provision_now(plan) on reload_, then publishes an event of kind saying how it went.
    void provision_in_background(Plan plan, std::string kind, std::string done);
    void watch();
    void listen();
    void check_drift();
    void publish(const std::string& kind, std::optional<unsigned> vf, const std::string& message);

    pci::Address address_;
    std::string interface_;
    std::string driver_;
    int ifindex_ = 0;
    std::vector<pf::VfAdmin> admin_;
    const DaemonConfig& config_;
    std::chrono::milliseconds timeout_;
    const PfState& state_;
    PfShared& shared_;
    MacKeeper keep_mac_;
    bool vfs_existed_ = false;
    nl::RtnlSocket socket_;  // the loop's
    nl::LinkVfInfo found_;
    std::vector<std::string> reported_;  // per VF: the drift last reported, to report it once
    boost::asio::steady_timer timer_;
    nl::LinkEvents events_;
    boost::asio::posix::stream_descriptor events_fd_;  // a duplicate of events_'s, for the loop
    bool gone_ = false;                 // the PF's interface went away
    bool vfs_missing_ = false;          // the kernel listed fewer VFs than sriovd made (said once)
    std::thread reload_;                // re-provisioning: a driver reload, a new VF count
    std::atomic<bool> reloading_{false};
};

}  // namespace sriov::sriovd
