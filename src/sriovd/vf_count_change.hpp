// Changing the number of VFs while sriovd runs (vfctl set PF numvfs N). The old VFs are removed
// (the kernel first asks their users to let go: libvf through its request interrupt, igbvf by
// unbinding), the PF is brought up again for the new count, and the new VFs are created and bound.
//
// The sysfs writes block (for as long as a VF user holds on, up to the provisioner's timeout), so
// they run on a thread of their own; everything that touches the PF runs on the event loop, through
// the hooks, which the change waits for.
#pragma once

#include "pf/vf_provisioning.hpp"
#include "vfio/pci_address.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace sriov::sriovd {

class VfCountChange {
public:
    // Each runs on the io_context's thread.
    struct Hooks {
        std::function<void()> removing;             // the VFs are about to go
        std::function<void(unsigned)> bring_up;     // the old VFs are gone: bring the PF up for N
        std::function<void(const std::vector<pci::Address>&)> created;  // the new VFs are bound
        std::function<void(const std::string&)> failed;  // what went wrong, in words
    };

    // All arguments must outlive this object.
    VfCountChange(boost::asio::io_context& io, const pf::VfProvisioner& provisioner, pci::Address pf);
    // Waits for a change under way to end (its waits are bounded), without running its hooks.
    ~VfCountChange();
    VfCountChange(const VfCountChange&) = delete;
    VfCountChange& operator=(const VfCountChange&) = delete;

    // Starts changing to num_vfs VFs bound to drivers (see VfProvisioner::create_vfs). Returns at
    // once. Throws sriov::Error(busy) if a change is under way.
    void start(unsigned num_vfs, std::vector<std::string> drivers, Hooks hooks);

    bool busy() const { return busy_; }

private:
    void run(unsigned num_vfs, const std::vector<std::string>& drivers, const Hooks& hooks);
    // Runs f on the loop and waits for it; false if sriovd is stopping. Exceptions of f come back.
    bool on_loop(const std::function<void()>& f);

    boost::asio::io_context& io_;
    const pf::VfProvisioner& provisioner_;
    pci::Address pf_;
    std::thread worker_;
    std::atomic<bool> busy_{false};
    std::atomic<bool> stopping_{false};
};

}  // namespace sriov::sriovd
