// What each VF of one PF was granted through the mailbox (<state dir>/grants-<PF address>.record):
// whether it completed the reset handshake, its MAC, the VLANs and multicast hashes it joined, its
// receive mode and frame size, and whether it is quarantined. A restarted sriovd that finds the
// VFs still running reads it to put all of that back without making the VF drivers reset, since
// igbvf resets itself at most once every 10 s and a restart soon after a reset would otherwise
// cost its traffic that long (issue 15). The file is only good for the boot it was written in
// (the VFs and their drivers do not outlive a reboot), so it carries the kernel's boot ID.
//
// The bytes (version 2; little-endian numbers, a text as its length in one byte then its bytes):
//   "sriovd-grants/2\n", the boot ID (text), the PF's address (text), u16 number of VFs, then per
//   VF: u8 flags (1 clear to send, 2 has a MAC, 4 multicast overflow, 8 all multicast,
//   16 quarantined), 6 bytes of MAC (zeros if none), u16 max_frame, u16 number of VLANs, u16 number
//   of multicast hashes, the VLANs and the hashes as u16 each.
// Binary rather than JSON: it is encoded before the answer to every request that changes what a
// VF holds, and JSON's encoder cost about 0.1 ms of that round trip under emulation (issue 17);
// this one allocates nothing once its buffer has grown. vfctl shows the same facts.
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
#include <string_view>
#include <vector>

namespace sriov::sriovd {

// "grants-0000:00:02.0.record".
std::string grants_file_for(const pci::Address& pf);

// The kernel's boot ID (/proc/sys/kernel/random/boot_id), or "" if it cannot be read.
std::string current_boot_id();

// The record's bytes for vfs, in out (replaced; its capacity is kept, so that encoding into the same
// string again allocates nothing). Never throws (but bad_alloc).
void encode_grants(const std::string& boot_id, const pci::Address& pf, const std::vector<pf::VfState>& vfs,
                   std::string& out);
std::string encode_grants(const std::string& boot_id, const pci::Address& pf, const std::vector<pf::VfState>& vfs);

// What bytes say of pf's VFs, if they were encoded in this boot (boot_id) for pf and are intact;
// otherwise nothing, and why in *why. Never throws (but bad_alloc).
std::optional<std::vector<pf::VfState>> decode_grants(std::string_view bytes, const std::string& boot_id,
                                                      const pci::Address& pf, std::string* why);

// What the record at path says of pf's VFs, if it was written in this boot (boot_id) for pf and
// is intact; otherwise nothing, and why in *why ("no such file", "written before the last boot", ...).
// Never throws (but bad_alloc).
std::optional<std::vector<pf::VfState>> load_grants(const std::filesystem::path& path, const std::string& boot_id,
                                                    const pci::Address& pf, std::string* why);

}  // namespace sriov::sriovd
