#include "vf_grants_file.hpp"

#include "grants_record.hpp"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

namespace sriov::sriovd {

namespace {

constexpr std::string_view magic = "sriovd-grants/2\n";

// The flags byte of a VF.
enum : std::uint8_t {
    flag_clear_to_send = 1u << 0,
    flag_mac = 1u << 1,
    flag_multicast_overflow = 1u << 2,
    flag_multicast_promisc = 1u << 3,
    flag_quarantined = 1u << 4,
    known_flags = (1u << 5) - 1,
};

void put8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }

void put16(std::string& out, std::uint16_t v)
{
    put8(out, static_cast<std::uint8_t>(v & 0xff));
    put8(out, static_cast<std::uint8_t>(v >> 8));
}

void put_text(std::string& out, std::string_view text)
{
    put8(out, static_cast<std::uint8_t>(text.size()));
    out.append(text);
}

// Reads what put*() wrote; throws std::out_of_range past the end.
class Reader {
public:
    explicit Reader(std::string_view bytes) : bytes_(bytes) {}

    std::uint8_t u8()
    {
        if (bytes_.empty())
            throw std::out_of_range("cut short");
        const auto v = static_cast<std::uint8_t>(bytes_.front());
        bytes_.remove_prefix(1);
        return v;
    }
    std::uint16_t u16()
    {
        const std::uint16_t low = u8();
        return static_cast<std::uint16_t>(low | (u8() << 8));
    }
    std::string_view text(std::size_t n)
    {
        if (bytes_.size() < n)
            throw std::out_of_range("cut short");
        const std::string_view t = bytes_.substr(0, n);
        bytes_.remove_prefix(n);
        return t;
    }
    bool done() const { return bytes_.empty(); }

private:
    std::string_view bytes_;
};

std::vector<std::uint16_t> u16_list(Reader& in, std::size_t n)
{
    std::vector<std::uint16_t> list;
    list.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        list.push_back(in.u16());
    return list;
}

pf::VfState vf_state(Reader& in)
{
    pf::VfState s;
    const std::uint8_t flags = in.u8();
    if ((flags & ~known_flags) != 0)
        throw std::invalid_argument(fmt::format("unknown flags {:#04x}", flags));
    MacAddress::Bytes mac{};
    for (auto& b : mac)
        b = in.u8();
    s.clear_to_send = (flags & flag_clear_to_send) != 0;
    if (flags & flag_mac)
        s.mac = MacAddress(mac);
    s.multicast_overflow = (flags & flag_multicast_overflow) != 0;
    s.multicast_promisc = (flags & flag_multicast_promisc) != 0;
    s.quarantined = (flags & flag_quarantined) != 0;
    s.max_frame = in.u16();
    const std::uint16_t vlans = in.u16();
    const std::uint16_t hashes = in.u16();
    s.vlans = u16_list(in, vlans);
    s.multicast = u16_list(in, hashes);
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

void encode_grants(const std::string& boot_id, const pci::Address& pf, const std::vector<pf::VfState>& vfs,
                   std::string& out)
{
    out.clear();
    out.append(magic);
    put_text(out, std::string_view(boot_id).substr(0, 255));
    char address[32];
    const auto end = fmt::format_to_n(address, sizeof address, "{}", pf);
    put_text(out, std::string_view(address, std::min(end.size, sizeof address)));
    put16(out, static_cast<std::uint16_t>(vfs.size()));
    for (const auto& s : vfs) {
        std::uint8_t flags = 0;
        if (s.clear_to_send)
            flags |= flag_clear_to_send;
        if (s.mac)
            flags |= flag_mac;
        if (s.multicast_overflow)
            flags |= flag_multicast_overflow;
        if (s.multicast_promisc)
            flags |= flag_multicast_promisc;
        if (s.quarantined)
            flags |= flag_quarantined;
        put8(out, flags);
        for (const std::uint8_t b : s.mac ? s.mac->bytes() : MacAddress::Bytes{})
            put8(out, b);
        put16(out, s.max_frame);
        put16(out, static_cast<std::uint16_t>(s.vlans.size()));
        put16(out, static_cast<std::uint16_t>(s.multicast.size()));
        for (const std::uint16_t v : s.vlans)
            put16(out, v);
        for (const std::uint16_t h : s.multicast)
            put16(out, h);
    }
}

std::string encode_grants(const std::string& boot_id, const pci::Address& pf, const std::vector<pf::VfState>& vfs)
{
    std::string out;
    encode_grants(boot_id, pf, vfs, out);
    return out;
}

std::optional<std::vector<pf::VfState>> decode_grants(std::string_view bytes, const std::string& boot_id,
                                                      const pci::Address& pf, std::string* why)
{
    auto refuse = [&](std::string reason) -> std::optional<std::vector<pf::VfState>> {
        if (why)
            *why = std::move(reason);
        return std::nullopt;
    };
    if (!bytes.starts_with(magic))
        return refuse("not grants of this version");
    try {
        Reader in(bytes.substr(magic.size()));
        const std::string_view written_boot = in.text(in.u8());
        const std::string_view written_pf = in.text(in.u8());
        if (boot_id.empty() || written_boot != boot_id)
            return refuse("written before the last boot");
        if (written_pf != pf.to_string())
            return refuse(fmt::format("written for PF {}", written_pf));
        const std::uint16_t n = in.u16();
        std::vector<pf::VfState> vfs;
        for (unsigned vf = 0; vf < n; ++vf)
            vfs.push_back(vf_state(in));
        if (!in.done())
            throw std::invalid_argument("bytes left after the last VF");
        return vfs;
    } catch (const std::exception& e) {
        return refuse(fmt::format("unreadable ({})", e.what()));
    }
}

std::optional<std::vector<pf::VfState>> load_grants(const std::filesystem::path& path, const std::string& boot_id,
                                                    const pci::Address& pf, std::string* why)
{
    std::string why_not;
    const std::optional<std::string> bytes = read_grants_record(path, &why_not);
    if (!bytes) {
        if (why)
            *why = std::move(why_not);
        return std::nullopt;
    }
    return decode_grants(*bytes, boot_id, pf, why);
}

}  // namespace sriov::sriovd
