#!/usr/bin/env python3
"""The sriov-stack testbed: run a scenario script in a QEMU guest with emulated Intel 82576 NICs.

    testbed.py fetch [--refresh]
        Download the guest kernel (Debian bookworm-backports) and keep it, with the few modules the
        guest needs, in the cache directory ($SRIOV_TESTBED_CACHE, by default
        ~/.cache/sriov-stack/testbed). Does nothing when already done.

    testbed.py run [options] SCENARIO [ARGS...]
        Build an initramfs (busybox, iproute2's ip and tc, ethtool, the modules, the --bin
        programs, SCENARIO as /scenario.sh) and boot it. The guest console streams to stdout;
        the exit status is the scenario's.

    testbed.py shell [options]
        The same guest with an interactive shell on the console instead of a scenario.

See README.md next to this file. Python 3 standard library only.
"""

import argparse
import ctypes
import fcntl
import gzip
import json
import lzma
import os
import re
import select
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# The guest kernel: the metapackage's dependency in this suite names the real package.
KERNEL_SUITE = "bookworm-backports"
KERNEL_METAPACKAGE = "linux-image-amd64"

# Modules kept for the guest (their dependencies are added automatically).
GUEST_MODULES = [
    "irqbypass", "vfio", "vfio_iommu_type1", "vfio_pci_core", "vfio_pci",  # the VFIO stack
    "igb", "igbvf",                                                        # the kernel's drivers
    "veth", "dummy", "8021q",                                              # test networking
    "virtio_net",                                                          # --standby's NIC (virtio_pci is built in)
    "sch_netem",                                                           # a queueing discipline that loses frames
]

MAX_PFS = 3           # PFs sit at slots 2, 4, 6: their VFs then use slots 0x12-0x17, never a PF's
STANDBY_SLOT = 0x1e   # --standby's virtio-net NIC: outside the PFs' and the VFs' slots
STATUS_TIMEOUT = 124  # our exit status when the scenario ran out of time
STATUS_NO_EXIT = 125  # ... when the guest stopped without reporting the scenario's status
STATUS_ERROR = 2      # ... when the harness itself could not do its job

EXIT_RE = re.compile(r"@@testbed-exit (\d+)")
INIT_RE = re.compile(r"@@testbed-init ([\d.]+)")
MONITOR_RE = re.compile(r"@@monitor (.*)$")
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][AB012]|\x1b[c78]")
KERNEL_LINE_RE = re.compile(r"\[\s*\d+\.\d{6}\] ")   # a kernel message on the console
# QEMU's warning for a NIC on a hub of its own: that is what the testbed wants.
HUB_WARNING_RE = re.compile(r"warning: hub \d+ is not connected to host network")
# QEMU itself failing an assertion (then it aborts): an emulator bug, not the scenario's doing.
# Seen with QEMU 10.0 under TCG as "system/physmem.c:2678: iotlb_to_section: Assertion
# `section_index < d->map.sections_nb' failed", now and then, in scenarios that pass on rerun.
QEMU_ASSERT_RE = re.compile(r"^qemu-system-\S+: \S+: .*Assertion .* failed")
# The guest kernel saying a vCPU's timer stopped firing (an RCU stall on an idle CPU whose timer
# wake-up never came): the emulated machine has stopped keeping time on that CPU, and nothing
# the scenario's user-space programs do can cause it. Seen once in a full run, in a scenario
# that then passed three times in a row.
GUEST_TIMER_STALL_RE = re.compile(r"rcu: rcu_preempt kthread timer wakeup didn't happen")
# How long the machine may take from QEMU's start to the scenario's /init (@@testbed-init). The
# slowest boots of a full run reach /init after 10 s (the Debian root with systemd); once, in CI,
# a guest printed the firmware's "SeaBIOS" banner and then nothing until the 420 s timeout: the
# emulator hung before the kernel ran, which no scenario can cause.
BOOT_LIMIT = 120
EMULATOR_FAILURE_RETRIES = 1   # boots again after a QEMU abort, a guest timer stall or a boot that
                               # never reached /init, at most this many times


class HarnessError(Exception):
    """Something the harness could not do; the message says what and, if possible, how to fix."""


def say(msg):
    print(f"testbed: {msg}", flush=True)


def cache_dir():
    default = os.path.join(os.path.expanduser("~"), ".cache", "sriov-stack", "testbed")
    return os.environ.get("SRIOV_TESTBED_CACHE") or default


def run_cmd(cmd, what, **kw):
    """Run a command; on failure raise HarnessError with its output."""
    try:
        return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout
    except FileNotFoundError:
        raise HarnessError(f"{what}: {cmd[0]} not found (run tools/setup.sh)") from None
    except subprocess.CalledProcessError as e:
        out = (e.stdout or "") + (e.stderr or "")
        raise HarnessError(f"{what} failed: {shlex.join(cmd)}\n{out.strip()}") from None


# ---------------------------------------------------------------------------------------------
# fetch: the guest kernel and its modules, cached
# ---------------------------------------------------------------------------------------------

def kernel_info_path():
    return os.path.join(cache_dir(), "kernel.json")


def load_kernel_info():
    """The cached kernel's description, or None if it is missing or incomplete."""
    try:
        with open(kernel_info_path()) as f:
            info = json.load(f)
    except (OSError, ValueError):
        return None
    base = cache_dir()
    info["vmlinuz"] = os.path.join(base, info["dir"], "vmlinuz")
    info["modroot"] = os.path.join(base, info["dir"], "root")
    if not (os.path.isfile(info["vmlinuz"]) and os.path.isdir(info["modroot"])):
        return None
    # A cache made for another list of modules is stale: fetch again.
    if info.get("wanted") != GUEST_MODULES:
        return None
    return info


def find_kernel_package():
    out = run_cmd(["apt-cache", "depends", "-t", KERNEL_SUITE, KERNEL_METAPACKAGE],
                  "looking up the guest kernel package")
    m = re.search(r"Depends:\s*(linux-image-\S+)", out)
    if not m:
        raise HarnessError(f"{KERNEL_METAPACKAGE} in {KERNEL_SUITE} names no kernel package; is "
                           f"{KERNEL_SUITE} in the apt sources and `apt-get update` done? "
                           f"(tools/setup.sh does both)")
    return m.group(1)


