#!/usr/bin/env python3
"""Check what sriovd served as metrics against what vfctl showed at the same moment.

    check_metrics.py PINGS SIZE

Reads the console log of testbed.sriovd_metrics ($TB_CONSOLE), in which the scenario printed,
between "==== sriovd_metrics: begin NAME ====" and "... end NAME ====" lines, `vfctl -j -s show
PF` (stats), `vfctl -j status` (status) and a scrape of sriovd's /metrics (scrape), taken while
no counter moved. Then:
  - every figure vfctl shows for a VF and every mailbox counter of the status has its sample in
    the scrape with the same value, and the scrape has no per-VF or mailbox sample vfctl lacks;
  - the burst is counted: VF 0 sent and received at least PINGS frames of at least SIZE bytes of
    payload, and so did VF 1; each VF sent mailbox requests;
  - `promtool check metrics` (Debian's prometheus package) finds nothing in the scrape: no
    format error and no lint problem (it exits 0 and prints nothing).
Exits 0 when all hold, 1 when one does not, 2 when the log or promtool is missing.
Python 3 standard library only.
"""

import json
import os
import re
import shutil
import subprocess
import sys

# vfctl's key for a VF figure -> the metric's name (README, "Metrics").
VF_METRICS = {
    "rx_packets": "sriovd_vf_rx_packets_total",
    "rx_bytes": "sriovd_vf_rx_bytes_total",
    "tx_packets": "sriovd_vf_tx_packets_total",
    "tx_bytes": "sriovd_vf_tx_bytes_total",
    "rx_multicast": "sriovd_vf_rx_multicast_packets_total",
    "mailbox_requests": "sriovd_vf_mailbox_requests_total",
    "refused": "sriovd_vf_mailbox_refused_total",
    "malformed": "sriovd_vf_mailbox_malformed_total",
    "dropped": "sriovd_vf_mailbox_dropped_total",
    "quarantines": "sriovd_vf_quarantines_total",
    "quarantined": "sriovd_vf_quarantined",
}
# vfctl status's "mailbox" key -> the metric's name: sriovd_mailbox_KEY_total but for these.
MAILBOX_METRICS = {"vf_resets": "sriovd_vf_resets_total", "log_suppressed": "sriovd_log_suppressed_total"}
# Ethernet, IPv4 and ICMP headers around an echo request's payload.
HEADERS = 14 + 20 + 8

SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')
MARK_RE = re.compile(r"^==== sriovd_metrics: (begin|end) (\w+) ====$")

problems = []


def problem(text):
    problems.append(text)
    print(f"check_metrics: FAIL: {text}")


def sections(path):
    """The scenario's sections in the console log, by name, as text."""
    found, name, lines = {}, None, []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = MARK_RE.match(line)
            if m and m.group(1) == "begin":
                name, lines = m.group(2), []
            elif m and name == m.group(2):
                found[name] = "".join(x + "\n" for x in lines)
                name = None
            elif name:
                lines.append(line)
    return found


def samples(scrape):
    """{(name, frozenset of labels): value} of the exposition's samples."""
    out = {}
    for line in scrape.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            problem(f"not a sample line: {line!r}")
            continue
        labels = frozenset(LABEL_RE.findall(m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def expect(what, got, want):
    if got is None:
        problem(f"{what}: no such sample in the scrape (vfctl shows {want})")
    elif got != want:
        problem(f"{what}: the scrape says {got:g}, vfctl {want}")


def compare(stats, status, scraped):
    """Every figure of vfctl's answers against its sample; returns how many were compared."""
    compared = 0
    seen = set()
    for vf in stats["vfs"]:
        labels = frozenset({("pf", vf["pf"]), ("vf", str(vf["vf"]))})
        for key, value in vf.items():
            if key in ("pf", "vf"):
                continue
            name = VF_METRICS.get(key)
            if name is None:
                problem(f"VF {vf['vf']}: vfctl shows {key}, which has no metric here")
                continue
            want = int(value) if isinstance(value, bool) else value
            expect(f"{name} of VF {vf['vf']}", scraped.get((name, labels)), want)
            seen.add((name, labels))
            compared += 1
    for key, value in status["mailbox"].items():
        name = MAILBOX_METRICS.get(key, f"sriovd_mailbox_{key}_total")
        expect(name, scraped.get((name, frozenset())), value)
        seen.add((name, frozenset()))
        compared += 1
    for name, labels in scraped:
        by_vf = name.startswith("sriovd_vf_")
        if (by_vf or name.startswith("sriovd_mailbox_")) and (name, labels) not in seen:
            problem(f"the scrape has {name}{{{','.join(f'{k}={v}' for k, v in sorted(labels))}}}, vfctl does not")
    return compared


def check_burst(stats, pings, size):
    vfs = {vf["vf"]: vf for vf in stats["vfs"]}
    for n in (0, 1):
        vf = vfs.get(n)
        if vf is None:
            problem(f"vfctl shows no VF {n}")
            continue
        for key in ("rx_packets", "tx_packets"):
            if vf.get(key, 0) < pings:
                problem(f"VF {n}'s {key} is {vf.get(key)}, fewer than the {pings} echo frames it carried")
        for key in ("rx_bytes", "tx_bytes"):
            if vf.get(key, 0) < pings * (size + HEADERS):
                problem(f"VF {n}'s {key} is {vf.get(key)}, fewer than {pings} frames of {size + HEADERS} bytes")
        if vf.get("mailbox_requests", 0) == 0:
            problem(f"VF {n} sent no mailbox requests, yet igbvf drives it")
        print(f"check_metrics: VF {n}: rx {vf.get('rx_packets')} frames {vf.get('rx_bytes')} bytes, "
              f"tx {vf.get('tx_packets')} frames {vf.get('tx_bytes')} bytes, "
              f"{vf.get('mailbox_requests')} mailbox requests")


def promtool(scrape):
    exe = shutil.which("promtool")
    if exe is None:
        print("check_metrics: promtool not found: install Debian's prometheus package (tools/setup.sh)")
        sys.exit(2)
    run = subprocess.run([exe, "check", "metrics"], input=scrape, text=True, capture_output=True)
    said = (run.stdout + run.stderr).strip()
    if run.returncode != 0 or said:
        problem(f"promtool check metrics exited {run.returncode}: {said}")
    else:
        print(f"check_metrics: promtool check metrics: no problem in {len(scrape.splitlines())} lines")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    pings, size = int(sys.argv[1]), int(sys.argv[2])
    console = os.environ.get("TB_CONSOLE")
    if not console or not os.path.exists(console):
        print("check_metrics: no console log: run under the testbed harness's --check (TB_CONSOLE)")
        return 2
    found = sections(console)
    missing = [n for n in ("stats", "status", "scrape") if n not in found]
    if missing:
        print(f"check_metrics: the console log lacks the section(s) {', '.join(missing)}")
        return 1
    stats, status = json.loads(found["stats"]), json.loads(found["status"])
    compared = compare(stats, status, samples(found["scrape"]))
    print(f"check_metrics: {compared} figures compared with vfctl's")
    check_burst(stats, pings, size)
    promtool(found["scrape"])
    if problems:
        print(f"check_metrics: {len(problems)} problem(s)")
        return 1
    print("check_metrics: the scrape equals vfctl's view, and promtool accepts it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
