#include "faults.hpp"

namespace sriov::soak {

std::string_view name(Fault fault)
{
    switch (fault) {
    case Fault::kill: return "kill";
    case Fault::kill_in_set: return "kill_in_set";
    case Fault::kill_in_count: return "kill_in_count";
    case Fault::term: return "sigterm";
    case Fault::reset: return "pf_reset";
    case Fault::flr: return "vf_flr";
    case Fault::link: return "link_flap";
    case Fault::burst: return "hostile_burst";
    }
    return "?";
}

bool ends_sriovd(Fault fault)
{
    return fault == Fault::kill || fault == Fault::kill_in_set || fault == Fault::kill_in_count || fault == Fault::term;
}

}  // namespace sriov::soak
