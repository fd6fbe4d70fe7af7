// Fuzz target: sriovd's configuration loader (sriovd::parse_config, TOML through toml11).
//
// The input is the text of a configuration file. The loader may refuse it only with sriov::Error
// (any other exception escapes and counts as a crash). A configuration it accepts must be one that
// sriovd can run with: every VF's settings pass VfPolicy's checks, and its state (what the state
// file would hold) encodes, decodes back to the same state and lays over the configuration.
#include "sriovd/config_file.hpp"
#include "sriovd/state_file.hpp"

#include "pf/vf_policy.hpp"
#include "sriov/error.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

using namespace sriov;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    sriovd::DaemonConfig config;
    try {
        config = sriovd::parse_config(text, "fuzz.toml");
    } catch (const Error&) {
        return 0;
    }
    for (const sriovd::DaemonConfig& one : sriovd::all_pfs(config)) {
        if (one.vfs.size() != one.num_vfs || one.drivers.size() != one.num_vfs) {
            std::fprintf(stderr, "fuzz_config: PF %s: %u VFs but %zu settings\n", one.pf.c_str(), one.num_vfs,
                         one.vfs.size());
            std::abort();
        }
        pf::VfPolicy policy(one.num_vfs);
        for (unsigned vf = 0; vf < one.num_vfs; ++vf)
            policy.set_admin(vf, one.vfs[vf]);  // a throw escapes: the loader let a bad setting through

        const sriovd::PfState state = sriovd::state_of(one);
        if (!(sriovd::decode_state(sriovd::encode_state(state), "fuzz.json") == state)) {
            std::fprintf(stderr, "fuzz_config: PF %s: the state of this configuration does not survive "
                                 "encode_state and decode_state\n",
                         one.pf.c_str());
            std::abort();
        }
        std::vector<std::string> notes;
        (void)sriovd::apply_state(one, state, notes);
    }
    return 0;
}
