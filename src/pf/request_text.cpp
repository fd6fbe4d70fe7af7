#include "pf/request_text.hpp"

#include <fmt/format.h>

#include <type_traits>

namespace sriov::pf {

std::string describe(const mbx::Request& request)
{
    return std::visit(
        [](const auto& r) -> std::string {
            using T = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<T, mbx::VfReset>)
                return "VF_RESET";
            else if constexpr (std::is_same_v<T, mbx::SetMac>)
                return fmt::format("SET_MAC_ADDR {}", r.mac);
            else if constexpr (std::is_same_v<T, mbx::ClearMacFilters>)
                return "SET_MAC_ADDR clear extra filters";
            else if constexpr (std::is_same_v<T, mbx::AddMacFilter>)
                return fmt::format("SET_MAC_ADDR add filter {}", r.mac);
            else if constexpr (std::is_same_v<T, mbx::SetMulticast>)
                return fmt::format("SET_MULTICAST {} hash{}{}", r.hashes().size(),
                                   r.hashes().size() == 1 ? "" : "es",
                                   r.overflow() ? " (and more groups)" : "");
            else if constexpr (std::is_same_v<T, mbx::SetVlan>)
                return fmt::format("SET_VLAN {} {}", r.add ? "add" : "remove", r.vid);
            else if constexpr (std::is_same_v<T, mbx::SetLpe>)
                return fmt::format("SET_LPE {} bytes", r.max_frame);
            else if constexpr (std::is_same_v<T, mbx::SetPromisc>)
                return fmt::format("SET_PROMISC{}{}{}", r.multicast ? " multicast" : "",
                                   r.unicast ? " unicast" : "", !r.multicast && !r.unicast ? " off" : "");
            else
                static_assert(sizeof(T) == 0, "a request type without a description");
        },
        request);
}

std::string describe_word0(std::uint32_t word0)
{
    return fmt::format("{} {:#010x}", mbx::message_name(mbx::message_id(word0)), word0);
}

}  // namespace sriov::pf
