#include "control_router.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace sriov::sriovd {

using nlohmann::json;

ControlRouter::ControlRouter(std::vector<std::pair<pci::Address, ControlHandler*>> pfs) : pfs_(std::move(pfs)) {}

ControlHandler& ControlRouter::handler_of(const std::string& pf)
{
    std::vector<std::string> names;
    for (auto& [a, h] : pfs_) {
        if (h->names(pf))
            return *h;
        names.push_back(a.to_string());
    }
    throw Error(Errc::not_found, pf, fmt::format("not a PF this sriovd manages (it manages {})", fmt::join(names, ", ")));
}

// Every PF's answer to the same request, their arrays joined.
std::string ControlRouter::merged(const control::Request& request, const char* array)
{
    json all = json::array();
    for (auto& [a, h] : pfs_) {
        json one = json::parse((*h)(request));
        for (auto& item : one.at(array))
            all.push_back(std::move(item));
    }
    return json{{array, all}}.dump();
}

// The daemon's status: the mailbox counters summed over the PFs.
std::string ControlRouter::status(const control::Request& request)
{
    json result;
    json mailbox = json::object();
    for (auto& [a, h] : pfs_) {
        json one = json::parse((*h)(request));
        if (result.is_null())
            result = one;
        for (auto& [key, value] : one.at("mailbox").items())
            mailbox[key] = mailbox.value(key, std::uint64_t{0}) + value.get<std::uint64_t>();
    }
    result["pfs"] = pfs_.size();
    result["mailbox"] = mailbox;
    return result.dump();
}

std::string ControlRouter::operator()(const control::Request& request)
{
    struct Visit {
        ControlRouter& r;
        const control::Request& request;
        std::string operator()(const control::Show& o) const
        {
            return o.pf ? r.handler_of(*o.pf)(request) : r.merged(request, "pfs");
        }
        std::string operator()(const control::Stats& o) const
        {
            return o.pf ? r.handler_of(*o.pf)(request) : r.merged(request, "vfs");
        }
        std::string operator()(const control::SetVf& o) const { return r.handler_of(o.pf)(request); }
        std::string operator()(const control::SetNumVfs& o) const { return r.handler_of(o.pf)(request); }
        std::string operator()(const control::Reset& o) const { return r.handler_of(o.pf)(request); }
        std::string operator()(const control::Release& o) const { return r.handler_of(o.pf)(request); }
        std::string operator()(const control::Subscribe&) const { return "{}"; }
        std::string operator()(const control::Status&) const { return r.status(request); }
    };
    return std::visit(Visit{*this, request}, request.op);
}

}  // namespace sriov::sriovd
