// Fuzz target: sriovd's state-file reader (sriovd::decode_state) and what it feeds
// (sriovd::apply_state, then VfPolicy as sriovd's PfManager does it).
//
// The input is the text of a state file. It is read twice:
//   - as it is, which mostly exercises the JSON parser and the envelope's checks, since a
//     mutation rarely keeps the checksum right;
//   - if it is a JSON object with a "body", with its "checksum" made right for that body (FNV-1a
//     of the body's compact dump, as state_file.hpp documents), so that the body's own checks,
//     and apply_state on what passes them, are reached too.
// decode_state and apply_state may refuse a file only with sriov::Error; any other exception
// escapes and counts as a crash. What apply_state returns is checked by VfPolicy::set_admin as
// sriovd does, where a refusal is a sriov::Error too (sriovd then stops with the reason).
#include "sriovd/config_file.hpp"
#include "sriovd/state_file.hpp"

#include "pf/vf_policy.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace sriov;

namespace {

std::string fnv1a64_checksum(const std::string& text)
{
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 0x100000001b3ull;
    }
    return fmt::format("fnv1a64:{:016x}", hash);
}

// Two configurations to lay a state over: the PF of the seed files with 2 VFs, and with 7 VFs.
std::vector<sriovd::DaemonConfig> configurations()
{
    std::vector<sriovd::DaemonConfig> out;
    for (unsigned n : {2u, 7u}) {
        sriovd::DaemonConfig c;
        c.pf = "0000:00:02.0";
        c.num_vfs = n;
        c.vfs.assign(n, pf::VfAdmin{});
        c.drivers.assign(n, std::string());
        c.vfs[0].mac = MacAddress({0x02, 0x11, 0x22, 0x33, 0x44, 0x55});
        c.drivers[0] = "igbvf";
        out.push_back(std::move(c));
    }
    return out;
}

void read(std::string_view text)
{
    static const std::vector<sriovd::DaemonConfig> configs = configurations();
    sriovd::PfState state;
    try {
        state = sriovd::decode_state(text, "fuzz.json");
    } catch (const Error&) {
        return;
    }
    for (const auto& config : configs) {
        try {
            std::vector<std::string> notes;
            const auto [merged, saved] = sriovd::apply_state(config, state, notes);
            pf::VfPolicy policy(merged.num_vfs);
            for (unsigned vf = 0; vf < merged.num_vfs; ++vf)
                policy.set_admin(vf, merged.vfs.at(vf));
            (void)sriovd::encode_state(saved);
        } catch (const Error&) {
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    read(text);

    nlohmann::json file = nlohmann::json::parse(text, nullptr, false);
    if (file.is_discarded() || !file.is_object() || !file.contains("body"))
        return 0;
    file["checksum"] = fnv1a64_checksum(file["body"].dump());
    read(file.dump());
    return 0;
}
