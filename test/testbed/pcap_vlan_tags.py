#!/usr/bin/env python3
"""Check the 802.1Q tags of what given senders put on a recorded wire (a testbed --pcap file).

    pcap_vlan_tags.py FILE MAC=VID/PCP...

For each MAC=VID/PCP: the file must hold at least one frame from MAC and at least one broadcast
from MAC, and every frame from MAC must carry exactly one 802.1Q tag (TPID 0x8100) with that VID
and priority (PCP). Frames from other senders are counted and otherwise left alone. Exits 0 when
every expectation holds, 1 when one does not, 2 when the file cannot be read.

Used after a scenario in which the PF inserts a port VLAN tag (VMVIR) into a VF's frames: the VF
sends untagged, so a tag on the wire can only come from the PF. Python 3 standard library only.
"""

import struct
import sys
from collections import Counter

BROADCAST = b"\xff" * 6
TPID_8021Q = 0x8100
TPID_8021AD = 0x88A8
LINKTYPE_ETHERNET = 1


def mac_text(b):
    return ":".join(f"{x:02x}" for x in b)


def parse_mac(text):
    parts = text.split(":")
    if len(parts) != 6:
        raise ValueError(f"not a MAC address: {text}")
    return bytes(int(p, 16) for p in parts)


def read_pcap(path):
    """The frames of a classic pcap file (as QEMU's filter-dump writes it), as bytes objects."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError(f"{path}: {len(data)} bytes, too short for a pcap header")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a pcap file (magic {magic.hex()})")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError(f"{path}: link type {linktype}, expected Ethernet ({LINKTYPE_ETHERNET})")
    frames = []
    pos = 24
    while pos + 16 <= len(data):
        incl_len = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        pos += 16
        if pos + incl_len > len(data):
            break   # a record cut short: QEMU was stopped while writing it
        frames.append(data[pos:pos + incl_len])
        pos += incl_len
    return frames


def describe(frame):
    """A short description of an Ethernet frame: its tags and what it carries."""
    if len(frame) < 14:
        return "runt frame"
    words = []
    pos = 12
    ethertype = struct.unpack("!H", frame[pos:pos + 2])[0]
    while ethertype in (TPID_8021Q, TPID_8021AD) and len(frame) >= pos + 6:
        tci = struct.unpack("!H", frame[pos + 2:pos + 4])[0]
        words.append(f"tag {ethertype:#06x} VID {tci & 0xFFF} PCP {tci >> 13}")
        pos += 4
        ethertype = struct.unpack("!H", frame[pos:pos + 2])[0]
    if not words:
        words.append("untagged")
    payload = frame[pos + 2:]
    if ethertype == 0x0806 and len(payload) >= 28:
        op = struct.unpack("!H", payload[6:8])[0]
        sender = ".".join(str(b) for b in payload[14:18])
        target = ".".join(str(b) for b in payload[24:28])
        if op == 1:
            words.append(f"ARP request: who has {target}, tell {sender}")
        else:
            words.append(f"ARP op {op} from {sender}")
    elif ethertype == 0x0800:
        words.append("IPv4")
    elif ethertype == 0x86DD:
        words.append("IPv6")
    else:
        words.append(f"ethertype {ethertype:#06x}")
    return ", ".join(words)


def outer_tags(frame):
    """(TPID, TCI) of each VLAN tag at the start of the frame, outermost first."""
    tags = []
    pos = 12
    while len(frame) >= pos + 4:
        tpid = struct.unpack("!H", frame[pos:pos + 2])[0]
        if tpid not in (TPID_8021Q, TPID_8021AD):
            break
        tags.append((tpid, struct.unpack("!H", frame[pos + 2:pos + 4])[0]))
        pos += 4
    return tags


def check(frames, mac, vid, pcp):
    """Problems found for one sender (an empty list if none); prints what was seen."""
    mine = [(i, f) for i, f in enumerate(frames) if len(f) >= 14 and f[6:12] == mac]
    broadcasts = [(i, f) for i, f in mine if f[0:6] == BROADCAST]
    name = mac_text(mac)
    print(f"{name}: {len(mine)} frames on the wire, {len(broadcasts)} of them broadcast; "
          f"expected tag: VID {vid} PCP {pcp}")
    kinds = Counter(describe(f).split(", ", 1)[0] for _, f in mine)
    for kind, n in sorted(kinds.items()):
        print(f"    {n} x {kind}")
    for i, f in broadcasts[:3]:
        print(f"    broadcast, frame {i}: {describe(f)}")
    problems = []
    if not mine:
        problems.append(f"{name} sent nothing that reached the wire")
    elif not broadcasts:
        problems.append(f"{name} sent no broadcast that reached the wire")
    wrong = [(i, f) for i, f in mine if outer_tags(f) != [(TPID_8021Q, pcp << 13 | vid)]]
    for i, f in wrong[:5]:
        problems.append(f"{name}, frame {i}: {describe(f)}; expected one tag 0x8100 VID {vid} PCP {pcp}")
    if len(wrong) > 5:
        problems.append(f"{name}: {len(wrong) - 5} more frames with a wrong tag")
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = argv[1]
    expectations = []
    try:
        for spec in argv[2:]:
            mac, _, tag = spec.partition("=")
            vid, _, pcp = tag.partition("/")
            vid, pcp = int(vid), int(pcp or 0)
            if not (0 <= vid <= 4095 and 0 <= pcp <= 7):
                raise ValueError(f"VID or PCP out of range in {spec}")
            expectations.append((parse_mac(mac), vid, pcp))
        frames = read_pcap(path)
    except (OSError, ValueError) as e:
        print(f"pcap_vlan_tags: {e}", file=sys.stderr)
        return 2
    senders = Counter(mac_text(f[6:12]) for f in frames if len(f) >= 14)
    print(f"{path}: {len(frames)} frames; by sender: "
          + ", ".join(f"{m} {n}" for m, n in sorted(senders.items())))
    problems = []
    for mac, vid, pcp in expectations:
        problems += check(frames, mac, vid, pcp)
    for p in problems:
        print(f"FAIL: {p}")
    if not problems:
        print("ok: every expected sender's frames left tagged as expected, broadcasts included")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
