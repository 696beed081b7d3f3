#!/usr/bin/python3
# at-spi-test.py: drives the real bijli-desk through the accessibility bus,
# the way a screen reader (or an operator with a keyboard) would, against a
# real bijli-central with demo data.
#
# Run inside a private X server and D-Bus session, e.g.
#   xvfb-run -a dbus-run-session -- /usr/bin/python3 at-spi-test.py \
#       --desk build/src/ui/bijli-desk --central build/src/server/bijli-central
#
# Needs Debian's python3-pyatspi, hence /usr/bin/python3.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import pyatspi

TIMEOUT = 20.0


class TestFailure(Exception):
    pass


def log(message):
    print(message, flush=True)


def wait_for(what, probe, timeout=TIMEOUT):
    """Polls probe() until it returns something truthy; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = probe()
        except Exception:  # the tree changes under us while we walk it
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TestFailure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


# --- bijli-central -----------------------------------------------------------

def start_central(central, db_path):
    proc = subprocess.Popen([central, '--demo', '--consumers', '800', '--port', '0', '--db', db_path],
                            stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if not ready:
            if proc.poll() is not None:
                raise TestFailure(f"bijli-central exited with {proc.returncode}")
            continue
        line = proc.stdout.readline()
        if not line:
            raise TestFailure("bijli-central closed its output before listening")
        match = re.match(r'Listening on (http://127\.0\.0\.1:\d+)$', line.strip())
        if match:
            return proc, match.group(1)
    raise TestFailure("bijli-central did not start listening")


def stop_process(proc, sig=signal.SIGTERM):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def api(url, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method='POST' if data else 'GET')
    request.add_header('Content-Type', 'application/json')
    if token:
        request.add_header('Authorization', 'Bearer ' + token)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def pick_consumers(url):
    """Two consumers of the operator's zone: one to find by account, one
    (with a distinctive English name) to find by name once offline."""
    token = api(url, '/api/v1/session', body={'username': 'operator', 'password': 'bijli-operator'})['token']
    consumers = api(url, '/api/v1/changes?limit=50', token=token)['changes']
    consumers = [change['consumer'] for change in consumers if change.get('kind') == 'consumer']
    if len(consumers) < 2:
        raise TestFailure("the demo server returned fewer than two consumers")
    by_account = consumers[0]
    by_name = None
    for consumer in consumers[1:]:
        query = consumer['name_en']
        results = api(url, '/api/v1/consumers?' + urllib.parse.urlencode({'q': query, 'limit': 50}),
                      token=token)['consumers']
        if any(result['account'] == consumer['account'] for result in results) and len(results) <= 20:
            by_name = consumer
            break
    if by_name is None:
        raise TestFailure("no demo consumer is findable by name on the server")
    return by_account, by_name


# --- the accessibility tree --------------------------------------------------

def walk(node):
    """Yields node and its descendants. GTK 4.8 marks only the window as
    showing and keeps hidden stack pages in the tree, so callers look for
    content that exists only on the page they expect."""
    if node is None:
        return
    yield node
    for i in range(node.childCount):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child)


def text_of(node):
    try:
        text = node.queryText()
        # GTK 4.8 answers "" to getText(0, -1); ask for the exact range.
        return text.getText(0, text.characterCount)
    except NotImplementedError:
        return ''
    except Exception:
        return ''


def find(root, role_names, name=None, contains=None):
    for node in walk(root):
        if node.getRoleName() not in role_names:
            continue
        if name is not None and node.name != name:
            continue
        if contains is not None:
            haystack = (node.name or '') + '\n' + text_of(node)
            if contains.lower() not in haystack.lower():
                continue
        return node
    return None


def find_error(root, word):
    """The inline error: an alert (or label) that mentions word in a
    sentence, not a field's title such as "Password"."""
    for node in walk(root):
        if node.getRoleName() not in ('alert', 'notification', 'label'):
            continue
        text = (text_of(node) or node.name or '').strip()
        if word in text.lower() and text.lower() != word:
            return node
    return None


def find_desk(pid):
    desktop = pyatspi.Registry.getDesktop(0)
    for app in desktop:
        if app is None:
            continue
        try:
            if app.get_process_id() == pid:
                return app
        except Exception:
            continue
    return None


def set_text(node, text):
    editable = node.queryEditableText()
    if not editable.setTextContents(text):
        raise TestFailure(f"could not type into “{node.name}”")


def press(node, action_names=('click', 'activate')):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in action_names:
            if not action.doAction(i):
                raise TestFailure(f"“{node.name}” refused {action.getName(i)}")
            return
    raise TestFailure(f"“{node.name}” has no {'/'.join(action_names)} action")


TEXT_ROLES = ('text', 'entry', 'password text')
ROW_ROLES = ('panel', 'list item', 'group')
KEYSYM_RETURN = 0xff0d
KEYSYM_DOWN = 0xff54
# Xvfb's default (evdev) keymap.
KEYCODE_ALT_L = 64


