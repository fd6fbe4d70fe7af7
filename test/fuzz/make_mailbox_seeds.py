#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_mailbox (corpus/mailbox/) in the input layout that
fuzz_mailbox.cpp describes: a PF, the administrator's settings of each VF, then events.
The words are those igbvf really sends (test/unit/mbx_igbvf_capture_test.cpp) plus requests a
hostile VF might send. Run it again after changing the layout: python3 test/fuzz/make_mailbox_seeds.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "mailbox")

# Event kinds (fuzz_mailbox.cpp): the low 3 bits; the VF is in the bits above.
MESSAGE, ACK, RESET, WAIT, OPERATOR, ADMIN = 0, 3, 4, 5, 6, 7

# igbvf's bring-up, as captured in the testbed.
VF_RESET = [0x00000001]
SET_MAC = [0x00000002, 0x33221102, 0x00005544]  # 02:11:22:33:44:55
SET_LPE_1522 = [0x00000005, 0x000005F2]
CLEAR_FILTERS = [0x00010002, 0, 0]
MULTICAST_3 = [0x00030003, 0x00100010, 0x00000554]
SET_VLAN_100 = [0x00010004, 100]
PROMISC_MULTICAST = [0x00020006]


def pf(num_vfs, vlan_entries=32, rate=20, burst=64, malformed=10, refused=30, dropped=63):
    return bytes([num_vfs - 1, vlan_entries - 1, rate - 1, burst - 1, malformed, refused, dropped])


def admin(mac=None, trusted=False, port_vlan=None, qos=0, allowed=None, spoof=True, link=0,
          frame=0, multicast=30):
    """Six bytes: flags, MAC byte, VLAN word, frame-size byte, multicast limit."""
    flags = (0x01 if mac is not None else 0) | (0x02 if trusted else 0) | (0x10 if spoof else 0)
    flags |= (link & 3) << 5
    vlan = 0
    if port_vlan is not None:
        flags |= 0x04
        vlan = ((port_vlan - 1) & 0x0FFF) | (qos << 13)
    elif allowed is not None:  # two VIDs: the low 12 bits and the top 4 bits of the word
        flags |= 0x08
        vlan = (allowed[0] & 0x0FFF) | (allowed[1] & 0xF) << 12
    return bytes([flags, mac or 0]) + struct.pack("<H", vlan) + bytes([frame, multicast])


def event(kind, vf=0):
    return bytes([kind | vf << 3])


def message(words, vf=0):
    return event(MESSAGE, vf) + bytes([len(words)]) + b"".join(struct.pack("<I", w) for w in words)


def wait(tens_of_ms, vf=0):
    return event(WAIT, vf) + bytes([tens_of_ms])


SEEDS = {
    # igbvf comes up on VF 0 with the MAC it was given, then joins groups and VLAN 100.
    "igbvf-bring-up": pf(2) + admin(mac=0x55) + admin()
    + message(VF_RESET) + event(ACK) + message(SET_MAC) + message(SET_LPE_1522)
    + message(CLEAR_FILTERS) + message(MULTICAST_3) + message(SET_VLAN_100) + event(ACK),
    # A trusted VF changes its MAC and asks for all multicast.
    "trusted-vf": pf(1) + admin(mac=0x10, trusted=True)
    + message(VF_RESET) + message([0x00000002, 0xCCBBAA02, 0x0000EEDD]) + message(PROMISC_MULTICAST),
    # An untrusted VF under port VLAN 100 tries another MAC, VLAN 200 and all multicast: refused.
    "port-vlan-vf": pf(2) + admin() + admin(mac=0x66, port_vlan=100, qos=3)
    + message(VF_RESET, 1) + message([0x00000002, 0xCCBBAA02, 0x0000EEDD], 1)
    + message([0x00010004, 200], 1) + message(PROMISC_MULTICAST, 1),
    # Allowed VLANs 10 and 5: joins 10, is refused 300.
    "allowed-vlans": pf(1) + admin(allowed=(10, 5))
    + message(VF_RESET) + message([0x00010004, 10]) + message([0x00010004, 300])
    + message([0x00000004, 10]),
    # Requests before VF_RESET, acknowledgements while not clear to send, two seconds apart.
    "before-reset": pf(1) + admin(mac=0x01)
    + message(SET_MAC) + event(ACK) + wait(250) + event(ACK) + message(SET_VLAN_100),
    # Malformed words until the VF is quarantined; it resets; the operator releases it.
    "malformed-flood": pf(2, malformed=2) + admin(mac=0x01) + admin(mac=0x02)
    + message(VF_RESET) + message([0x1F000001]) + message([0x00000007])
    + message([0x00000004]) + message([0xFFFFFFFF] * 16) + event(RESET) + message(VF_RESET)
    + event(OPERATOR) + message(VF_RESET),
    # Empty, too long, an answer left in the buffer, and CTS set by the VF.
    "odd-lengths": pf(1) + admin()
    + message(VF_RESET) + message([]) + message([0x00000003] + [0] * 16)
    + message([0x80000002, 0, 0]) + message([0x20000005, 1522]),
    # More requests than the rate allows, then a pause; the administrator then disables the link.
    "rate-and-admin": pf(3, rate=1, burst=2, dropped=3) + admin() + admin() + admin(trusted=True)
    + message(VF_RESET, 2) + message(SET_LPE_1522, 2) + message(SET_LPE_1522, 2)
    + message(SET_LPE_1522, 2) + wait(200) + event(ADMIN, 2) + admin(mac=0x33, link=2)
    + event(ACK, 2) + message(VF_RESET, 2),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
