#include "sriov/error.hpp"

#include <cerrno>
#include <cstring>

namespace sriov {

std::string_view to_string(Errc code)
{
    switch (code) {
    case Errc::not_found: return "not_found";
    case Errc::permission: return "permission";
    case Errc::busy: return "busy";
    case Errc::no_iommu: return "no_iommu";
    case Errc::not_viable: return "not_viable";
    case Errc::vf_token: return "vf_token";
    case Errc::memlock: return "memlock";
    case Errc::timeout: return "timeout";
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::unsupported: return "unsupported";
    case Errc::protocol: return "protocol";
    case Errc::io: return "io";
    }
    return "unknown";
}

Error::Error(Errc code, std::string subject, std::string cause)
    : std::runtime_error(subject.empty() ? cause : subject + ": " + cause),
      code_(code), subject_(std::move(subject)), cause_(std::move(cause))
{
}

Error system_error(std::string subject, std::string_view what, int err)
{
    Errc code = Errc::io;
    switch (err) {
    case EACCES:
    case EPERM: code = Errc::permission; break;
    case ENOENT:
    case ENODEV:
    case ENXIO: code = Errc::not_found; break;
    case EBUSY: code = Errc::busy; break;
    case ETIMEDOUT: code = Errc::timeout; break;
    case EINVAL: code = Errc::invalid_argument; break;
    default: break;
    }
    std::string cause(what);
    cause += ": ";
    cause += std::strerror(err);
    return Error(code, std::move(subject), std::move(cause));
}

}  // namespace sriov
