#include "vf_grants_file.hpp"

#include "grants_record.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

namespace sriov::sriovd {

namespace {

constexpr const char* format_name = "sriovd-grants";
constexpr int format_version = 1;

nlohmann::json vf_json(const pf::VfState& s)
{
    return {{"clear_to_send", s.clear_to_send},
            {"mac", s.mac ? nlohmann::json(s.mac->to_string()) : nlohmann::json(nullptr)},
            {"vlans", s.vlans},
            {"multicast", s.multicast},
            {"multicast_overflow", s.multicast_overflow},
            {"multicast_promisc", s.multicast_promisc},
            {"max_frame", s.max_frame},
            {"quarantined", s.quarantined}};
}

// nlohmann converts -1 to 65535 without a word, so numbers are checked here.
std::uint16_t u16(const nlohmann::json& j)
{
    if (!j.is_number_unsigned() || j.get<std::uint64_t>() > 0xFFFF)
        throw std::invalid_argument(fmt::format("{} is not a number from 0 to 65535", j.dump()));
    return j.get<std::uint16_t>();
}

std::vector<std::uint16_t> u16_list(const nlohmann::json& j)
{
    std::vector<std::uint16_t> list;
    for (const auto& n : j.get_ref<const nlohmann::json::array_t&>())
        list.push_back(u16(n));
    return list;
}

// Throws nlohmann::json::exception, std::invalid_argument or sriov::Error for anything not as
// encode_grants() writes it.
pf::VfState vf_state(const nlohmann::json& j)
{
    pf::VfState s;
    s.clear_to_send = j.at("clear_to_send").get<bool>();
    if (!j.at("mac").is_null())
        s.mac = MacAddress::parse(j.at("mac").get<std::string>());
    s.vlans = u16_list(j.at("vlans"));
    s.multicast = u16_list(j.at("multicast"));
    s.multicast_overflow = j.at("multicast_overflow").get<bool>();
    s.multicast_promisc = j.at("multicast_promisc").get<bool>();
    s.max_frame = u16(j.at("max_frame"));
    s.quarantined = j.at("quarantined").get<bool>();
    return s;
}

}  // namespace

std::string grants_file_for(const pci::Address& pf) { return fmt::format("grants-{}.record", pf); }

std::string current_boot_id()
{
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    std::getline(in, id);
    return in ? id : std::string();
}

std::string encode_grants(const std::string& boot_id, const pci::Address& pf, const std::vector<pf::VfState>& vfs)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : vfs)
        list.push_back(vf_json(s));
    const nlohmann::json doc{{"format", format_name}, {"version", format_version}, {"boot_id", boot_id},
                             {"pf", pf.to_string()},  {"vfs", std::move(list)}};
    return doc.dump(1) + "\n";
}

std::optional<std::vector<pf::VfState>> load_grants(const std::filesystem::path& path, const std::string& boot_id,
                                                    const pci::Address& pf, std::string* why)
{
    auto refuse = [&](std::string reason) -> std::optional<std::vector<pf::VfState>> {
        if (why)
            *why = std::move(reason);
        return std::nullopt;
    };
    std::string why_not;
    const std::optional<std::string> text = read_grants_record(path, &why_not);
    if (!text)
        return refuse(std::move(why_not));
    try {
        const nlohmann::json doc = nlohmann::json::parse(*text);
        if (doc.at("format") != format_name || doc.at("version") != format_version)
            return refuse("not a grants file of this version");
        if (boot_id.empty() || doc.at("boot_id") != boot_id)
            return refuse("written before the last boot");
        if (doc.at("pf") != pf.to_string())
            return refuse(fmt::format("written for PF {}", doc.at("pf").dump()));
        std::vector<pf::VfState> vfs;
        for (const auto& vf : doc.at("vfs"))
            vfs.push_back(vf_state(vf));
        return vfs;
    } catch (const std::exception& e) {
        return refuse(fmt::format("unreadable ({})", e.what()));
    }
}

}  // namespace sriov::sriovd