def module_index(moddir):
    """Map module name (with '_') -> path relative to moddir of every .ko[.xz] under it."""
    index = {}
    for dirpath, _, files in os.walk(moddir):
        for f in files:
            m = re.match(r"(.+)\.ko(\.xz)?$", f)
            if m:
                index[m.group(1).replace("-", "_")] = os.path.relpath(os.path.join(dirpath, f), moddir)
    return index


def module_closure(moddir, index, wanted):
    """The wanted modules plus everything they depend on (modinfo's `depends`)."""
    todo, seen = list(wanted), set()
    while todo:
        name = todo.pop().replace("-", "_")
        if name in seen:
            continue
        if name not in index:
            raise HarnessError(f"the guest kernel has no module {name} (built in? renamed?)")
        seen.add(name)
        deps = run_cmd(["modinfo", "-F", "depends", os.path.join(moddir, index[name])],
                       f"reading the dependencies of {name}").strip()
        todo += [d for d in deps.split(",") if d]
    return sorted(seen)


def fetch_once(args, load, describe, build):
    """What fetch and fetch-root share: under the cache's lock (two ctest runs may start together;
    the second finds the first one's result), BUILD(cache dir) unless LOAD() finds it done (then
    say DESCRIBE(what LOAD returned)); --refresh builds it again."""
    base = cache_dir()
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        info = load()
        if info and not args.refresh:
            say(f"{describe(info)} is cached in {base}")
            return 0
        return build(base)


def cmd_fetch(args):
    return fetch_once(args, load_kernel_info,
                      lambda info: f"guest kernel {info['version']} ({info['package']})", fetch_kernel)


