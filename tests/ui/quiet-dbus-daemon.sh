#!/bin/sh
# dbus-daemon for the UI tests' private session. The accessibility registry
# it starts inherits its stdout and announces itself there, which would
# corrupt the TAP stream of the test; send that chatter to stderr instead.
exec dbus-daemon "$@" >&2
