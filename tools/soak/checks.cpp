// The checks after each cycle: what sriovd keeps (its state files, vfctl's view) against the last
// confirmed changes, and what the traffic VFs' driver shows, by effect.
#include "soak.hpp"

#include "kernel_view.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

#include <chrono>

namespace sriov::soak {

namespace {

constexpr const char* probe_mac = "02:5a:ff:00:00:01";

}  // namespace

// The state file of each PF and vfctl's view both equal what the confirmed changes left, and sysfs
// has the confirmed VF count.
void Soak::check_views(CycleResult& r)
{
    for (const auto& [pf, want] : expected_) {
        for (const auto& d : differences(want, read_state_file(rig_.state_dir, pf), "state file"))
            r.failures.push_back(d);
        for (const auto& d : differences(want, read_vfctl(pf), "vfctl"))
            r.failures.push_back(d);
        if (const unsigned n = sriov_numvfs(pf); n != want.num_vfs)
            r.failures.push_back(fmt::format("sysfs: PF {} has {} VFs, expected {}", pf, n, want.num_vfs));
    }
}

// igbvf's view of the two traffic VFs: the MAC sriovd must have given them, and carrier (their
// link state is auto or enable and the wire is up).
void Soak::check_links(CycleResult& r)
{
    for (const TrafficVf* vf : {&rig_.vf0, &rig_.vf1}) {
        const Settings& want = expected_.at(rig_.traffic_pf).vfs.at(vf->index);
        const LinkView seen = link_view(vf->interface, vf->netns);
        if (nlohmann::json(seen.mac) != want.at("mac"))
            r.failures.push_back(fmt::format("igbvf: VF {} ({}) has MAC {}, expected {}", vf->index, vf->interface,
                                             seen.mac, want.at("mac").dump()));
        if (!seen.carrier)
            r.failures.push_back(fmt::format("igbvf: VF {} ({}) has no carrier (link state {})", vf->index,
                                             vf->interface, want.at("link_state").dump()));
    }
}

// A trusted VF may take another MAC (it is given its own back at once), an untrusted one may not.
void Soak::check_trust(const TrafficVf& vf, CycleResult& r)
{
    const Settings& want = expected_.at(rig_.traffic_pf).vfs.at(vf.index);
    const bool trusted = want.at("trust").get<bool>();
    // How long igbvf took says whether it had sriovd's answer: it waits 1 s for one (its mailbox
    // timeout), and without one it keeps the MAC it asked for.
    const auto start = std::chrono::steady_clock::now();
    const bool took = set_link_address(vf.interface, vf.netns, probe_mac);
    const auto took_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    if (took && !set_link_address(vf.interface, vf.netns, want.at("mac").get<std::string>()))
        r.failures.push_back(fmt::format("igbvf: VF {} could not take its own MAC back", vf.index));
    if (took != trusted)
        r.failures.push_back(fmt::format("igbvf: VF {} ({}) {} a MAC of its own choosing (`ip link set address` "
                                         "took {} ms)",
                                         vf.index, trusted ? "trusted" : "untrusted", took ? "took" : "could not take",
                                         took_ms));
}

}  // namespace sriov::soak
