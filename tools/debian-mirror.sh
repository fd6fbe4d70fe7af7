#!/bin/sh
# Prints the Debian mirror this machine's apt sources use (the first bookworm URI), or
# deb.debian.org when none is found. tools/setup.sh adds bookworm-backports from it, and the
# testbed's Debian root file system (testbed.py fetch-root) is bootstrapped from it.
uri=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $3 ~ /^bookworm/ {print $2; exit}' /etc/apt/sources.list)
fi
echo "${uri:-http://deb.debian.org/debian}"
