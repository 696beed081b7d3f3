#!/usr/bin/python3
# at-spi-offline.py: signing in with the server down, and the desk finding
# the server again by itself, driven through the accessibility bus against
# a real bijli-central.
#
#   xvfb-run -a dbus-run-session -- /usr/bin/python3 at-spi-offline.py \
#       --desk build/src/ui/bijli-desk --central build/src/server/bijli-central
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import glob
import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

# The helpers (walk, find, start_central…) live in at-spi-test.py.
_spec = importlib.util.spec_from_file_location(
    'at_spi_test', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'at-spi-test.py'))
t = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(t)

PASSWORD = 'bijli-operator'


def status_label(app, prefix):
    return next((node for node in t.walk(app)
                 if node.getRoleName() == 'label' and t.text_of(node).startswith(prefix)), None)


def start_desk(args, url, env):
    return subprocess.Popen([args.desk, '--server', url, '--username', 'operator', '--sign-in'], env=env)


def run(args, tmp):
    db = os.path.join(tmp, 'central.db')
    central, url = t.start_central(args.central, db)
    port = re.search(r':(\d+)$', url).group(1)
    desk = None
    try:
        account = t.pick_consumers(url)[0]['account']
        env = dict(os.environ)
        env.update({
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'XDG_CACHE_HOME': os.path.join(tmp, 'cache'),
            'GSETTINGS_BACKEND': 'memory',
            'LANGUAGE': 'en',
            'BIJLI_DESK_PASSWORD': PASSWORD,
            'GSK_RENDERER': env.get('GSK_RENDERER', 'cairo'),
        })
        env.pop('GTK_A11Y', None)

        desk = start_desk(args, url, env)
        app = t.wait_for("bijli-desk on the accessibility bus", lambda: t.find_desk(desk.pid))
        t.wait_for("the “Synced” status after an online sign-in", lambda: status_label(app, 'Synced'), timeout=60)
        t.log("ok 1 - an online sign-in copies the zone")

        # Written in a thread of its own after sign-in.
        records = t.wait_for("the offline sign-in record",
                             lambda: glob.glob(os.path.join(tmp, 'data', 'bijli-desk', 'offline', '*.json')))
        if len(records) != 1:
            raise t.TestFailure(f"expected one offline sign-in record, found {records}")
        mode = stat.S_IMODE(os.stat(records[0]).st_mode)
        with open(records[0], encoding='utf-8') as f:
            content = f.read()
        if mode != 0o600:
            raise t.TestFailure(f"the offline record has mode {oct(mode)}, not 0600")
        if PASSWORD in content:
            raise t.TestFailure("the offline record holds the password")
        t.log("ok 2 - the online sign-in left an offline record readable only by the desk's user, without the password")

        t.stop_process(desk)
        t.stop_process(central)
        t.log("# desk and bijli-central stopped")

        desk = start_desk(args, url, env)
        app = t.wait_for("bijli-desk on the accessibility bus", lambda: t.find_desk(desk.pid))
        offline = t.wait_for("the “Offline” status after signing in with the server down",
                             lambda: status_label(app, 'Offline'), timeout=60)
        search = t.wait_for("the search entry", lambda: t.find(app, t.TEXT_ROLES, name='Search consumers'))
        t.log(f"ok 3 - with the server down the same password signs in on the desk ({t.text_of(offline)})")

        t.set_text(search, account)
        t.wait_for("the consumer page from the local copy", lambda: t.page_heading(app, account))
        t.log(f"ok 4 - the local copy answers a search for {account} while offline")

        central, url2 = start_central_on(args.central, db, port)
        if url2 != url:
            raise t.TestFailure(f"bijli-central came back at {url2}, not {url}")
        t.log("# bijli-central started again on the same port")
        t.wait_for("the desk to sign in online and sync by itself",
                   lambda: status_label(app, 'Synced'), timeout=90)
        if t.find(app, t.TEXT_ROLES, name='Password') and status_label(app, 'Offline'):
            raise t.TestFailure("the desk still says it is offline")
        t.log("ok 5 - once the server is back the desk signs in online and syncs without being asked")

        # Damage the copy under the running desk (its newest pages live in
        # the write-ahead log); the next sync finds it and repairs it from
        # the backup taken after the first sync, without a new sign-in.
        store = glob.glob(os.path.join(tmp, 'data', 'bijli-desk', '*.db'))[0]
        wal = store + '-wal'
        if not os.path.exists(store + '.backup'):
            raise t.TestFailure("no backup of the copy was taken after the sync")
        size = os.path.getsize(wal)
        with open(wal, 'r+b') as f:
            f.seek(3 * 4096)
            f.write(os.urandom(max(size - 3 * 4096, 4096)))
        t.key(0xffc2)  # F5: sync now
        t.wait_for("the dialog saying the copy was repaired",
                   lambda: t.find(app, ('label',), contains='restored from its backup'), timeout=60)
        if not glob.glob(store + '.corrupt-*'):
            raise t.TestFailure("the damaged copy was not kept aside")
        t.wait_for("the “Synced” status after the repair", lambda: status_label(app, 'Synced'), timeout=90)
        t.log("ok 6 - a copy damaged while the desk runs is restored from its backup and synced again")

        if desk.poll() is not None:
            raise t.TestFailure(f"bijli-desk exited with {desk.returncode}")
        t.log("ok 7 - bijli-desk is still running")
        return 0
    finally:
        t.stop_process(desk)
        t.stop_process(central)


def start_central_on(central, db_path, port):
    """bijli-central again on the same database and port (no new demo data:
    the database holds its consumers already)."""
    proc = subprocess.Popen([central, '--demo', '--port', port, '--db', db_path],
                            stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    line = ''
    while True:
        line = proc.stdout.readline()
        if not line:
            raise t.TestFailure("bijli-central did not start again")
        match = re.match(r'Listening on (http://127\.0\.0\.1:\d+)$', line.strip())
        if match:
            return proc, match.group(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--desk', required=True)
    parser.add_argument('--central', required=True)
    parser.add_argument('--keep', action='store_true', help="keep the temporary directory")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix='bijli-at-spi-offline-')
    try:
        t.log("1..7")
        return run(args, tmp)
    except t.TestFailure as failure:
        t.log(f"not ok - {failure}")
        return 1
    finally:
        if args.keep:
            t.log(f"# kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