def key(keysym):
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
    time.sleep(0.15)


def alt_key(keysym):
    pyatspi.Registry.generateKeyboardEvent(KEYCODE_ALT_L, None, pyatspi.KEY_PRESS)
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
    pyatspi.Registry.generateKeyboardEvent(KEYCODE_ALT_L, None, pyatspi.KEY_RELEASE)
    time.sleep(0.15)


def all_text(root):
    """Everything a screen reader could read out: names, descriptions and
    text contents of every node."""
    parts = []
    for node in walk(root):
        try:
            parts.append(node.name or '')
            parts.append(node.description or '')
        except Exception:
            pass
        parts.append(text_of(node))
    return '\n'.join(parts)


def page_heading(app, account):
    return find(app, ('label',), contains=f'Account {account}')


def row_account(item):
    row = find(item, ROW_ROLES, contains='Account ')
    match = re.search(r'Account (\d+)', row.name or '') if row else None
    return match.group(1) if match else None


def pick_surname(url, token_user=('operator', 'bijli-operator')):
    """A surname with at least three consumers in the zone, for stepping
    through results."""
    token = api(url, '/api/v1/session', body={'username': token_user[0], 'password': token_user[1]})['token']
    consumers = api(url, '/api/v1/changes?limit=200', token=token)['changes']
    counts = {}
    for change in consumers:
        words = change['consumer']['name_en'].split()
        if words:
            counts[words[-1]] = counts.get(words[-1], 0) + 1
    for surname, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        if count >= 3:
            return surname
    raise TestFailure("no surname is shared by three demo consumers")


# --- the test ----------------------------------------------------------------

