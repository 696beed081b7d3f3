#!/usr/bin/python3
# at-spi-registration.py: registers a consumer for the app through the
# real bijli-desk's registration assistant, driven over the accessibility
# bus by accessible names, against a real bijli-central --demo; the OTP is
# read from the demo SMS endpoint as the consumer would read it from the
# phone. Then edits the consumer's indexing (email) and finds the change,
# masked, in the record's history.
#
# Run inside a private X server and D-Bus session (see xvfb-session.sh):
#   /usr/bin/python3 at-spi-registration.py --desk build/src/ui/bijli-desk \
#       --central build/src/server/bijli-central [--screenshots DIR]
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import gettext
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pyatspi

# The shared helpers of at-spi-test.py; no bytecode cache in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from importlib import import_module

base = import_module('at-spi-test')
TestFailure = base.TestFailure
log = base.log
wait_for = base.wait_for
find = base.find
find_desk = base.find_desk
text_of = base.text_of
set_text = base.set_text
press = base.press
walk = base.walk
all_text = base.all_text
TEXT_ROLES = base.TEXT_ROLES
KEYSYM_RETURN = base.KEYSYM_RETURN

# Names are looked up through the desk's own translations, so the same
# run works in Hindi (--lang hi, with BIJLI_DESK_LOCALEDIR) for screenshots.
_translation = gettext.NullTranslations()


def N(msgid):
    """The accessible name GTK gives a widget labelled msgid: translated,
    mnemonic underscores removed."""
    return _translation.gettext(msgid).replace('_', '')


english = True
USERNAME = 'asha.counter7'
PASSWORD = 'bijli2024desk'
EMAIL = 'asha.counter@example.in'
N_TESTS = 12


def api(url, path, token=None, body=None):
    try:
        return base.api(url, path, token=token, body=body)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def page_heading(app, account):
    return find(app, ('label',), contains=N('Account %s') % account)


def sensitive(node):
    return node is not None and node.getState().contains(pyatspi.STATE_SENSITIVE)


def button(root, name):
    return find(root, ('push button', 'toggle button'), name=name)


def wait_button(root, name, timeout=20.0):
    return wait_for(f"the “{name}” button to be clickable",
                    lambda: (lambda b: b if sensitive(b) else None)(button(root, name)), timeout)


def any_alert(root):
    """A validation message on show: an alert with text."""
    for node in walk(root):
        if node.getRoleName() in ('alert', 'notification') and text_of(node).strip():
            return node
    return None


def find_frame(app, title):
    for i in range(app.childCount):
        frame = app.getChildAtIndex(i)
        if frame is not None and frame.name == title:
            return frame
    return None


def screenshot(args, name):
    if not args.screenshots:
        return
    path = os.path.join(args.screenshots, name + '.png')
    time.sleep(0.6)   # let style transitions finish
    subprocess.run(['import', '-window', 'root', path], check=False)
    log(f"# screenshot {path}")


def pick_consumer(url, token):
    """A consumer of the operator's zone with a mobile, not registered yet."""
    changes = api(url, '/api/v1/changes?limit=200', token=token)['changes']
    for change in changes:
        consumer = change.get('consumer') or {}
        if consumer.get('mobile') and api(url, f"/api/v1/registrations/{consumer['account']}", token=token) is None:
            return consumer
    raise TestFailure("no demo consumer with a mobile and no app registration")


def latest_otp(url, token, mobile, newer_than):
    messages = api(url, '/api/v1/demo/sms?' + urllib.parse.urlencode({'mobile': mobile}), token=token)['messages']
    for message in messages:
        if message['id'] <= newer_than:
            continue
        match = re.search(r'OTP (\d{6})', message['text']) or re.search(r'\b(\d{6})\b', message['text'])
        if match:
            return match.group(1), message
    return None


def last_sms_id(url, token, mobile):
    messages = api(url, '/api/v1/demo/sms?' + urllib.parse.urlencode({'mobile': mobile}), token=token)['messages']
    return max((m['id'] for m in messages), default=0)


