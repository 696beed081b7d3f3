#!/usr/bin/python3
# at-spi-requests.py: a supervisor approves a disconnection request from
# the queue (Ctrl+Shift+D), driven through the accessibility bus against a
# real bijli-central: the request an operator queued is listed with the
# rules' verdict, selected, approved, and scheduled on the server; the
# consumer's Requests tab shows it.
#
#   xvfb-run -a dbus-run-session -- /usr/bin/python3 at-spi-requests.py \
#       --desk build/src/ui/bijli-desk --central build/src/server/bijli-central
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import pyatspi

_spec = importlib.util.spec_from_file_location(
    'at_spi_test', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'at-spi-test.py'))
t = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(t)

KEYCODE_CONTROL_L = 37
KEYCODE_SHIFT_L = 50
KEYSYM_D = 0x64
KEYSYM_SPACE = 0x20


def post(url, path, token, body, key):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method='POST')
    request.add_header('Content-Type', 'application/json')
    request.add_header('Authorization', 'Bearer ' + token)
    request.add_header('Idempotency-Key', key)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def run(args, tmp):
    central, url = t.start_central(args.central, os.path.join(tmp, 'central.db'))
    desk = None
    try:
        operator = t.api(url, '/api/v1/session', body={'username': 'operator', 'password': 'bijli-operator'})['token']
        supervisor = t.api(url, '/api/v1/session', body={'username': 'supervisor', 'password': 'bijli-supervisor'})['token']
        consumers = [c['consumer'] for c in t.api(url, '/api/v1/changes?limit=400', token=operator)['changes']]
        request = None
        for consumer in consumers:
            if consumer['meter_type'] != 'smart' or consumer['supply_status'] != 'connected':
                continue
            balance = t.api(url, f"/api/v1/consumers/{consumer['account']}/balance", token=operator)
            if balance['balance_paise'] >= 0:
                continue
            try:
                request = post(url, '/api/v1/disconnections', operator,
                               {'account': consumer['account'], 'kind': 'nonpayment',
                                'reason': 'Dues unpaid after emergency credit'}, 'at-spi-request-0001')
                break
            except urllib.error.HTTPError:
                continue
        if request is None:
            raise t.TestFailure("no demo consumer could be queued for a non-payment disconnection")
        t.log(f"# {request['number']} for {request['account']}, scheduled for {request['scheduled_for']}")

        env = dict(os.environ)
        env.update({
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'GSETTINGS_BACKEND': 'memory',
            'LANGUAGE': 'en',
            'BIJLI_DESK_PASSWORD': 'bijli-supervisor',
            'GSK_RENDERER': env.get('GSK_RENDERER', 'cairo'),
        })
        env.pop('GTK_A11Y', None)
        desk = subprocess.Popen([args.desk, '--server', url, '--username', 'supervisor', '--sign-in'], env=env)
        app = t.wait_for("bijli-desk on the accessibility bus", lambda: t.find_desk(desk.pid))
        search = t.wait_for("the search after signing in as the supervisor",
                            lambda: t.find(app, t.TEXT_ROLES, name='Search consumers'), timeout=60)
        t.wait_for("the first sync", lambda: next((n for n in t.walk(app) if n.getRoleName() == 'label'
                                                   and t.text_of(n).startswith('Synced')), None), timeout=60)
        t.log("ok 1 - the supervisor is signed in")

        pyatspi.Registry.generateKeyboardEvent(KEYCODE_CONTROL_L, None, pyatspi.KEY_PRESS)
        pyatspi.Registry.generateKeyboardEvent(KEYCODE_SHIFT_L, None, pyatspi.KEY_PRESS)
        pyatspi.Registry.generateKeyboardEvent(KEYSYM_D, None, pyatspi.KEY_SYM)
        pyatspi.Registry.generateKeyboardEvent(KEYCODE_SHIFT_L, None, pyatspi.KEY_RELEASE)
        pyatspi.Registry.generateKeyboardEvent(KEYCODE_CONTROL_L, None, pyatspi.KEY_RELEASE)
        check = t.wait_for("the request in the queue",
                           lambda: t.find(app, ('toggle button', 'push button'),
                                          contains=f"Select request {request['number']}"),
                           timeout=30)
        text = t.all_text(app)
        if 'waiting for approval' not in text or 'Dues unpaid after emergency credit' not in text:
            raise t.TestFailure("the queue does not show the counts and the request's reason")
        t.log(f"ok 2 - Ctrl+Shift+D lists {request['number']} with its reason and the rules' verdict")
        if args.screenshots:
            time.sleep(0.5)
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'request-queue.png')])

        t.press(check)
        t.wait_for("the request selected", lambda: check.getState().contains(pyatspi.STATE_PRESSED)
                   or check.getState().contains(pyatspi.STATE_CHECKED))
        approve = t.wait_for("the Approve button", lambda: t.find(app, ('push button',), name='Approve Selected'))
        t.wait_for("the Approve button to be usable",
                   lambda: approve.getState().contains(pyatspi.STATE_SENSITIVE))
        t.press(approve)

        def decided():
            body = t.api(url, f"/api/v1/disconnections/{request['id']}", token=supervisor)
            return body['status'] != 'pending_approval' and body
        body = t.wait_for("the approval on the server", decided, timeout=30)
        if body['decided_by'] != 'supervisor' or body['status'] not in ('scheduled', 'executing', 'done', 'field_task'):
            raise t.TestFailure(f"the request was not approved by the supervisor: {body}")
        t.log(f"ok 3 - approved from the queue: {body['status']}, decided by {body['decided_by']}")

        # The consumer's record lists it too.
        t.set_text(search, request['account'])
        t.wait_for("the consumer's record", lambda: t.page_heading(app, request['account']), timeout=30)
        tab = t.wait_for("the Requests tab", lambda: t.find(app, ('toggle button', 'push button', 'page tab'),
                                                            name='Requests'))
        t.press(tab)
        t.wait_for("the request on the consumer's Requests tab",
                   lambda: t.find(app, t.ROW_ROLES + ('list item', 'label'), contains=request['number']), timeout=20)
        t.log("ok 4 - the consumer's Requests tab shows it")

        if desk.poll() is not None:
            raise t.TestFailure(f"bijli-desk exited with {desk.returncode}")
        t.log("ok 5 - bijli-desk is still running")
        return 0
    finally:
        t.stop_process(desk)
        t.stop_process(central)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--desk', required=True)
    parser.add_argument('--central', required=True)
    parser.add_argument('--screenshots', help="save screenshots in this folder")
    parser.add_argument('--keep', action='store_true')
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix='bijli-at-spi-requests-')
    try:
        t.log("1..5")
        return run(args, tmp)
    except t.TestFailure as failure:
        t.log(f"not ok - {failure}")
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
