#include "vfio/sriov_control.hpp"

#include "sriov/error.hpp"
#include "vfio/background_write.hpp"
#include "vfio/numvfs_errors.hpp"
#include "vfio/pci_discovery.hpp"
#include "vfio/vfio_holders.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <mutex>

namespace sriov::pci {
namespace {

using Clock = std::chrono::steady_clock;

// One change of a PF's VF count: the writing process and what is needed to explain it later.
struct PendingChange {
    PendingChange(const std::filesystem::path& numvfs, std::vector<std::string> values, NumVfsContext ctx,
                  unsigned from_count, unsigned to_count, std::vector<VfioTarget> vf_targets)
        : steps(values), context(std::move(ctx)), from(from_count), to(to_count), vfs(std::move(vf_targets)),
          writer(numvfs, with_newlines(std::move(values)))
    {
    }

    // Each value goes to the kernel as "4\n", the way echo writes it; kstrtou16() takes the newline.
    static std::vector<std::string> with_newlines(std::vector<std::string> values)
    {
        for (auto& v : values)
            v += '\n';
        return values;
    }

    std::vector<std::string> steps;  // the values written, in order ("0" first when needed)
    NumVfsContext context;
    unsigned from;
    unsigned to;
    std::vector<VfioTarget> vfs;  // the VFs as they were before the write, for naming holders
    BackgroundWrite writer;
    std::timed_mutex waiting;  // held by the one thread waiting on writer
};

// The changes this process has started that may still be pending, by sriov_numvfs path. Never
// destroyed, so that no exit-time destructor runs while another thread still uses it.
struct Registry {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<PendingChange>> changes;
};

Registry& registry()
{
    static Registry* instance = new Registry;
    return *instance;
}

// The change's result if it finishes by deadline, nullopt if it does not (or another thread is
// waiting on it).
std::optional<BackgroundWrite::Result> poll(PendingChange& change, Clock::time_point deadline)
{
    std::unique_lock lock(change.waiting, std::defer_lock);
    if (!lock.try_lock_until(deadline))
        return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return change.writer.wait(std::max(left, std::chrono::milliseconds(0)));
}

void forget(const std::string& key, const std::shared_ptr<PendingChange>& change)
{
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    if (auto it = r.changes.find(key); it != r.changes.end() && it->second == change)
        r.changes.erase(it);
}

std::string change_text(const PendingChange& c)
{
    if (c.steps.size() > 1)
        return fmt::format("from {} to {} (by way of 0)", c.from, c.to);
    return fmt::format("from {} to {}", c.from, c.to);
}

void throw_if_failed(const PendingChange& c, const BackgroundWrite::Result& result)
{
    if (result.ok())
        return;
    const std::string subject = c.context.pf.to_string();
    if (result.lost)
        throw Error(Errc::io, subject,
                    fmt::format("the process writing sriov_numvfs (pid {}) ended without reporting; "
                                "check the VF count",
                                c.writer.pid()));
    Error e =
        numvfs_write_error(c.context, c.steps.at(result.completed), result.error, result.failed_at_open);
    if (result.completed > 0)
        throw Error(e.code(), subject, e.cause() + " (the PF was left with no VFs)");
    throw e;
}

void log_if_failed(const PendingChange& c, const BackgroundWrite::Result& result)
{
    try {
        throw_if_failed(c, result);
        spdlog::info("{}: the pending change of the VF count {} has finished", c.context.pf, change_text(c));
    } catch (const Error& e) {
        spdlog::warn("the pending change of the VF count {} failed: {}", change_text(c), e.what());
    }
}

// Who keeps the kernel waiting, for a change that removes VFs.
std::string holders_text(const std::filesystem::path& proc_root, const PendingChange& c)
{
    return describe(find_vfio_holders(proc_root, c.vfs));
}

std::string still_pending_cause(const std::filesystem::path& proc_root, const PendingChange& c)
{
    return fmt::format("an earlier change of the VF count {} is still pending in the kernel (writer pid {}); "
                       "it waits for the VFs to be released: {}",
                       change_text(c), c.writer.pid(), holders_text(proc_root, c));
}

std::string timeout_cause(const std::filesystem::path& proc_root, const PendingChange& c,
                          std::chrono::milliseconds timeout)
{
    const std::string head =
        fmt::format("changing the VF count {} did not finish within {} ms", change_text(c), timeout.count());
    const std::string tail =
        fmt::format("The change stays pending in the kernel (writer pid {}) and completes "
                    "by itself once that is done; until then this PF's VF count cannot be "
                    "changed again",
                    c.writer.pid());
    if (c.from == 0)
        return fmt::format("{}: the kernel is still creating the VFs (a VF driver's probe may be stuck; see "
                           "dmesg). {}",
                           head, tail);
    return fmt::format("{}; the kernel waits until every VF is released, and the VFs are held here: {}. {}",
                       head, holders_text(proc_root, c), tail);
}

}  // namespace

SriovControl::SriovControl(Sysfs sysfs, std::filesystem::path proc_root)
    : sysfs_(std::move(sysfs)), proc_root_(std::move(proc_root))
{
}

unsigned SriovControl::num_vfs(const Address& pf) const
{
    return static_cast<unsigned>(virtfn_links(sysfs_, pf).size());
}

unsigned SriovControl::total_vfs(const Address& pf) const
{
    const std::string subject = pf.to_string();
    if (!sysfs_.exists(sysfs_.device_dir(pf)))
        throw Error(Errc::not_found, subject,
                    fmt::format("no such PCI device (nothing at {})", sysfs_.device_dir(pf).string()));
    if (auto physfn = sysfs_.link_name(sysfs_.device_file(pf, attr::physfn)))
        throw Error(Errc::unsupported, subject,
                    fmt::format("this is a VF; VFs are created through their PF ({})", *physfn));
    const auto path = sysfs_.device_file(pf, attr::sriov_totalvfs);
    if (!sysfs_.exists(path))
        throw Error(Errc::unsupported, subject, "the device has no SR-IOV capability (no sriov_totalvfs)");
    try {
        return static_cast<unsigned>(sysfs_.read_decimal(path));
    } catch (const Error& e) {
        throw Error(e.code(), subject, fmt::format("{}: {}", e.subject(), e.cause()));
    }
}

void SriovControl::set_num_vfs(const Address& pf, unsigned count, std::chrono::milliseconds timeout) const
{
    const std::string subject = pf.to_string();
    const unsigned total = total_vfs(pf);
    if (count > total)
        throw Error(
            Errc::invalid_argument, subject,
            fmt::format("asked for {} VFs, but the PF supports at most {} (sriov_totalvfs)", count, total));

    NumVfsContext context{pf, total, sysfs_.link_name(sysfs_.device_file(pf, attr::driver)),
                          sysfs_.read_if_exists(sysfs_.module_parameter("vfio_pci", "enable_sriov"))};

    const auto numvfs = sysfs_.device_file(pf, attr::sriov_numvfs);
    const std::string key = numvfs.string();
    std::shared_ptr<PendingChange> change;
    {
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        if (auto it = r.changes.find(key); it != r.changes.end()) {
            auto earlier = poll(*it->second, Clock::now());
            if (!earlier)
                throw Error(Errc::busy, subject, still_pending_cause(proc_root_, *it->second));
            log_if_failed(*it->second, *earlier);
            r.changes.erase(it);
        }

        const auto links = virtfn_links(sysfs_, pf);
        const auto current = static_cast<unsigned>(links.size());
        if (current == count)
            return;
        if (driver_cannot_enable_vfs(context))
            throw Error(Errc::unsupported, subject, no_sriov_support_cause(context));
        std::vector<std::string> steps;
        if (current != 0 && count != 0)
            steps.push_back("0");  // the kernel refuses to go from one non-zero count to another
        steps.push_back(std::to_string(count));
        std::vector<VfioTarget> targets;
        for (const auto& [n, vf] : links)
            targets.push_back(vfio_target(sysfs_, vf));

        change = std::make_shared<PendingChange>(numvfs, std::move(steps), context, current, count,
                                                 std::move(targets));
        r.changes.emplace(key, change);
    }

    if (auto result = poll(*change, Clock::now() + timeout)) {
        forget(key, change);
        throw_if_failed(*change, *result);
        return;
    }
    throw Error(Errc::timeout, subject, timeout_cause(proc_root_, *change, timeout));
}

bool SriovControl::change_pending(const Address& pf) const
{
    const std::string key = sysfs_.device_file(pf, attr::sriov_numvfs).string();
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.changes.find(key);
    if (it == r.changes.end())
        return false;
    auto result = poll(*it->second, Clock::now());
    if (!result)
        return true;
    log_if_failed(*it->second, *result);
    r.changes.erase(it);
    return false;
}

bool SriovControl::wait_for_pending_change(const Address& pf, std::chrono::milliseconds timeout) const
{
    const std::string key = sysfs_.device_file(pf, attr::sriov_numvfs).string();
    std::shared_ptr<PendingChange> change;
    {
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        auto it = r.changes.find(key);
        if (it == r.changes.end())
            return true;
        change = it->second;
    }
    auto result = poll(*change, Clock::now() + timeout);
    if (!result)
        return false;
    forget(key, change);
    throw_if_failed(*change, *result);
    return true;
}

}  // namespace sriov::pci