def run(args, tmp):
    central, url = start_central(args.central, os.path.join(tmp, 'central.db'))
    desk = None
    try:
        log(f"# bijli-central at {url}")
        by_account, by_name = pick_consumers(url)
        account = by_account['account']
        other_account = by_name['account']
        log(f"# will look for account {account}, then for a second consumer by name offline")

        env = dict(os.environ)
        env.pop('BIJLI_DESK_PASSWORD', None)
        env.update({
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'XDG_CACHE_HOME': os.path.join(tmp, 'cache'),
            'GSETTINGS_BACKEND': 'memory',
            'LANGUAGE': 'en',
            'GSK_RENDERER': env.get('GSK_RENDERER', 'cairo'),
        })
        env.pop('GTK_A11Y', None)
        desk = subprocess.Popen([args.desk, '--server', url, '--username', 'operator'], env=env)

        app = wait_for("bijli-desk on the accessibility bus", lambda: find_desk(desk.pid))
        log("ok 1 - bijli-desk is on the accessibility bus")

        server_entry = wait_for("the server address field",
                                lambda: find(app, TEXT_ROLES, name='Server address'))
        username_entry = find(app, TEXT_ROLES, name='User name')
        password_entry = find(app, TEXT_ROLES, name='Password')
        sign_in = find(app, ('push button',), name='Sign in')
        if None in (username_entry, password_entry, sign_in):
            raise TestFailure("the sign-in page lacks a field or the Sign in button")
        if text_of(server_entry) != url:
            raise TestFailure(f"server address shows “{text_of(server_entry)}”, not {url}")
        if text_of(username_entry) != 'operator':
            raise TestFailure("user name was not filled in from --username")
        if sign_in.getState().contains(pyatspi.STATE_SENSITIVE):
            raise TestFailure("Sign in is clickable with an empty password")
        log("ok 2 - the sign-in page shows its fields, filled from the command line")

        set_text(password_entry, 'not-the-password')
        wait_for("Sign in to become clickable",
                 lambda: sign_in.getState().contains(pyatspi.STATE_SENSITIVE))
        press(sign_in)
        error = wait_for("a message about the wrong password", lambda: find_error(app, 'password'))
        log(f"ok 3 - a wrong password is refused: “{text_of(error) or error.name}”")

        password_entry = find(app, TEXT_ROLES, name='Password')
        set_text(password_entry, 'bijli-operator')
        wait_for("Sign in to become clickable",
                 lambda: sign_in.getState().contains(pyatspi.STATE_SENSITIVE))
        press(sign_in)
        def synced_status():
            return next((node for node in walk(app)
                         if node.getRoleName() == 'label' and text_of(node).startswith('Synced')), None)
        status = wait_for("the “Synced” status after sign-in and sync", synced_status, timeout=60)
        search = find(app, TEXT_ROLES, name='Search consumers')
        if search is None:
            raise TestFailure("the main page has no search entry")
        log(f"ok 4 - signing in copies the zone and shows the search ({text_of(status)})")

        set_text(search, account)
        results = wait_for("the results list", lambda: find(app, ('list',), name='Search results'))
        row = wait_for(f"a result for account {account}",
                       lambda: find(results, ROW_ROLES, contains=account))
        log(f"ok 5 - searching by account finds it: “{row.name}”")

        # An exact account number opens the record by itself, no Enter.
        heading = wait_for("the consumer page to open by itself", lambda: page_heading(app, account))
        copy = find(app, ('push button',), name='Copy account')
        if copy is None:
            raise TestFailure("the consumer page has no Copy account button")
        balance = find(app, ('label',), contains='₹')
        if balance is None:
            raise TestFailure("the consumer page shows no balance")
        for label in ('Communication', 'Last reading', 'Supply status', 'Feeder'):
            if find(app, ROW_ROLES + ('label', 'list item'), contains=label) is None:
                raise TestFailure(f"the consumer page has no “{label}”")
        mobile = by_account.get('mobile')
        if mobile:
            masked = mobile[:2] + 'X' * (len(mobile) - 4) + mobile[-2:]
            text = all_text(app)
            if mobile in text:
                raise TestFailure("the full mobile number is in the accessible text")
            if masked not in text:
                raise TestFailure(f"the masked mobile {masked} is not shown")
        log(f"ok 6 - the exact account opens “{text_of(heading) or heading.name}” with only the masked mobile")

        # Keyboard flow: type a surname, Down into the results, Down again,
        # Enter opens the second result; Alt+Down opens the third.
        surname = pick_surname(url)
        set_text(search, surname)
        wait_for(f"three results for “{surname}”",
                 lambda: results.childCount >= 3 and row_account(results.getChildAtIndex(2)))
        second = row_account(results.getChildAtIndex(1))
        third = row_account(results.getChildAtIndex(2))
        # The search entry still has the focus: opening a record leaves it
        # there so the next number can be typed.
        key(KEYSYM_DOWN)
        key(KEYSYM_DOWN)
        key(KEYSYM_RETURN)
        wait_for(f"the second result ({second}) after Down, Down, Enter", lambda: page_heading(app, second))
        alt_key(KEYSYM_DOWN)
        wait_for(f"the third result ({third}) after Alt+Down", lambda: page_heading(app, third))
        log("ok 7 - Down, Down, Enter and Alt+Down step through the results")

        # Open in a new window: a second window with that account's record.
        frames_before = sum(1 for i in range(app.childCount) if app.getChildAtIndex(i) is not None)
        press(find(app, ('push button',), name='Open in new window'))
        def second_window():
            frames = [app.getChildAtIndex(i) for i in range(app.childCount)]
            frames = [f for f in frames if f is not None]
            if len(frames) <= frames_before:
                return None
            return next((f for f in frames if page_heading(f, third) and
                         f.name and third in f.name), None)
        window = wait_for("a second window showing the record", second_window)
        if by_account.get('mobile') and by_account['mobile'] in all_text(window):
            raise TestFailure("the full mobile number is in the new window")
        log(f"ok 8 - “Open in new window” opens “{window.name}”")

        stop_process(central)
        log("# bijli-central stopped")
        query = by_name['name_en']
        set_text(search, query)
        row = wait_for(f"an offline result for “{query}”",
                       lambda: find(results, ROW_ROLES, contains=other_account))
        # Open it by selecting it, as the arrow keys or a click would.
        items = [results.getChildAtIndex(i) for i in range(results.childCount)]
        index = next(i for i, item in enumerate(items) if find(item, ('panel', 'group'), contains=other_account))
        if not results.querySelection().selectChild(index):
            raise TestFailure("the offline result could not be selected")
        wait_for("the consumer page of the offline result",
                 lambda: page_heading(app, other_account))
        log("ok 9 - search by name still works with the server stopped, and opens the record")

        if desk.poll() is not None:
            raise TestFailure(f"bijli-desk exited with {desk.returncode}")
        log("ok 10 - bijli-desk is still running")
        return 0
    finally:
        stop_process(desk)
        stop_process(central)


def run_script(description, plan, prefix, body):
    """The command line and TAP frame of an AT-SPI test script: parses
    --desk, --central, --screenshots and --keep, prints the plan, runs
    body(args, tmp) in a temporary folder and turns a TestFailure into
    "not ok"; returns the exit status."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--desk', required=True)
    parser.add_argument('--central', required=True)
    parser.add_argument('--screenshots', help="save screenshots in this folder")
    parser.add_argument('--keep', action='store_true', help="keep the temporary directory")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        log(f"1..{plan}")
        return body(args, tmp)
    except TestFailure as failure:
        log(f"not ok - {failure}")
        return 1
    finally:
        if args.keep:
            log(f"# kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--desk', required=True)
    parser.add_argument('--central', required=True)
    parser.add_argument('--keep', action='store_true', help="keep the temporary directory")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix='bijli-at-spi-')
    try:
        log("1..10")
        return run(args, tmp)
    except TestFailure as failure:
        log(f"not ok - {failure}")
        return 1
    finally:
        if args.keep:
            log(f"# kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