def fetch_kernel(base):
    """Download, unpack and trim the kernel package into BASE (the caller holds the lock)."""
    say(f"finding the guest kernel package in {KERNEL_SUITE}")
    package = find_kernel_package()
    work = tempfile.mkdtemp(prefix="fetch-", dir=base)
    try:
        say(f"downloading {package} (about 100 MB)")
        apt = ["apt-get", "download", "-q", "-t", KERNEL_SUITE, package]
        if os.geteuid() == 0:
            apt[1:1] = ["-o", "APT::Sandbox::User=root"]   # root: no _apt user for a private dir
        run_cmd(apt, f"downloading {package}", cwd=work)
        debs = [f for f in os.listdir(work) if f.endswith(".deb")]
        if len(debs) != 1:
            raise HarnessError(f"apt-get download left {debs or 'no .deb'} in {work}")

        say(f"unpacking {debs[0]}")
        unpacked = os.path.join(work, "unpacked")
        run_cmd(["dpkg", "-x", os.path.join(work, debs[0]), unpacked], "unpacking the kernel")
        versions = os.listdir(os.path.join(unpacked, "lib", "modules"))
        if len(versions) != 1:
            raise HarnessError(f"expected one kernel in {debs[0]}, found {versions}")
        kver = versions[0]
        src_mod = os.path.join(unpacked, "lib", "modules", kver)

        dest = os.path.join(work, "kernel")
        dst_mod = os.path.join(dest, "root", "lib", "modules", kver)
        os.makedirs(dst_mod)
        shutil.copy(os.path.join(unpacked, "boot", f"vmlinuz-{kver}"), os.path.join(dest, "vmlinuz"))
        shutil.copy(os.path.join(unpacked, "boot", f"config-{kver}"), os.path.join(dest, "config"))

        index = module_index(src_mod)
        modules = module_closure(src_mod, index, GUEST_MODULES)
        say(f"keeping {len(modules)} modules, decompressed: {' '.join(modules)}")
        for name in modules:
            rel = index[name]
            out = os.path.join(dst_mod, rel[:-3] if rel.endswith(".xz") else rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            opener = lzma.open if rel.endswith(".xz") else open
            with opener(os.path.join(src_mod, rel), "rb") as fin, open(out, "wb") as fout:
                shutil.copyfileobj(fin, fout)
        for f in ("modules.builtin", "modules.builtin.modinfo"):
            shutil.copy(os.path.join(src_mod, f), dst_mod)
        kept = {index[name][:-3] if index[name].endswith(".xz") else index[name] for name in modules}
        with open(os.path.join(src_mod, "modules.order")) as fin, \
             open(os.path.join(dst_mod, "modules.order"), "w") as fout:
            fout.writelines(line for line in fin if line.strip() in kept)
        run_cmd(["depmod", "-b", os.path.join(dest, "root"), kver], "running depmod")

        # Put the result in place, then describe it: kernel.json appears only when all is there.
        final = f"kernel-{kver}"
        shutil.rmtree(os.path.join(base, final), ignore_errors=True)
        os.rename(dest, os.path.join(base, final))
        tmp_info = os.path.join(work, "kernel.json")
        with open(tmp_info, "w") as f:
            json.dump({"package": package, "version": kver, "dir": final, "modules": modules,
                       "wanted": GUEST_MODULES}, f,
                      indent=2)
        os.replace(tmp_info, kernel_info_path())
        say(f"guest kernel {kver} is ready in {os.path.join(base, final)}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# fetch-root: a Debian root file system with systemd and udev, cached (for --systemd)
# ---------------------------------------------------------------------------------------------

ROOT_SUITE = "bookworm"
# What a host with systemd and udev needs, and what scenarios check with: apt installs the
# project's packages from the local repository (--deb), driverctl hands PFs to a driver at boot,
# ping and ps look at their effect. Whatever our packages depend on beyond this is not here on
# purpose: it must come from their declared dependencies.
ROOT_PACKAGES = ["systemd", "systemd-sysv", "udev", "kmod", "iproute2", "apt", "iputils-ping",
                 "procps", "driverctl"]
# Left out of the cached root: documentation, translations and apt's caches (the guest installs
# from the local repository only, so it needs no package lists of the mirror).
ROOT_PRUNED = ["usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale",
               "var/cache/apt", "var/lib/apt/lists", "etc/apt/sources.list"]


def root_info_path():
    return os.path.join(cache_dir(), "root.json")


def load_root_info():
    """The cached Debian root's description, or None if it is missing, incomplete or was made for
    another list of packages."""
    try:
        with open(root_info_path()) as f:
            info = json.load(f)
    except (OSError, ValueError):
        return None
    info["cpio"] = os.path.join(cache_dir(), info["cpio"])
    info["status"] = os.path.join(cache_dir(), info["status"])
    if not (os.path.isfile(info["cpio"]) and os.path.isfile(info["status"])):
        return None
    return info if info.get("packages") == ROOT_PACKAGES else None


def cmd_fetch_root(args):
    if os.geteuid() != 0 and (args.refresh or not load_root_info()):
        # mmdebstrap needs root: as tools/setup.sh does, ask sudo (without a password prompt).
        say("building the Debian root needs root: running fetch-root through sudo")
        cmd = ["sudo", "-n", "env", f"SRIOV_TESTBED_CACHE={cache_dir()}", sys.executable,
               os.path.abspath(__file__), "fetch-root"] + (["--refresh"] if args.refresh else [])
        if subprocess.run(cmd).returncode != 0:
            raise HarnessError("fetch-root through sudo failed: run it as root "
                               "(sudo tools/testbed/testbed.py fetch-root)")
        return 0
    return fetch_once(args, load_root_info,
                      lambda info: f"Debian root file system ({info['size_mb']} MB)", build_root)


def build_root(base):
    """mmdebstrap a minbase ROOT_SUITE with ROOT_PACKAGES, trim it and pack it as an uncompressed
    cpio archive (the guest's initramfs, with a small per-run archive after it); keep its dpkg
    status, against which the local repository's missing dependencies are resolved.
    mmdebstrap rather than debootstrap: it has apt download and install everything in one go
    (3.2 min here where debootstrap took 6.4 min, on a busy machine), and with eatmydata it took
    71 s where it took 139 s without, the machine as busy both times."""
    mirror = run_cmd(["sh", os.path.join(HERE, "..", "debian-mirror.sh")],
                     "finding the Debian mirror").strip()
    work = tempfile.mkdtemp(prefix="fetch-root-", dir=base)
    tree = os.path.join(work, "tree")
    try:
        t0 = time.monotonic()
        say(f"mmdebstrap --variant=minbase {ROOT_SUITE} from {mirror}: {' '.join(ROOT_PACKAGES)}")
        # The merged-usr hooks make /bin, /sbin and /lib links into /usr themselves, as Debian 12
        # has them; without, mmdebstrap installs usrmerge, which brings 55 MB of perl along. The
        # eatmydata hooks spare dpkg its fsync() of every file, for a tree that is packed and
        # thrown away.
        hooks = [f"--hook-dir=/usr/share/mmdebstrap/hooks/{h}" for h in ("merged-usr", "eatmydata")]
        run_cmd(["mmdebstrap", "--quiet", "--variant=minbase", "--include=" + ",".join(ROOT_PACKAGES)]
                + hooks + [ROOT_SUITE, tree, mirror], "building the Debian root file system")
        for rel in ROOT_PRUNED:
            path = os.path.join(tree, rel)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
                os.makedirs(path)
            elif os.path.lexists(path):
                os.unlink(path)
        # The guest is the harness's alone: no login prompt reads the console it types on.
        for unit in ("serial-getty@.service", "getty@.service", "getty.target"):
            os.symlink("/dev/null", os.path.join(tree, "etc/systemd/system", unit))
        with open(os.path.join(tree, "etc/hostname"), "w") as f:
            f.write("testbed\n")
        shutil.copy(os.path.join(tree, "var/lib/dpkg/status"), os.path.join(work, "root-status"))
        cpio = os.path.join(work, "root.cpio")
        write_newc(tree, cpio, compress=False, keep_owners=True)
        size_mb = round(os.path.getsize(cpio) / 1e6)
        for name in ("root.cpio", "root-status"):
            os.replace(os.path.join(work, name), os.path.join(base, name))
        tmp_info = os.path.join(work, "root.json")
        with open(tmp_info, "w") as f:
            json.dump({"suite": ROOT_SUITE, "mirror": mirror, "packages": ROOT_PACKAGES,
                       "cpio": "root.cpio", "status": "root-status", "size_mb": size_mb}, f, indent=2)
        os.replace(tmp_info, root_info_path())
        say(f"Debian root file system ready in {base}: {size_mb} MB, built in "
            f"{time.monotonic() - t0:.0f} s")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The initramfs
# ---------------------------------------------------------------------------------------------

SYSTEM_LIB_DIRS = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")


def shared_libraries(path):
    """Absolute paths of every shared library PATH loads (ldd), the dynamic loader included."""
    proc = subprocess.run(["ldd", path], text=True, capture_output=True)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        if "not a dynamic executable" in out or "statically linked" in out:
            return []
        raise HarnessError(f"ldd {path} failed:\n{out.strip()}")
    libs, missing = [], []
    for line in out.splitlines():
        line = line.strip()
        m = re.match(r"(\S+) => not found", line)
        if m:
            missing.append(m.group(1))
            continue
        m = re.match(r"(?:\S+ => )?(/\S+) \(0x[0-9a-f]+\)", line)
        if m:
            libs.append(m.group(1))
    if missing:
        raise HarnessError(f"{path} needs libraries that ldd cannot find: {' '.join(missing)}")
    return libs


class Rootfs:
    """A staging directory that becomes the guest's root filesystem."""

    def __init__(self, root, strip, merged_usr=False):
        self.root = root
        self.strip = strip and shutil.which("strip") is not None
        self.libs = set()
        self.merged_usr = merged_usr

    def path(self, guest_path):
        rel = guest_path.lstrip("/")
        # On a Debian root /bin, /sbin and /lib are links into /usr. This tree is unpacked over
        # it, and the kernel replaces a link with a directory of the same name: write into /usr.
        if self.merged_usr and rel.split("/")[0] in ("bin", "sbin", "lib", "lib64"):
            rel = "usr/" + rel
        return os.path.join(self.root, rel)

    def add_file(self, src, guest_path, mode=None):
        dst = self.path(guest_path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(dst):
            # A link already there (a busybox applet, say /sbin/tc -> /bin/busybox) is replaced:
            # written through, an absolute link would overwrite the host's file.
            os.unlink(dst)
        shutil.copyfile(src, dst)   # follows symlinks in src: the guest gets the content
        os.chmod(dst, mode if mode is not None else stat.S_IMODE(os.stat(src).st_mode))
        return dst

    def add_text(self, guest_path, text, mode=0o644):
        dst = self.path(guest_path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "w") as f:
            f.write(text)
        os.chmod(dst, mode)

    def add_symlink(self, target, guest_path):
        dst = self.path(guest_path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if not os.path.lexists(dst):
            os.symlink(target, dst)

    def add_program(self, src, guest_path, strip=False):
        """A program and every shared library it loads. System libraries go where ldd found them;
        others (say, a library of this project) go to /opt/sriov/lib, on LD_LIBRARY_PATH."""
        if not os.path.isfile(src):
            raise HarnessError(f"no such program: {src}")
        dst = self.add_file(src, guest_path, 0o755)
        if strip and self.strip:
            subprocess.run(["strip", "--strip-debug", dst], check=False, capture_output=True)
        for lib in shared_libraries(src):
            if lib in self.libs:
                continue
            self.libs.add(lib)
            if lib.startswith(SYSTEM_LIB_DIRS):
                self.add_file(lib, lib, 0o755)
            else:
                out = self.add_file(lib, "/opt/sriov/lib/" + os.path.basename(lib), 0o755)
                if self.strip:
                    subprocess.run(["strip", "--strip-debug", out], check=False, capture_output=True)


def write_newc(root, out_path, compress=True, keep_owners=False):
    """Pack ROOT as a cpio 'newc' archive (gzip'd unless compress is False), plus /dev/console (a
    device node, which needs no privilege to write into an archive). Every file is root's unless
    keep_owners (a Debian root file system has files of other users and groups); hard links are
    stored as separate files."""
    ino = [0]

    def entry(f, name, mode, data=b"", rdev=(0, 0), nlink=1, owner=(0, 0)):
        ino[0] += 1
        name_b = name.encode() + b"\0"
        fields = [ino[0], mode, owner[0], owner[1], nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name_b), 0]
        head = b"070701" + b"".join(b"%08X" % v for v in fields) + name_b
        f.write(head + b"\0" * (-len(head) % 4))
        f.write(data + b"\0" * (-len(data) % 4))

    # Level 1: the archive is built for every run and barely smaller at higher levels.
    with (gzip.open(out_path, "wb", compresslevel=1) if compress else open(out_path, "wb")) as f:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, root)
            for name in dirnames + sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = os.path.normpath(os.path.join(rel_dir, name))
                st = os.lstat(full)
                owner = (st.st_uid, st.st_gid) if keep_owners else (0, 0)
                if stat.S_ISLNK(st.st_mode):
                    entry(f, rel, st.st_mode, os.readlink(full).encode(), owner=owner)
                elif stat.S_ISDIR(st.st_mode):
                    entry(f, rel, st.st_mode, nlink=2, owner=owner)
                elif stat.S_ISREG(st.st_mode):
                    with open(full, "rb") as src:
                        entry(f, rel, st.st_mode, src.read(), owner=owner)
        entry(f, "dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
        entry(f, "TRAILER!!!", 0)


def host_program(name, package):
    for d in ("/usr/sbin", "/sbin", "/usr/bin", "/bin"):
        p = os.path.join(d, name)
        if os.path.isfile(p):
            return p
    raise HarnessError(f"{package}'s {name} not found on the host (run tools/setup.sh, or apt-get install {package})")


def add_busybox_boot(rootfs, kernel):
    """The busybox guest: busybox and its applets, iproute2's ip and tc, ethtool, the modules, init.sh
    as /init.
    Returns the applets' names."""
    for d in ("proc", "sys", "dev", "tmp", "run", "root", "mnt", "etc", "var"):
        os.makedirs(rootfs.path(d))
    rootfs.add_symlink("../run", "/var/run")

    # busybox and its applets; iproute2's ip replaces busybox's.
    busybox = "/bin/busybox"
    if not os.path.isfile(busybox):
        raise HarnessError("/bin/busybox not found (apt-get install busybox-static)")
    rootfs.add_program(busybox, "/bin/busybox")
    applets = run_cmd([busybox, "--list-full"], "listing busybox applets").split()
    for applet in applets:
        if os.path.basename(applet) != "ip" and applet != "linuxrc":
            rootfs.add_symlink("/bin/busybox", "/" + applet)
    rootfs.add_program(host_program("ip", "iproute2"), "/sbin/ip")
    rootfs.add_program(host_program("tc", "iproute2"), "/sbin/tc")
    # A peer's ring sizes and queues (ethtool -G, -L), which neither ip nor busybox can set.
    rootfs.add_program(host_program("ethtool", "ethtool"), "/sbin/ethtool")
    shutil.copytree(os.path.join(kernel["modroot"], "lib"), rootfs.path("/lib"), dirs_exist_ok=True)
    rootfs.add_file(os.path.join(HERE, "init.sh"), "/init", 0o755)
    rootfs.add_text("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
    rootfs.add_text("/etc/group", "root:x:0:\n")
    rootfs.add_text("/etc/hosts", "127.0.0.1 localhost testbed\n")
    return {os.path.basename(a) for a in applets}


# The scenario as a service of the systemd guest: started once the system is up, on the console
# (where the harness reads its output and types the monitor's answers), then powers off (init.sh).
SCENARIO_UNIT = """[Unit]
Description=testbed scenario
After=multi-user.target

[Service]
Type=exec
ExecStart=/lib/testbed/init.sh
StandardInput={stdin}
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console
WorkingDirectory=/tmp
"""


def add_systemd_boot(rootfs, kernel, shell):
    """What a run adds to the cached Debian root (--systemd): the guest kernel's modules for udev,
    and the scenario as a service wanted by multi-user.target."""
    shutil.copytree(os.path.join(kernel["modroot"], "lib"), rootfs.path("/lib"), dirs_exist_ok=True)
    rootfs.add_file(os.path.join(HERE, "init.sh"), "/lib/testbed/init.sh", 0o755)
    rootfs.add_text("/etc/systemd/system/testbed-scenario.service",
                    SCENARIO_UNIT.format(stdin="tty-force" if shell else "null"))
    rootfs.add_symlink("/etc/systemd/system/testbed-scenario.service",
                       "/etc/systemd/system/multi-user.target.wants/testbed-scenario.service")
    return set()


def deb_files(paths):
    """The .deb files named by --deb: files, or every .deb in a directory."""
    debs = []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".deb"))
            if not found:
                raise HarnessError(f"--deb {path}: no .deb in that directory")
            debs += found
        elif path.endswith(".deb") and os.path.isfile(path):
            debs.append(path)
        else:
            raise HarnessError(f"--deb {path}: not a .deb file or a directory")
    return [os.path.abspath(d) for d in debs]


def missing_dependencies(debs, root_status):
    """The Debian packages that installing DEBS on the cached root would add (their dependencies
    the root lacks, recursively), downloaded with the host's apt as if the root's dpkg status were
    the host's. Downloads are kept in the cache, so only the first run needs the mirror."""
    archives = os.path.join(cache_dir(), "root-debs")
    os.makedirs(os.path.join(archives, "partial"), exist_ok=True)
    apt = ["apt-get", "-q", "-y", "--no-install-recommends",
           "-o", f"Dir::State::status={root_status}", "-o", f"Dir::Cache::archives={archives}",
           "-o", "Debug::NoLocking=1"]
    if os.geteuid() == 0:
        apt += ["-o", "APT::Sandbox::User=root"]
    what = "resolving the dependencies of " + " ".join(os.path.basename(d) for d in debs)
    plan = run_cmd(apt + ["-s", "install"] + debs, what)
    ours = {run_cmd(["dpkg-deb", "-f", d, "Package"], f"reading {d}").strip() for d in debs}
    installs = re.finditer(r"^Inst (\S+) (?:\[\S+\] )?\((\S+)", plan, re.M)   # Inst NAME [OLD] (VERSION
    wanted = [(m.group(1), m.group(2)) for m in installs if m.group(1) not in ours]

    def downloaded(name, version):
        # apt names a download NAME_VERSION_ARCH.deb, with the epoch's ':' as %3a.
        prefix = f"{name.split(':')[0]}_{version.replace(':', '%3a')}_"
        found = [f for f in os.listdir(archives) if f.startswith(prefix) and f.endswith(".deb")]
        return os.path.join(archives, found[0]) if found else None

    if not all(downloaded(*w) for w in wanted):
        run_cmd(apt + ["--download-only", "install"] + debs,
                what + " (downloading; is the host's `apt-get update` recent?)")
    files = [downloaded(*w) for w in wanted]
    if None in files:
        raise HarnessError(f"apt did not download all of {' '.join(n for n, _ in wanted)} "
                           f"into {archives}")
    return files


def add_local_repo(rootfs, deb_paths, root_status):
    """An apt repository in the guest at /opt/sriov/repo (the only source its apt knows): the
    --deb packages and the dependencies they declare that the Debian root lacks, with a Packages
    index made by dpkg-scanpackages. The guest has no network, so a dependency a package does
    not declare is missing there."""
    debs = deb_files(deb_paths)
    repo = rootfs.path("/opt/sriov/repo")
    os.makedirs(repo)
    extra = missing_dependencies(debs, root_status)
    for deb in debs + extra:
        shutil.copyfile(deb, os.path.join(repo, os.path.basename(deb)))
    index = run_cmd(["dpkg-scanpackages", "--multiversion", "."], "indexing the local repository",
                    cwd=repo)
    rootfs.add_text("/opt/sriov/repo/Packages", index)
    rootfs.add_text("/etc/apt/sources.list.d/testbed.list", "deb [trusted=yes] file:/opt/sriov/repo ./\n")
    say(f"local apt repository: {' '.join(os.path.basename(d) for d in debs)}; from Debian: "
        + (" ".join(os.path.basename(d).split("_")[0] for d in extra) or "nothing"))


def build_initramfs(args, kernel, work, scenario, scenario_args):
    t0 = time.monotonic()
    rootfs = Rootfs(os.path.join(work, "root"), strip=not args.no_strip, merged_usr=args.systemd)
    shutil.rmtree(rootfs.root, ignore_errors=True)
    os.makedirs(rootfs.root)
    if args.systemd:
        applet_names = add_systemd_boot(rootfs, kernel, scenario is None)
    else:
        applet_names = add_busybox_boot(rootfs, kernel)

    # The project's programs.
    names = set()
    for b in args.bin:
        name = os.path.basename(b)
        if name in names:
            raise HarnessError(f"two --bin programs named {name}")
        names.add(name)
        if name in applet_names:
            say(f"warning: --bin {name}: busybox sh runs its own {name} applet for a bare '{name}'; "
                f"call /opt/sriov/bin/{name}")
        rootfs.add_program(b, "/opt/sriov/bin/" + name, strip=True)
    os.makedirs(rootfs.path("/opt/sriov/bin"), exist_ok=True)
    for spec in args.file:
        src, _, dst = spec.partition(":")
        if not os.path.isfile(src):
            raise HarnessError(f"--file {spec}: no such file {src}")
        rootfs.add_file(src, dst or "/opt/sriov/share/" + os.path.basename(src))
    if args.deb:
        add_local_repo(rootfs, args.deb, args.systemd_root["status"])

    # The helpers, the scenario and what the harness tells them.
    rootfs.add_file(os.path.join(HERE, "testbed-lib.sh"), "/lib/testbed.sh", 0o644)
    if scenario:
        if not os.path.isfile(scenario):
            raise HarnessError(f"no such scenario: {scenario}")
        rootfs.add_file(scenario, "/scenario.sh", 0o755)
    conf = {
        "TB_PFS": args.pfs,
        "TB_WIRE": int(args.wire),
        "TB_STANDBY": "" if args.standby is None else args.standby,
        "TB_MONITOR": int(args.monitor),
        "TB_KERNEL": kernel["version"],
        "TB_SHELL": int(scenario is None),
        "TB_SYSTEMD": int(args.systemd),
    }
    rootfs.add_text("/etc/testbed.conf", "".join(f"export {k}={v}\n" for k, v in conf.items()))
    rootfs.add_text("/etc/testbed.args", "set -- " + " ".join(map(shlex.quote, scenario_args)) + "\n")

    initrd = os.path.join(work, "initrd.gz")
    write_newc(rootfs.root, initrd)
    if args.systemd:
        # The kernel unpacks archives one after the other: the cached root, then this run's files.
        overlay, initrd = initrd, os.path.join(work, "initrd")
        with open(initrd, "wb") as out:
            for part in (args.systemd_root["cpio"], overlay):
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
        os.unlink(overlay)
    if args.verbose:
        say(f"initramfs {os.path.getsize(initrd) / 1e6:.1f} MB built in "
            f"{time.monotonic() - t0:.1f} s ({len(rootfs.libs)} shared libraries)")
    return initrd


# ---------------------------------------------------------------------------------------------
# QEMU
# ---------------------------------------------------------------------------------------------

def qemu_command(args, kernel, initrd, monitor_sock):
    append = "console=ttyS0 intel_iommu=on panic=-1" + ("" if args.verbose else " quiet")
    if args.systemd:
        append += " rdinit=/sbin/init"   # systemd, from the Debian root unpacked as the initramfs
    if args.append:
        append += " " + args.append
    cmd = [
        "qemu-system-x86_64",
        "-machine", "q35,accel=tcg,kernel-irqchip=split", "-cpu", "max",
        "-m", str(args.mem), "-smp", "2",
        "-nographic", "-no-reboot", "-vga", "none",
        # Without this the guest puts VF BARs above 4 GiB, where QEMU does not route them.
        "-global", "q35-pcihost.pci-hole64-size=0",
        "-device", "intel-iommu,intremap=on,caching-mode=on",
        "-kernel", kernel["vmlinuz"], "-initrd", initrd, "-append", append,
    ]
    if monitor_sock:
        cmd += ["-chardev", f"socket,id=qmp,path={monitor_sock},server=on,wait=off",
                "-mon", "chardev=qmp,mode=control"]
    for i in range(args.pfs):
        # With --wire PF0 and PF1 share hub 0 (a cable); every other PF has a hub of its own.
        hub = 0 if args.wire and i < 2 else 10 + i
        cmd += ["-netdev", f"hubport,id=n{i},hubid={hub}",
                "-device", f"igb,netdev=n{i},bus=pcie.0,addr={2 + 2 * i:#x},mac=52:54:00:5a:00:{i:02x}"]
    if args.standby is not None:
        # A virtio-net NIC on PF N's wire: one more port on that PF's hub (no failover=on: the
        # guest's net_failover is not what is tested, libvf's standby path is).
        pf = args.standby
        hub = 0 if args.wire and pf < 2 else 10 + pf
        cmd += ["-netdev", f"hubport,id=s{pf},hubid={hub}",
                "-device", f"virtio-net-pci,netdev=s{pf},bus=pcie.0,addr={STANDBY_SLOT:#x},"
                           f"mac=52:54:00:5b:00:{pf:02x}"]
    for pf, path in pcaps(args).items():
        cmd += ["-object", f"filter-dump,id=f{pf},netdev=n{pf},file={path}"]
    return cmd + args.qemu_arg


def pcaps(args):
    result = {}
    for spec in args.pcap:
        path, pf = spec, 0
        m = re.match(r"(.*):(\d+)$", spec)
        if m:
            path, pf = m.group(1), int(m.group(2))
        if pf >= args.pfs:
            raise HarnessError(f"--pcap {spec}: there is no PF {pf} (--pfs {args.pfs})")
        if pf in result:
            raise HarnessError(f"--pcap: PF {pf} is recorded twice")
        result[pf] = os.path.abspath(path)
    return result


def die_with_parent():
    """In the QEMU child: be killed if the harness dies, even by SIGKILL (a ctest timeout)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Monitor:
    """QEMU's monitor, reached through QMP on a unix socket (connected on first use). Human
    monitor commands go through QMP's human-monitor-command, which returns their output as
    plain text, free of the line editor's echo."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self.buf = b""

    def _receive(self, timeout=10):
        """The next QMP message that is not an asynchronous event."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" not in self.buf:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                    raise HarnessError("the QEMU monitor did not answer")
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise HarnessError("the QEMU monitor closed its socket")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def _execute(self, command, **arguments):
        self.sock.sendall(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
        msg = self._receive()
        if "error" in msg:
            raise HarnessError(f"{command}: {msg['error'].get('desc', msg['error'])}")
        return msg.get("return")

    def command(self, cmd):
        """Run a human monitor command; returns its output lines."""
        if self.sock is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(self.path)
            self._receive()                  # the greeting
            self._execute("qmp_capabilities")
        out = self._execute("human-monitor-command", **{"command-line": cmd})
        return [line for line in (out or "").replace("\r", "").split("\n") if line.strip()]

    def close(self):
        if self.sock:
            self.sock.close()


class Guest:
    """One QEMU run: streams the console, answers monitor requests, enforces the timeout."""

    def __init__(self, cmd, args, log_path):
        self.args = args
        self.cmd = cmd
        self.log = open(log_path, "w")
        self.tail = []
        self.in_dmesg = False
        self.panicked = False
        self.qemu_assertion = None  # QEMU's own assertion message, if it failed one
        self.timer_stall = None     # the guest kernel's message that a vCPU's timer stopped
        self.exit_status = None
        self.init_time = None
        self.monitor = Monitor(args.monitor_sock) if args.monitor else None
        self.proc = None

    def start(self):
        if self.args.verbose:
            say("starting " + shlex.join(self.cmd))
        try:
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=die_with_parent)
        except FileNotFoundError:
            raise HarnessError("qemu-system-x86_64 not found (run tools/setup.sh)") from None
        os.set_blocking(self.proc.stdin.fileno(), False)
        self.started = time.monotonic()

    def stop(self):
        """Kill QEMU if it still runs; always reap it."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
        if self.monitor:
            self.monitor.close()

    def type_on_console(self, text):
        try:
            os.write(self.proc.stdin.fileno(), text.encode())
        except (BlockingIOError, BrokenPipeError):
            say("could not type an answer on the guest console (console input full?)")

    def on_line(self, line):
        line = ANSI_RE.sub("", line)
        if HUB_WARNING_RE.search(line) and not self.args.verbose:
            return
        print(line, flush=True)
        self.log.write(line + "\n")
        # Remember the scenario's own last lines (not the kernel's) for the failure summary.
        if line.startswith("---- testbed: kernel messages"):
            self.in_dmesg = True
        if not (self.in_dmesg or KERNEL_LINE_RE.match(line) or line.startswith("@@")):
            self.tail = (self.tail + [line])[-20:]
        if line.startswith("---- end of kernel messages"):
            self.in_dmesg = False
        if "Kernel panic" in line:
            self.panicked = True
        if QEMU_ASSERT_RE.match(line):
            self.qemu_assertion = line
        if GUEST_TIMER_STALL_RE.search(line) and self.exit_status is None and self.timer_stall is None:
            self.timer_stall = line
        m = INIT_RE.search(line)
        if m and self.init_time is None:
            self.init_time = time.monotonic() - self.started
            self.tail = []   # what came before /init is firmware and kernel
        m = EXIT_RE.search(line)
        if m and self.exit_status is None:
            self.exit_status = int(m.group(1))
        m = MONITOR_RE.search(line)
        if m:
            self.on_monitor_request(m.group(1).strip())

    def on_monitor_request(self, cmd):
        if not self.monitor:
            say(f"the scenario asked for monitor command '{cmd}' but --monitor is not set")
            self.type_on_console("@@monitor-reply --monitor is not set\n@@monitor-done 1\n")
            return
        try:
            reply = self.monitor.command(cmd)
            status = 0
        except (OSError, HarnessError) as e:
            reply, status = [f"monitor error: {e}"], 1
        say(f"monitor: {cmd}" + "".join(f"\n    {r}" for r in reply))
        self.type_on_console("".join(f"@@monitor-reply {r}\n" for r in reply)
                             + f"@@monitor-done {status}\n")

    def stream(self):
        """Show the console until QEMU exits; returns 'exited', 'timeout', 'stalled' (a vCPU's timer
        stopped, GUEST_TIMER_STALL_RE) or 'no_boot' (no /init within BOOT_LIMIT)."""
        fd = self.proc.stdout.fileno()
        deadline = self.started + self.args.timeout
        boot_deadline = self.started + min(BOOT_LIMIT, self.args.timeout)
        buf = b""
        while True:
            now = time.monotonic()
            if self.exit_status is not None:
                # The scenario is over; give poweroff a moment.
                deadline = min(deadline, now + 15)
            if now >= deadline:
                return "exited" if self.exit_status is not None else "timeout"
            if self.timer_stall is not None:
                return "stalled"
            if self.init_time is None and now >= boot_deadline:
                return "no_boot"
            wait = deadline - now if self.init_time is not None else min(deadline, boot_deadline) - now
            if not select.select([fd], [], [], wait)[0]:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                self.on_line(raw.decode(errors="replace").rstrip("\r"))
        if buf:
            self.on_line(buf.decode(errors="replace").rstrip("\r"))
        self.proc.wait()
        return "exited"


def run_checks(args, console):
    """The --check commands, on the host, once the guest passed and QEMU has exited (so that the
    --pcap files are complete); each finds the guest's console log (what the scenario printed) at
    $TB_CONSOLE. Returns the status of the first that fails, or 0."""
    env = dict(os.environ, TB_CONSOLE=console)
    for check in getattr(args, "check", []):
        say(f"host check: {check}")
        try:
            status = subprocess.run(shlex.split(check), env=env).returncode
        except OSError as e:
            say(f"host check could not start: {e}")
            status = STATUS_ERROR
        if status != 0:
            say("=" * 70)
            say(f"host check FAILED with exit status {status}: {check}")
            say("=" * 70)
            return status
    return 0


def new_workdir(args):
    if args.keep:
        work = os.path.abspath(args.keep)
        os.makedirs(work, exist_ok=True)
        return work
    return tempfile.mkdtemp(prefix="sriov-testbed-")


def cmd_run(args, scenario, scenario_args):
    kernel = load_kernel_info()
    if not kernel:
        raise HarnessError(f"no guest kernel in {cache_dir()}: run `{sys.argv[0]} fetch` first")
    if not 1 <= args.pfs <= MAX_PFS:
        raise HarnessError(f"--pfs must be between 1 and {MAX_PFS}")
    if args.wire and args.pfs < 2:
        raise HarnessError("--wire cables PF0 to PF1: it needs --pfs 2 or more")
    if args.standby is not None and not 0 <= args.standby < args.pfs:
        raise HarnessError(f"--standby {args.standby}: there is no PF {args.standby} (--pfs {args.pfs})")
    pcaps(args)   # check early
    args.systemd_root = None
    if args.systemd:
        args.systemd_root = load_root_info()
        if not args.systemd_root:
            raise HarnessError(f"no Debian root file system in {cache_dir()}: "
                               f"run `{sys.argv[0]} fetch-root` first")
    elif args.deb:
        raise HarnessError("--deb needs --systemd (only the Debian root has apt)")

    work = new_workdir(args)
    # A unix socket path must be short; --keep directories may not be.
    sockdir = tempfile.mkdtemp(prefix="sriov-tb-mon-") if args.monitor else None
    args.monitor_sock = os.path.join(sockdir, "monitor") if sockdir else None
    guest = None
    t0 = time.monotonic()
    try:
        initrd = build_initramfs(args, kernel, work, scenario, scenario_args)
        cmd = qemu_command(args, kernel, initrd, args.monitor_sock)
        if scenario is None:
            # Interactive: QEMU owns the terminal (Ctrl-A x quits).
            return subprocess.run(cmd, preexec_fn=die_with_parent).returncode
        for attempt in range(EMULATOR_FAILURE_RETRIES + 1):
            if guest:
                guest.log.close()
            guest = Guest(cmd, args, os.path.join(work, "console.log"))
            guest.start()
            outcome = guest.stream()
            guest.stop()
            qemu_aborted = guest.qemu_assertion is not None and guest.proc.returncode == -signal.SIGABRT
            stalled = outcome == "stalled"
            no_boot = outcome == "no_boot"
            if (guest.exit_status is not None or not (qemu_aborted or stalled or no_boot)
                    or attempt == EMULATOR_FAILURE_RETRIES):
                break
            # Only the emulator's own failures are retried: a scenario that fails, hangs or panics
            # the guest is never run again.
            say("=" * 70)
            if no_boot:
                say(f"the guest did not reach /init within {BOOT_LIMIT} s (the emulator or firmware hung "
                    "before the scenario ran)")
            elif stalled:
                say(f"the emulated machine stopped a vCPU's timer (not the scenario): {guest.timer_stall}")
            else:
                say(f"QEMU itself aborted (an emulator bug, not the scenario): {guest.qemu_assertion}")
            say("booting the scenario again, once")
            say("=" * 70)
        elapsed = time.monotonic() - t0
        boot = f"/init after {guest.init_time:.1f} s, " if guest.init_time is not None else ""
        if outcome == "timeout":
            status, problem = STATUS_TIMEOUT, f"timed out after {args.timeout} s"
        elif outcome == "stalled":
            status, problem = STATUS_NO_EXIT, f"a vCPU of the guest stopped keeping time: {guest.timer_stall}"
        elif outcome == "no_boot":
            status, problem = STATUS_NO_EXIT, f"the guest did not reach /init within {BOOT_LIMIT} s, twice"
        elif guest.exit_status is None:
            status = STATUS_NO_EXIT
            problem = ("the guest kernel panicked" if guest.panicked else
                       f"the guest stopped without reporting an exit status "
                       f"(QEMU exit code {guest.proc.returncode})")
            if guest.qemu_assertion:
                problem += f"; QEMU failed an assertion: {guest.qemu_assertion}"
        else:
            status, problem = guest.exit_status, None
        if status == 0:
            say(f"scenario passed ({boot}{elapsed:.1f} s in all)")
            guest.log.flush()
            status = run_checks(args, guest.log.name)
        else:
            say("=" * 70)
            say(f"scenario {os.path.basename(scenario)} FAILED: "
                + (problem or f"exit status {status}") + f" ({boot}{elapsed:.1f} s in all)")
            say("last lines of the scenario's output:")
            for line in guest.tail:
                print("    " + line)
            if args.keep:
                say(f"work dir (initramfs, console.log) kept in {work}")
            say("=" * 70)
        return status
    finally:
        if guest:
            guest.stop()
            guest.log.close()
        if sockdir:
            shutil.rmtree(sockdir, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

def guest_options(p):
    p.add_argument("--pfs", type=int, default=1, metavar="N",
                   help="number of 82576 PFs, at 00:02.0, 00:04.0, 00:06.0 (default 1)")
    p.add_argument("--wire", action="store_true", help="cable PF0 and PF1 back to back")
    p.add_argument("--standby", type=int, metavar="N",
                   help="a virtio-net NIC on PF N's wire, at 00:1e.0 (a standby path for a VF of PF N)")
    p.add_argument("--pcap", action="append", default=[], metavar="FILE[:N]",
                   help="record what crosses PF N's wire (default PF 0) in FILE")
    p.add_argument("--monitor", action="store_true",
                   help="let the scenario run QEMU monitor commands (tb_monitor)")
    p.add_argument("--bin", action="append", default=[], metavar="PATH",
                   help="a program for /opt/sriov/bin (with its shared libraries)")
    p.add_argument("--file", action="append", default=[], metavar="SRC[:DEST]",
                   help="an extra file, at DEST in the guest (default /opt/sriov/share/NAME)")
    p.add_argument("--mem", type=int, default=1024, metavar="MB", help="guest memory (default 1024)")
    p.add_argument("--systemd", action="store_true",
                   help="boot the cached Debian root (fetch-root) with systemd and udev; the "
                        "scenario runs as a service once multi-user.target is reached")
    p.add_argument("--deb", action="append", default=[], metavar="PATH",
                   help="(--systemd) a .deb, or a directory of them, for the guest's local apt "
                        "repository, with the Debian packages they depend on (repeatable)")
    p.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (initramfs, console.log)")
    p.add_argument("--no-strip", action="store_true", help="keep debug info in --bin programs")
    p.add_argument("--append", metavar="ARGS", help="more kernel command line")
    p.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                   help="one more QEMU argument (repeat for each)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="show the QEMU command and all kernel messages")


def main():
    parser = argparse.ArgumentParser(
        description="Run scenarios in a QEMU guest with emulated Intel 82576 (igb) SR-IOV NICs.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("fetch", help="download and cache the guest kernel")
    p.add_argument("--refresh", action="store_true", help="fetch again even if cached")

    p = sub.add_parser("fetch-root", help="build and cache the Debian root file system for --systemd")
    p.add_argument("--refresh", action="store_true", help="build again even if cached")

    p = sub.add_parser("run", help="run a scenario script in the guest")
    guest_options(p)
    p.add_argument("--timeout", type=int, default=300, metavar="S",
                   help="kill the guest after S seconds (default 300)")
    p.add_argument("--check", action="append", default=[], metavar="COMMAND",
                   help="after the scenario passed, run COMMAND (shell words) on the host, e.g. "
                        "to read a --pcap file; if it fails, so does the run (repeatable)")
    p.add_argument("scenario", help="shell script run as /scenario.sh in the guest")
    p.add_argument("scenario_args", nargs=argparse.REMAINDER, help="its arguments")

    p = sub.add_parser("shell", help="boot the guest with an interactive shell")
    guest_options(p)

    args = parser.parse_args()

    # SIGINT, SIGTERM and SIGHUP end the run: the finally clauses kill QEMU. (SIGINT is set
    # explicitly because Python leaves it alone when started with it ignored.) Should the harness
    # be killed outright, QEMU dies with it (die_with_parent).
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)

    try:
        if args.command == "fetch":
            return cmd_fetch(args)
        if args.command == "fetch-root":
            return cmd_fetch_root(args)
        if args.command == "run":
            return cmd_run(args, args.scenario, args.scenario_args)
        args.timeout = None
        return cmd_run(args, None, [])
    except HarnessError as e:
        print(f"testbed: error: {e}", file=sys.stderr, flush=True)
        return STATUS_ERROR
    except KeyboardInterrupt as e:
        print(f"\ntestbed: interrupted ({e or 'SIGINT'}); QEMU stopped", file=sys.stderr, flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(main())
