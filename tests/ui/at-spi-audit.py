#!/usr/bin/python3
# at-spi-audit.py: a supervisor opens the audit log from the desk
# (Ctrl+Shift+A) and narrows it to one consumer, against a real
# bijli-central.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pyatspi

_spec = importlib.util.spec_from_file_location(
    'at_spi_test', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'at-spi-test.py'))
t = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(t)


def run(args, tmp):
    central, url = t.start_central(args.central, os.path.join(tmp, 'central.db'))
    desk = None
    try:
        account = t.pick_consumers(url)[0]['account']
        env = dict(os.environ)
        env.update({
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'GSETTINGS_BACKEND': 'memory',
            'LANGUAGE': 'en',
            'BIJLI_DESK_PASSWORD': 'bijli-supervisor',
            'GSK_RENDERER': env.get('GSK_RENDERER', 'cairo'),
        })
        env.pop('GTK_A11Y', None)
        desk = subprocess.Popen([args.desk, '--server', url, '--username', 'supervisor', '--sign-in',
                                 '--search', account], env=env)
        app = t.wait_for("bijli-desk on the accessibility bus", lambda: t.find_desk(desk.pid))
        t.wait_for("the consumer's record (its indexing data comes from the server, which audits the view)",
                   lambda: t.page_heading(app, account), timeout=60)
        t.log("ok 1 - the supervisor is signed in and has opened a record")

        pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_PRESS)     # Control_L
        pyatspi.Registry.generateKeyboardEvent(50, None, pyatspi.KEY_PRESS)     # Shift_L
        pyatspi.Registry.generateKeyboardEvent(0x61, None, pyatspi.KEY_SYM)     # a
        pyatspi.Registry.generateKeyboardEvent(50, None, pyatspi.KEY_RELEASE)
        pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_RELEASE)
        entries = t.wait_for("the audit log's entries", lambda: t.find(app, ('list',), name='Audit log entries'))
        t.wait_for("the supervisor's sign-in in the audit log",
                   lambda: t.find(entries, t.ROW_ROLES + ('list item',), contains='session.sign_in'))
        t.log("ok 2 - Ctrl+Shift+A shows the zone's audit log with the sign-in")

        search = t.find(app, t.TEXT_ROLES, name='Show only entries about this account or complaint')
        if search is None:
            raise t.TestFailure("the audit log has no filter by account")
        t.set_text(search, account)
        t.wait_for("the view of the record, and only entries about it",
                   lambda: t.find(entries, t.ROW_ROLES + ('list item',), contains='indexing.view')
                   and not t.find(entries, t.ROW_ROLES + ('list item',), contains='session.sign_in'))
        if args.screenshot:
            subprocess.run(['import', '-window', 'root', args.screenshot])
        t.log(f"ok 3 - filtered to account {account}, the audit log shows the record's indexing data was viewed")

        if desk.poll() is not None:
            raise t.TestFailure(f"bijli-desk exited with {desk.returncode}")
        t.log("ok 4 - bijli-desk is still running")
        return 0
    finally:
        t.stop_process(desk)
        t.stop_process(central)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--desk', required=True)
    parser.add_argument('--central', required=True)
    parser.add_argument('--screenshot')
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix='bijli-at-spi-audit-')
    try:
        t.log("1..4")
        return run(args, tmp)
    except t.TestFailure as failure:
        t.log(f"not ok - {failure}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
