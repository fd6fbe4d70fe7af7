// What each VF of one PF was granted through the mailbox (<state dir>/grants-<PF address>.record):
// whether it completed the reset handshake, its MAC, the VLANs and multicast hashes it joined, its
// receive mode and frame size, and whether it is quarantined. A restarted sriovd that finds the
// VFs still running reads it to put all of that back without making the VF drivers reset, since
// igbvf resets itself at most once every 10 s and a restart soon after a reset would otherwise
// cost its traffic that long (issue 15). The file is only good for the boot it was written in
// (the VFs and their drivers do not outlive a reboot), so it carries the kernel's boot ID.
//
// The text, one JSON object (version 1):
//   {"format": "sriovd-grants", "version": 1, "boot_id": "<uuid>", "pf": "0000:00:02.0",
//    "vfs": [{"clear_to_send": true, "mac": "02:11:22:33:44:55" or null, "vlans": [10],
//             "multicast": [1234], "multicast_overflow": false, "multicast_promisc": false,
//             "max_frame": 0, "quarantined": false}, ...]}
//
// It is kept in a memory-mapped record (grants_record.hpp), replaced before the VF is answered
// whenever what a VF holds changed, so that sriovd never answers a request it could forget in a
// crash, without a system call on the way to the answer. A missing, foreign, stale or unreadable
// record is never an error: the VFs are then made to reset, as without it.
#pragma once

#include "pf/vf_state.hpp"
#include "vfio/pci_address.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sriov::sriovd {

// "grants-0000:00:02.0.record".
std::string grants_file_for(const pci::Address& pf);

// The kernel's boot ID (/proc/sys/kernel/random/boot_id), or "" if it cannot be read.
std::string current_boot_id();

// The file's text for vfs. Never throws (but bad_alloc).
std::string encode_grants(const std::string& boot_id, const pci::Address& pf, const std::vector<pf::VfState>& vfs);

// What the record at path says of pf's VFs, if it was written in this boot (boot_id) for pf and
// is intact; otherwise nothing, and why in *why ("no such file", "written before the last boot", ...).
// Never throws (but bad_alloc).
std::optional<std::vector<pf::VfState>> load_grants(const std::filesystem::path& path, const std::string& boot_id,
                                                    const pci::Address& pf, std::string* why);

}  // namespace sriov::sriovd
