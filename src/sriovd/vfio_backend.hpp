// A PF sriovd owns from user space (owner "sriovd"): taken for vfio-pci, brought up by sriovd
// (an Intel 82576, pf::PfManager), its VFs' mailbox served with policy, and what each VF was
// granted kept for a restarted sriovd (vf_grants_file.hpp). The PfBackend of pf_backend.hpp.
#pragma once

#include "config_file.hpp"
#include "grants_record.hpp"
#include "pf_backend.hpp"
#include "pf_shared.hpp"
#include "vf_count_change.hpp"

#include "pf/pf_manager.hpp"
#include "pf/vf_provisioning.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sriov::sriovd {

class VfioBackend final : public PfBackend {
public:
    // Called when a trusted VF picked a MAC of its own, so that the core keeps it.
    using MacKeeper = std::function<void(unsigned vf, const MacAddress& mac)>;

    // Claims the PF (binding it to vfio-pci; one bound to a network driver only with
    // shared.take_over), opens it and brings it up for config's VFs, resuming VFs a previous
    // sriovd left from the grants file in state_dir. Throws sriov::Error as run_daemon() says.
    VfioBackend(const DaemonConfig& config, const pci::Address& address, const std::filesystem::path& state_dir,
                PfShared& shared, MacKeeper keep_mac);
    ~VfioBackend() override;

    std::string_view owner() const override { return "sriovd"; }
    const pci::Address& address() const override { return config_.pf; }
    std::string interface() const override { return {}; }
    unsigned num_vfs() const override { return manager_->policy().num_vfs(); }
    const pf::VfAdmin& admin(unsigned vf) const override { return manager_->policy().admin(vf); }

    nlohmann::json show_pf() override;
    nlohmann::json show_vf(unsigned vf) override;
    nlohmann::json stats_vf(unsigned vf) override;
    nlohmann::json mailbox_status() const override;

    void check(unsigned vf, const control::VfSettings& settings) const override;
    void apply(unsigned vf, const pf::VfAdmin& admin, const std::vector<std::string>& keys) override;
    void reset_vf(unsigned vf) override { manager_->reset_vf(vf); }
    void reset_pf() override { manager_->reset_pf(); }
    bool release_vf(unsigned vf) override { return manager_->release_vf(vf); }

    // VFs a previous sriovd left are adopted; every VF without a driver name goes to vfio-pci.
    std::vector<pci::Address> provision(const std::vector<std::string>& drivers) override;
    void provisioned() override;
    bool vfs_existed() const override { return config_.vfs_exist; }
    void remove_vfs() override;
    // Up to the 82576's 7 VFs (VfCountChange does the work).
    void set_num_vfs(unsigned n, std::vector<std::string> drivers,
                     std::function<std::vector<pf::VfAdmin>(unsigned m)> record) override;

private:
    pf::PfConfig config_;
    PfShared& shared_;
    pf::VfProvisioner provisioner_;
    std::filesystem::path grants_path_;   // vf_grants_file.hpp
    std::optional<GrantsRecord> grants_;  // none if it could not be made
    std::string grants_written_;          // its bytes as last stored
    std::string grants_encoded_;          // the next ones, compared with those
    std::unique_ptr<pf::PfManager> manager_;
    std::unique_ptr<VfCountChange> count_change_;
};

}  // namespace sriov::sriovd
