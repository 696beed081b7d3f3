#!/usr/bin/python3
# at-spi-complaints.py: the 1912 quick flow driven through the
# accessibility bus against a real bijli-central: the caller's number,
# Ctrl+K, Enter — a complaint filed in three actions — and a second caller
# about a known outage added to it instead of filing a duplicate.
#
#   xvfb-run -a dbus-run-session -- /usr/bin/python3 at-spi-complaints.py \
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
KEYSYM_K = 0x6b
KEYSYM_F5 = 0xffc2


def ctrl_key(keysym):
    pyatspi.Registry.generateKeyboardEvent(KEYCODE_CONTROL_L, None, pyatspi.KEY_PRESS)
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
    pyatspi.Registry.generateKeyboardEvent(KEYCODE_CONTROL_L, None, pyatspi.KEY_RELEASE)
    time.sleep(0.2)


def api(url, path, token, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method='POST' if data else 'GET')
    request.add_header('Content-Type', 'application/json')
    request.add_header('Authorization', 'Bearer ' + token)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def token_for(url, user, password):
    request = urllib.request.Request(url + '/api/v1/session',
                                     data=json.dumps({'username': user, 'password': password}).encode(),
                                     method='POST')
    request.add_header('Content-Type', 'application/json')
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)['token']


def complaints_of(url, token, account):
    return api(url, f'/api/v1/complaints?status=new,assigned,in_progress&account={account}', token)['complaints']


def run(args, tmp):
    central, url = t.start_central(args.central, os.path.join(tmp, 'central.db'))
    desk = None
    try:
        operator = token_for(url, 'operator', 'bijli-operator')
        consumers = [c['consumer'] for c in api(url, '/api/v1/changes?limit=300', operator)['changes']]
        with_mobile = [c for c in consumers if c['mobile'] and c['dt']]
        by_dt = {}
        for c in with_mobile:
            by_dt.setdefault(c['dt'], []).append(c)
        first = with_mobile[0]
        second = next(c for c in with_mobile if c['dt'] != first['dt'] and len(by_dt[c['dt']]) >= 1)
        # Mobiles shared by two consumers would open a list, not a record.
        mobiles = [c['mobile'] for c in consumers]
        first = next(c for c in with_mobile if mobiles.count(c['mobile']) == 1)
        second = next(c for c in with_mobile
                      if mobiles.count(c['mobile']) == 1 and c['dt'] != first['dt'])
        t.log(f"# caller one {first['account']} (DT {first['dt']}), caller two {second['account']} (DT {second['dt']})")

        env = dict(os.environ)
        env.update({
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'GSETTINGS_BACKEND': 'memory',
            'LANGUAGE': 'en',
            'BIJLI_DESK_PASSWORD': 'bijli-agent',
            'GSK_RENDERER': env.get('GSK_RENDERER', 'cairo'),
        })
        env.pop('GTK_A11Y', None)
        desk = subprocess.Popen([args.desk, '--server', url, '--username', 'agent', '--sign-in'], env=env)
        app = t.wait_for("bijli-desk on the accessibility bus", lambda: t.find_desk(desk.pid))
        search = t.wait_for("the search after signing in as the 1912 agent",
                            lambda: t.find(app, t.TEXT_ROLES, name='Search consumers'), timeout=60)
        t.wait_for("the first sync", lambda: next((n for n in t.walk(app) if n.getRoleName() == 'label'
                                                   and t.text_of(n).startswith('Synced')), None), timeout=60)
        t.log("ok 1 - the agent is signed in and the zone is on the desk")

        # Action 1: the caller's number. Action 2: Ctrl+K. Action 3: Enter.
        start = time.monotonic()
        t.set_text(search, first['mobile'])
        t.wait_for("the caller's record", lambda: t.page_heading(app, first['account']))
        ctrl_key(KEYSYM_K)
        if args.screenshots:
            time.sleep(1)
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'complaint-form.png')])
        t.wait_for("the complaint form", lambda: t.find(app, ('push button',), name='File Complaint'))
        time.sleep(0.5)
        t.key(t.KEYSYM_RETURN)
        t.wait_for("the complaint in the caller's record",
                   lambda: t.find(app, t.ROW_ROLES + ('list item', 'label'), contains='No supply'), timeout=20)
        filed = t.wait_for("the complaint on the server",
                           lambda: complaints_of(url, operator, first['account']), timeout=30)
        if filed[0]['contact_mobile'] != first['mobile'] or filed[0]['channel'] != 'phone':
            raise t.TestFailure(f"the complaint has the wrong contact or channel: {filed[0]}")
        t.log(f"ok 2 - number, Ctrl+K, Enter filed {filed[0]['number']} in {time.monotonic() - start:.1f} s, "
              "with the caller's number and the 1912 channel")
        if args.screenshots:
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'complaint-filed.png')])

        # A transformer fails on the second caller's DT: the operator files it.
        outage = api(url, '/api/v1/complaints', operator,
                     body={'category': 'transformer', 'description': 'DT burnt', 'channel': 'counter',
                           'dt': second['dt'], 'feeder': second['feeder']},
                     headers={'Idempotency-Key': 'at-spi-outage-0001'})
        t.key(KEYSYM_F5)
        time.sleep(2)
        t.set_text(search, second['mobile'])
        t.wait_for("the second caller's record", lambda: t.page_heading(app, second['account']))
        ctrl_key(KEYSYM_K)
        add = t.wait_for("the offer to add the caller to the outage",
                         lambda: t.find(app, ('push button',), name=f"Add this caller to complaint {outage['number']}"),
                         timeout=30)
        if args.screenshots:
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'complaint-duplicate.png')])
        t.press(add)
        def callers():
            body = api(url, f"/api/v1/complaints/{outage['id']}", operator)
            return body['callers'] >= 2 and body
        body = t.wait_for("the second caller counted on the outage", callers, timeout=30)
        if complaints_of(url, operator, second['account']):
            raise t.TestFailure("a duplicate complaint was filed for the second caller")
        t.log(f"ok 3 - a caller behind a failed transformer is added to {outage['number']} "
              f"({body['callers']} callers), no duplicate filed")

        # The queue: both complaints, the outage with its two callers.
        pyatspi.Registry.generateKeyboardEvent(KEYCODE_CONTROL_L, None, pyatspi.KEY_PRESS)
        pyatspi.Registry.generateKeyboardEvent(50, None, pyatspi.KEY_PRESS)   # Shift_L
        pyatspi.Registry.generateKeyboardEvent(KEYSYM_K, None, pyatspi.KEY_SYM)
        pyatspi.Registry.generateKeyboardEvent(50, None, pyatspi.KEY_RELEASE)
        pyatspi.Registry.generateKeyboardEvent(KEYCODE_CONTROL_L, None, pyatspi.KEY_RELEASE)
        t.key(KEYSYM_F5)
        row = t.wait_for("the outage in the complaints queue",
                         lambda: t.find(app, t.ROW_ROLES + ('list item',), contains=f"{outage['number']}"),
                         timeout=90)
        dashboard = t.wait_for("the queue's dashboard",
                               lambda: next((n for n in t.walk(app) if n.getRoleName() == 'label'
                                             and t.text_of(n).startswith('Open ')), None))
        if not t.find(app, t.ROW_ROLES + ('list item',), contains=filed[0]['number']):
            raise t.TestFailure("the first caller's complaint is not in the queue")
        if args.screenshots:
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'complaint-queue.png')])
        t.log(f"ok 4 - the queue lists both complaints: “{t.text_of(dashboard)}”")

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
    tmp = tempfile.mkdtemp(prefix='bijli-at-spi-complaints-')
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
