#include "vfio/vfio_holders.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace sriov::pci {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view anon_vfio_device = "anon_inode:[vfio-device]";
constexpr std::string_view syspath_key = "vfio-device-syspath:";

std::optional<pid_t> parse_pid(const std::string& name)
{
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (name.empty() || ec != std::errc() || end != name.data() + name.size() || pid <= 0)
        return std::nullopt;
    return pid;
}

std::optional<std::string> read_text(const fs::path& path)
{
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<std::string> link_target(const fs::path& path)
{
    std::array<char, 4096> buffer;
    ssize_t n = ::readlink(path.c_str(), buffer.data(), buffer.size() - 1);
    if (n < 0)
        return std::nullopt;
    return std::string(buffer.data(), static_cast<std::size_t>(n));
}

// What a device fd's fdinfo says about its device (the syspath line exists since Linux 6.18).
struct FdinfoDevice {
    bool named = false;                  // fdinfo has a syspath line
    const VfioTarget* target = nullptr;  // the target it names, if it names one of them
};

FdinfoDevice fdinfo_device(const fs::path& fdinfo, const std::vector<VfioTarget>& targets)
{
    FdinfoDevice result;
    auto text = read_text(fdinfo);
    if (!text)
        return result;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with(syspath_key))
            continue;
        result.named = true;
        std::string syspath = line.substr(syspath_key.size());
        syspath.erase(0, std::min(syspath.size(), syspath.find_first_not_of(" \t")));
        // The syspath ends in the device's directory, which is named by its address.
        const std::string name = fs::path(syspath).filename().string();
        for (const auto& t : targets) {
            if (t.address.to_string() == name)
                result.target = &t;
        }
        break;
    }
    return result;
}

struct ProcessFindings {
    std::vector<VfioHolder> named;
    std::optional<std::string> unnamed;  // how an unnamed VFIO device shows, if it does
};

ProcessFindings inspect(const fs::path& dir, pid_t pid, const std::string& comm,
                        const std::vector<VfioTarget>& targets, bool& inspectable)
{
    ProcessFindings found;
    std::set<std::pair<Address, std::string>> seen;
    auto add = [&](const VfioTarget& t, const std::string& through) {
        if (seen.emplace(t.address, through).second)
            found.named.push_back({pid, comm, t.address, through});
    };

    std::error_code ec;
    fs::directory_iterator fds(dir / "fd", ec);
    if (ec) {
        inspectable = (ec.value() != EACCES && ec.value() != EPERM);
        return found;
    }
    bool unnamed_fd = false;
    for (; fds != fs::directory_iterator(); fds.increment(ec)) {
        const auto target = link_target(fds->path());
        if (!target)
            continue;
        for (const auto& t : targets) {
            if (t.iommu_group && *target == "/dev/vfio/" + std::to_string(*t.iommu_group))
                add(t, *target);
            for (const auto& cdev : t.cdevs) {
                if (*target == "/dev/vfio/devices/" + cdev)
                    add(t, *target);
            }
        }
        if (*target == anon_vfio_device) {
            const auto device = fdinfo_device(dir / "fdinfo" / fds->path().filename(), targets);
            if (!device.named)
                unnamed_fd = true;
            else if (device.target != nullptr)
                add(*device.target, "a VFIO device fd");
        }
        if (ec)
            break;
    }

    bool unnamed_map = false;
    if (auto maps = read_text(dir / "maps"))
        unnamed_map = maps->find(anon_vfio_device) != std::string::npos;

    if (unnamed_fd && unnamed_map)
        found.unnamed = "has a VFIO device fd and mapping whose device the kernel does not name";
    else if (unnamed_fd)
        found.unnamed = "has a VFIO device fd whose device the kernel does not name";
    else if (unnamed_map)
        found.unnamed = "has a VFIO device mapped whose device the kernel does not name";
    return found;
}

}  // namespace

VfioTarget vfio_target(const Sysfs& sysfs, const Address& address)
{
    VfioTarget t;
    t.address = address;
    if (auto group = sysfs.link_name(sysfs.device_file(address, attr::iommu_group))) {
        unsigned n = 0;
        auto [end, ec] = std::from_chars(group->data(), group->data() + group->size(), n);
        if (ec == std::errc() && end == group->data() + group->size())
            t.iommu_group = n;
    }
    const auto cdev_dir = sysfs.device_file(address, attr::vfio_dev);
    if (sysfs.exists(cdev_dir))
        t.cdevs = sysfs.list(cdev_dir);
    return t;
}

HolderScan find_vfio_holders(const fs::path& proc_root, const std::vector<VfioTarget>& targets)
{
    HolderScan scan;
    std::error_code ec;
    std::map<pid_t, fs::path> processes;
    for (fs::directory_iterator it(proc_root, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        if (auto pid = parse_pid(it->path().filename().string()))
            processes.emplace(*pid, it->path());
    }

    std::vector<VfioHolder> possible;
    for (const auto& [pid, dir] : processes) {
        auto comm = read_text(dir / "comm");
        if (!comm)
            continue;  // gone
        while (!comm->empty() && comm->back() == '\n')
            comm->pop_back();
        bool inspectable = true;
        auto found = inspect(dir, pid, *comm, targets, inspectable);
        if (!inspectable)
            ++scan.uninspectable;
        scan.holders.insert(scan.holders.end(), found.named.begin(), found.named.end());
        if (found.named.empty() && found.unnamed)
            possible.push_back({pid, *comm, std::nullopt, *found.unnamed});
    }
    scan.holders.insert(scan.holders.end(), possible.begin(), possible.end());
    return scan;
}

std::string to_string(const VfioHolder& h)
{
    const std::string self = h.pid == ::getpid() ? ", this process" : "";
    if (h.device)
        return fmt::format("pid {} ({}{}) holds {} ({})", h.pid, h.comm, self, *h.device, h.through);
    return fmt::format("pid {} ({}{}) {}", h.pid, h.comm, self, h.through);
}

std::string describe(const HolderScan& scan)
{
    std::string text;
    for (const auto& h : scan.holders) {
        if (!text.empty())
            text += "; ";
        text += to_string(h);
    }
    if (text.empty())
        text = "no process found holding them";
    if (scan.uninspectable > 0)
        text += fmt::format(" ({} processes could not be inspected; run as root to see them all)",
                            scan.uninspectable);
    return text;
}

}  // namespace sriov::pci
