#!/bin/sh
# Runs a UI test on a private X server and a private D-Bus session (GTK
# reaches the accessibility bus through it).
#
# xvfb-run -a probes for a free display number from a starting point and
# races every other xvfb-run started at the same moment (parallel test
# runs, other build directories); starting from a number derived from our
# PID makes two runs picking the same display unlikely.
#
# -noreset: by default Xvfb resets when its last client disconnects, and a
# client connecting during the reset fails ("cannot open display"); the
# accessibility bus launcher connecting and leaving just before the app
# starts triggers exactly that.
set -e
here=$(dirname "$0")
base=$((100 + $$ % 800))
exec xvfb-run -a -n "$base" -e /dev/stderr -s "-screen 0 1280x800x24 -noreset" \
  dbus-run-session --dbus-daemon="$here/quiet-dbus-daemon.sh" -- "$@"
