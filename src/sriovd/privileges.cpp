#include "privileges.hpp"

#include "sriov/error.hpp"

#include <cap-ng.h>
#include <fmt/format.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace sriov::sriovd {

namespace {

Error refused(std::string_view what)
{
    return Error(Errc::permission, "sriovd", fmt::format("cannot {}: the kernel refused it", what));
}

bool kept(const std::vector<unsigned>& keep, unsigned cap)
{
    return std::find(keep.begin(), keep.end(), cap) != keep.end();
}

// The capabilities in the calling thread's bounding set that are not to be kept.
std::vector<unsigned> extra_bounding(const std::vector<unsigned>& keep)
{
    std::vector<unsigned> extra;
    for (unsigned cap = 0; cap <= CAP_LAST_CAP; ++cap)
        if (capng_have_capability(CAPNG_BOUNDING_SET, cap) && !kept(keep, cap))
            extra.push_back(cap);
    return extra;
}

std::string names(const std::vector<unsigned>& caps)
{
    std::string text;
    for (unsigned cap : caps) {
        const char* name = capng_capability_to_name(cap);
        text += fmt::format("{}{}", text.empty() ? "" : ",", name ? name : fmt::format("{}", cap));
    }
    return text;
}

}  // namespace

std::string drop_privileges(bool keep_chown, bool keep_net_admin)
{
    std::vector<unsigned> keep;
    if (keep_chown)
        keep.push_back(CAP_CHOWN);
    if (keep_net_admin)
        keep.push_back(CAP_NET_ADMIN);
    if (capng_get_caps_process() != 0)
        throw refused("read its own capabilities");
    const bool may_narrow_bounds = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP) != 0;
    const bool narrow_bounds = !extra_bounding(keep).empty() && may_narrow_bounds;

    capng_clear(CAPNG_SELECT_BOTH);  // effective, permitted, inheritable, bounding
    for (unsigned cap : keep)
        if (capng_update(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET),
                         cap) != 0)
            throw refused(fmt::format("keep {}", names({cap})));
    // The bounding set first (that takes CAP_SETPCAP, which the second step gives up).
    if (capng_apply(narrow_bounds ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS) != 0)
        throw refused(narrow_bounds ? "narrow its capability sets and bounding set" : "narrow its capability sets");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        throw system_error("sriovd", "set no_new_privs", errno);

    // What the kernel holds now, read back rather than assumed.
    if (capng_get_caps_process() != 0)
        throw refused("read its own capabilities");
    for (unsigned cap = 0; cap <= CAP_LAST_CAP; ++cap) {
        const int want = kept(keep, cap) ? 1 : 0;
        if (capng_have_capability(CAPNG_EFFECTIVE, cap) != want || capng_have_capability(CAPNG_PERMITTED, cap) != want ||
            capng_have_capability(CAPNG_INHERITABLE, cap) != 0)
            throw Error(Errc::permission, "sriovd",
                        fmt::format("its capabilities are not what it set them to ({})", names({cap})));
    }
    const auto left = extra_bounding(keep);
    std::string line;
    if (keep.empty())
        line = "kept no capability (no operators' group, no kernel-owned PF): effective, permitted, inheritable and "
               "bounding sets empty, no_new_privs set";
    else
        line = fmt::format("kept {} alone (effective, permitted, bounding{}{}), nothing inheritable, no_new_privs set",
                           names(keep), keep_chown ? "; CAP_CHOWN for the operators' group's /dev/vfio files" : "",
                           keep_net_admin ? "; CAP_NET_ADMIN for the VFs of kernel-owned PFs (rtnetlink)" : "");
    if (!left.empty())
        line += fmt::format("; but the bounding set still holds {} (no CAP_SETPCAP to narrow it; nothing is "
                            "permitted, so it grants nothing)",
                            names(left));
    return line;
}

}  // namespace sriov::sriovd
