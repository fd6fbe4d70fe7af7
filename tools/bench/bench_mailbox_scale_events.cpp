#include "bench_mailbox_scale_events.hpp"

#include "mbx/request.hpp"
#include "sriov/e82576_regs.hpp"
#include "vf/vf_control.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>

namespace sriov::bench {

namespace {

using Clock = std::chrono::steady_clock;
namespace e = e82576;
namespace vv = e82576::vf_vector;

// The VFs whose mailbox interrupt came, handed from the thread that caused it (the PF's loop) to
// the VF thread. A VF is queued once however many interrupts came before the VF thread looked.
class Wakeups {
public:
    explicit Wakeups(std::size_t vfs) : queued_(vfs, false) {}

    void post(std::size_t vf)
    {
        {
            std::lock_guard lock(mutex_);
            if (queued_[vf])
                return;
            queued_[vf] = true;
            ready_.push_back(vf);
        }
        cv_.notify_one();
    }

    // Waits until some VF was woken, at most until `until`; false if none was.
    bool take(std::vector<std::size_t>& out, Clock::time_point until)
    {
        out.clear();
        std::unique_lock lock(mutex_);
        if (!cv_.wait_until(lock, until, [&] { return !ready_.empty(); }))
            return false;
        out.swap(ready_);
        for (std::size_t vf : out)
            queued_[vf] = false;
        return true;
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::size_t> ready_;
    std::vector<bool> queued_;
};

// The requests of one round, as VfScript's threaded VFs send them.
mbx::Request round_request(unsigned k, bool vlan_only)
{
    static const std::array<MacAddress, 2> groups{MacAddress::parse("01:00:5e:00:00:01"),
                                                  MacAddress::parse("33:33:00:00:00:01")};
    constexpr std::uint16_t vid = 100;
    if (vlan_only)
        return mbx::SetVlan{vid, k % 2 == 0};
    switch (k % VfScript::requests_per_round) {
    case 0: return mbx::SetLpe{1522};
    case 1: {
        const std::array<std::uint16_t, 2> hashes{mbx::multicast_hash(groups[0]), mbx::multicast_hash(groups[1])};
        return mbx::SetMulticast(hashes);
    }
    case 2: return mbx::SetVlan{vid, true};
    default: return mbx::SetVlan{vid, false};
    }
}

// One VF played by events: step 0 is the reset handshake, step k > 0 request k - 1 of the script.
class EventVf {
public:
    EventVf(dev::RegisterIo& regs, std::string name, const MacAddress& expected, const VfScript& script)
        : regs_(regs), control_(regs, name, script.timing), name_(std::move(name)), expected_(expected),
          script_(script), steps_(1 + script.rounds * VfScript::requests_per_round)
    {
        run_.answers.reserve(steps_);
    }

    // Routes the VF's mailbox cause to its "other" vector as igbvf and libvf's RxInterrupts do,
    // with every vector auto-cleared and enabled (QEMU, and so the model, raises the mailbox on
    // another vector than the one named: fact sheet 3.3; the queues are off, so only the mailbox
    // interrupts), then starts the handshake.
    void begin()
    {
        constexpr std::uint32_t all = vv::BIT(vv::TX) | vv::BIT(vv::RX) | vv::BIT(vv::OTHER);
        regs_.write32(e::VTIVAR_MISC.offset, e::vtivar::MISC(vv::OTHER));
        regs_.write32(e::VTEIAC.offset, all);
        regs_.write32(e::VTEIMS.offset, all);
        ask();
    }

    // The VF's mailbox interrupt came: reads the answer if it is there, and sends the next request.
    void woken()
    {
        if (finished())
            return;
        try {
            if (!control_.answered())
                return;
            const auto took = Clock::now() - asked_;
            if (step_ == 0) {
                run_.handshake = took;
                if (control_.assigned_mac() != expected_) {
                    const auto& mac = control_.assigned_mac();
                    fail(fmt::format("{}: VF_RESET gave {}, not {}", name_, mac ? mac->to_string() : "no MAC",
                                     expected_));
                    step_ = steps_;
                    return;
                }
            } else {
                run_.answers.push_back(took);
            }
        } catch (const std::exception& e) {
            fail(e.what());
            if (step_ == 0) {  // no handshake, nothing else to ask
                step_ = steps_;
                return;
            }
        }
        ++step_;
        ask();
    }

    // Nothing came for the VF's current step.
    void give_up(std::chrono::microseconds waited)
    {
        fail(fmt::format("{}: no answer within {} us", name_, waited.count()));
        step_ = steps_;
    }

    bool finished() const { return step_ >= steps_; }
    VfRun take_run() { return std::move(run_); }

private:
    // Sends the current step's request; a request that cannot even be sent counts as failed, and
    // the next one is tried (each request alone, as the threaded VFs do).
    void ask()
    {
        while (!finished()) {
            try {
                asked_ = Clock::now();
                if (step_ == 0)
                    control_.start_reset(script_.pf_ready);
                else
                    control_.start(round_request(step_ - 1, script_.vlan_only));
                return;
            } catch (const std::exception& e) {
                fail(e.what());
                step_ = step_ == 0 ? steps_ : step_ + 1;
            }
        }
    }

    void fail(const std::string& what)
    {
        if (run_.failures++ == 0)
            run_.first_failure = what;
    }

    dev::RegisterIo& regs_;
    vf::VfControl control_;
    std::string name_;
    MacAddress expected_;
    const VfScript& script_;
    unsigned steps_;
    unsigned step_ = 0;
    Clock::time_point asked_;
    VfRun run_;
};

}  // namespace

std::vector<VfRun> run_vfs_on_events(boost::asio::io_context& pf_loop, std::vector<std::unique_ptr<ModelPf>>& pfs,
                                     unsigned vfs_per_pf, const VfScript& script)
{
    const std::size_t total = pfs.size() * vfs_per_pf;
    Wakeups wakeups(total);
    std::vector<std::unique_ptr<EventVf>> vfs;
    vfs.reserve(total);
    for (std::size_t p = 0; p < pfs.size(); ++p) {
        pfs[p]->on_vf_interrupt([&wakeups, base = p * vfs_per_pf](unsigned vf) { wakeups.post(base + vf); });
        for (unsigned v = 0; v < vfs_per_pf; ++v)
            vfs.push_back(std::make_unique<EventVf>(pfs[p]->vf(v), fmt::format("{} VF {}", pfs[p]->name(), v),
                                                    ModelPf::vf_mac(static_cast<unsigned>(p), v), script));
    }

    for (auto& vf : vfs)
        vf->begin();
    std::size_t left = total;
    for (auto& vf : vfs)
        left -= vf->finished() ? 1 : 0;
    std::vector<std::size_t> woken;
    while (left > 0) {
        if (!wakeups.take(woken, Clock::now() + script.timing.timeout)) {
            for (auto& vf : vfs)
                if (!vf->finished())
                    vf->give_up(script.timing.timeout);
            break;
        }
        for (std::size_t i : woken) {
            EventVf& vf = *vfs[i];
            if (vf.finished())
                continue;
            vf.woken();
            left -= vf.finished() ? 1 : 0;
        }
    }

    std::vector<VfRun> runs;
    runs.reserve(total);
    for (auto& vf : vfs)
        runs.push_back(vf->take_run());
    on_loop(pf_loop, [&] {
        for (auto& pf : pfs)
            pf->on_vf_interrupt({});
    });
    return runs;
}

}  // namespace sriov::bench