def run(args, tmp):
    central, url = base.start_central(args.central, os.path.join(tmp, 'central.db'))
    desk = None
    try:
        log(f"# bijli-central at {url}")
        token = api(url, '/api/v1/session', body={'username': 'operator', 'password': 'bijli-operator'})['token']
        consumer = pick_consumer(url, token)
        account, mobile = consumer['account'], consumer['mobile']
        masked = mobile[:2] + 'X' * (len(mobile) - 4) + mobile[-2:]
        log(f"# will register account {account}")

        env = dict(os.environ)
        env.pop('BIJLI_DESK_PASSWORD', None)
        env.pop('GTK_A11Y', None)
        env.update({
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'XDG_CACHE_HOME': os.path.join(tmp, 'cache'),
            'GSETTINGS_BACKEND': 'memory',
            'LANGUAGE': args.lang,
            'GSK_RENDERER': env.get('GSK_RENDERER', 'cairo'),
        })
        desk = subprocess.Popen([args.desk, '--server', url, '--username', 'operator'], env=env)
        app = wait_for("bijli-desk on the accessibility bus", lambda: find_desk(desk.pid))

        password = wait_for("the password field", lambda: find(app, TEXT_ROLES, name=N('Password')))
        set_text(password, 'bijli-operator')
        press(wait_button(app, N('Sign in')))
        search = wait_for("the search after sign-in", lambda: find(app, TEXT_ROLES, name=N('Search consumers')), 60)
        set_text(search, account)
        wait_for("the consumer page", lambda: page_heading(app, account))
        log(f"ok 1 - signed in and opened account {account}")

        register = wait_button(app, N('Register for the app'))
        if masked not in all_text(app) or mobile in all_text(app):
            raise TestFailure("the page does not show only the masked mobile")
        log("ok 2 - “Register for the app” is offered once the server says the account is not registered")

        press(register)
        assistant = wait_for("the assistant window", lambda: find_frame(app, N('Register for the app')))
        entry = wait_for("the account field", lambda: find(assistant, TEXT_ROLES, name=N('Account number')))
        if text_of(entry) != account:
            raise TestFailure(f"the account field holds “{text_of(entry)}”, not {account}")
        screenshot(args, 'assistant-account')
        press(wait_button(assistant, N('_Check account')))
        confirm = wait_button(assistant, N('_Confirm'))
        text = all_text(assistant)
        if (english and consumer['name_en'] not in text) or masked not in text or mobile in text:
            raise TestFailure("the identity step does not show the name and only the masked mobile")
        screenshot(args, 'assistant-identity')
        log("ok 3 - the account is checked with the server and the identity shown")

        # Back and forward again.
        press(wait_button(assistant, N('Back')))
        wait_button(assistant, N('_Check account'))
        press(wait_button(assistant, N('_Check account')))
        press(wait_button(assistant, N('_Confirm')))
        send = wait_button(assistant, N('_Send code'))
        log("ok 4 - Back returns to the account step and Continue comes back")

        before = last_sms_id(url, token, mobile)
        press(send)
        code_entry = wait_for("the code field",
                              lambda: find(assistant, TEXT_ROLES, name=N('6-digit code from the SMS')))
        found = wait_for("the OTP SMS", lambda: latest_otp(url, token, mobile, before))
        code, message = found
        if 'OTP' not in message['text'] or 'बिजली' not in message['text']:
            raise TestFailure("the OTP SMS is not bilingual")
        wait_for("the delivery state “Delivered”", lambda: _translation.pgettext('sms status', 'Delivered') in all_text(assistant), 20)
        text = all_text(assistant)
        if 'IST' not in text or (english and 'valid until' not in text):
            raise TestFailure("the code step shows no time left in IST")
        if english and 'Resend in' not in text:
            raise TestFailure("the resend button shows no cooldown")
        screenshot(args, 'assistant-otp')
        log("ok 5 - the code is sent, its delivery polled to “Delivered”, the time left and cooldown shown")

        wrong = '000000' if code != '000000' else '111111'
        set_text(code_entry, wrong)
        press(wait_button(assistant, N('_Verify code')))
        wait_for("the wrong-code message", lambda: any_alert(assistant))
        if english and '4 more tries' not in all_text(assistant):
            raise TestFailure("the wrong-code message does not say how many tries are left")
        log("ok 6 - a wrong code is refused with the tries left")

        set_text(code_entry, code)
        # Enter in the field verifies, as the main button would.
        # The field has the focus: the assistant puts it back there after a
        # wrong code.
        time.sleep(0.3)
        base.key(KEYSYM_RETURN)
        username_entry = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and username_entry is None:
            candidate = find(assistant, TEXT_ROLES, name=N('App username'))
            if candidate is not None and button(assistant, N('_Register')) is not None:
                username_entry = candidate
            time.sleep(0.2)
        if username_entry is None:
            log("# Enter did not reach the field; pressing “Verify code”")
            press(wait_button(assistant, N('_Verify code')))
        wait_for("the credentials step", lambda: button(assistant, N('_Register')))
        log("ok 7 - the right code is accepted")

        username_entry = find(assistant, TEXT_ROLES, name=N('App username'))
        set_text(username_entry, 'Ab')
        set_text(find(assistant, TEXT_ROLES, name=N('New password')), PASSWORD)
        set_text(find(assistant, TEXT_ROLES, name=N('Repeat the password')), PASSWORD)
        press(wait_button(assistant, N('_Register')))
        wait_for("the username message", lambda: any_alert(assistant))
        if button(assistant, N('_Close')) is not None and sensitive(button(assistant, N('_Close'))):
            raise TestFailure("an invalid username was accepted")
        set_text(username_entry, USERNAME)
        screenshot(args, 'assistant-credentials')
        press(wait_button(assistant, N('_Register')))
        close = wait_button(assistant, N('_Close'))
        if f"“{USERNAME}”" not in all_text(assistant):
            raise TestFailure("the last step does not show the username")
        screenshot(args, 'assistant-done')
        registration = api(url, f'/api/v1/registrations/{account}', token=token)
        if registration is None or registration['username'] != USERNAME:
            raise TestFailure(f"the server has no registration as {USERNAME}: {registration}")
        log(f"ok 8 - registered as {USERNAME}; the server agrees")

        press(close)
        wait_for("the assistant to close", lambda: find_frame(app, N('Register for the app')) is None)
        wait_for("the page to say registered",
                 lambda: N('Registered in the app as %s') % USERNAME in all_text(app))
        if sensitive(button(app, N('Register for the app'))):
            raise TestFailure("“Register for the app” is still clickable after registration")
        log("ok 9 - the page shows the app username and no longer offers registration")

        press(wait_button(app, N('Edit indexing')))
        dialog = wait_for("the indexing dialog", lambda: find_frame(app, N('Edit indexing')))
        email = wait_for("the email field", lambda: find(dialog, TEXT_ROLES, name=N('Email')))
        set_text(find(dialog, TEXT_ROLES, name=N('PAN')), 'ABCDE12345')
        wait_for("the PAN message", lambda: any_alert(dialog) and not sensitive(button(dialog, N('Save'))))
        screenshot(args, 'indexing-invalid')
        set_text(find(dialog, TEXT_ROLES, name=N('PAN')), '')
        set_text(email, EMAIL)
        save = wait_button(dialog, N('Save'))
        screenshot(args, 'indexing-valid')
        press(save)
        wait_for("the dialog to close", lambda: find_frame(app, N('Edit indexing')) is None)
        log("ok 10 - an invalid PAN keeps Save off; a valid email is saved")

        def server_email():
            indexing = api(url, f'/api/v1/consumers/{account}/indexing', token=token)
            return indexing is not None and indexing.get('email') == EMAIL
        wait_for("the email on the server", server_email, 30)
        saved = N('%s: %s') % (N('State'), N('Saved'))
        wait_for("the state “Saved”", lambda: saved in all_text(app), 30)
        log("ok 11 - the push worker delivered the change and the page says “Saved”")
        screenshot(args, 'overview')

        history = wait_for("the History section", lambda: find(app, ('toggle button', 'push button', 'page tab'),
                                                                name=N('History')))
        press(history)
        local, domain = EMAIL.split('@')
        def email_row():
            for node in walk(app):
                name = node.name or ''
                if N('Email') in name and '@' + domain in name:
                    return node
            return None
        row = wait_for("the email change in the history", email_row, 30)
        if EMAIL in all_text(app):
            raise TestFailure("the full email is in the history")
        screenshot(args, 'history')
        log(f"ok 12 - the history lists “{row.name}”")
        return 0
    finally:
        base.stop_process(desk)
        base.stop_process(central)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--desk', required=True)
    parser.add_argument('--central', required=True)
    parser.add_argument('--lang', default='en')
    parser.add_argument('--screenshots', help="save screenshots of each step here")
    parser.add_argument('--keep', action='store_true', help="keep the temporary directory")
    args = parser.parse_args()

    global _translation
    if args.lang != 'en' and os.environ.get('BIJLI_DESK_LOCALEDIR'):
        _translation = gettext.translation('bijli-desk', os.environ['BIJLI_DESK_LOCALEDIR'], [args.lang], fallback=True)
    global english
    english = args.lang == 'en'
    tmp = tempfile.mkdtemp(prefix='bijli-at-spi-registration-')
    try:
        log(f"1..{N_TESTS}")
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
