#include "privileges.hpp"

#include "sriov/error.hpp"

#include <cap-ng.h>
#include <fmt/format.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include <cerrno>
#include <vector>

namespace sriov::sriovd {

namespace {

Error refused(std::string_view what)
{
    return Error(Errc::permission, "sriovd", fmt::format("cannot {}: the kernel refused it", what));
}

// The capabilities in the calling thread's bounding set that are not to be kept.
std::vector<unsigned> extra_bounding(bool keep_chown)
{
    std::vector<unsigned> extra;
    for (unsigned cap = 0; cap <= CAP_LAST_CAP; ++cap)
        if (capng_have_capability(CAPNG_BOUNDING_SET, cap) && !(keep_chown && cap == CAP_CHOWN))
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

std::string drop_privileges(bool keep_chown)
{
    if (capng_get_caps_process() != 0)
        throw refused("read its own capabilities");
    const bool may_narrow_bounds = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP) != 0;
    const bool narrow_bounds = !extra_bounding(keep_chown).empty() && may_narrow_bounds;

    capng_clear(CAPNG_SELECT_BOTH);  // effective, permitted, inheritable, bounding
    if (keep_chown &&
        capng_update(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET),
                     CAP_CHOWN) != 0)
        throw refused("keep CAP_CHOWN");
    // The bounding set first (that takes CAP_SETPCAP, which the second step gives up).
    if (capng_apply(narrow_bounds ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS) != 0)
        throw refused(narrow_bounds ? "narrow its capability sets and bounding set" : "narrow its capability sets");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        throw system_error("sriovd", "set no_new_privs", errno);

    // What the kernel holds now, read back rather than assumed.
    if (capng_get_caps_process() != 0)
        throw refused("read its own capabilities");
    for (unsigned cap = 0; cap <= CAP_LAST_CAP; ++cap) {
        const int kept = keep_chown && cap == CAP_CHOWN ? 1 : 0;
        if (capng_have_capability(CAPNG_EFFECTIVE, cap) != kept || capng_have_capability(CAPNG_PERMITTED, cap) != kept ||
            capng_have_capability(CAPNG_INHERITABLE, cap) != 0)
            throw Error(Errc::permission, "sriovd",
                        fmt::format("its capabilities are not what it set them to ({})", names({cap})));
    }
    const auto left = extra_bounding(keep_chown);
    std::string line = keep_chown ? "kept CAP_CHOWN alone (effective, permitted, bounding; for the operators' "
                                    "group's /dev/vfio files), nothing inheritable, no_new_privs set"
                                  : "kept no capability (no operators' group): effective, permitted, "
                                    "inheritable and bounding sets empty, no_new_privs set";
    if (!left.empty())
        line += fmt::format("; but the bounding set still holds {} (no CAP_SETPCAP to narrow it; nothing is "
                            "permitted, so it grants nothing)",
                            names(left));
    return line;
}

}  // namespace sriov::sriovd
