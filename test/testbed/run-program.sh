#!/bin/sh
# Runs one program of ours in the guest with its arguments; its exit status is the scenario's.
# Usage: run-program.sh PROGRAM [ARGS...]
. /lib/testbed.sh
tb_log "running $*"
"$@"
