#!/usr/bin/python3
# at-spi-staff.py: an administrator manages the zone's staff from the desk
# (Ctrl+Shift+U), driven through the accessibility bus against a real
# bijli-central: a weak password is refused at the field, a new operator is
# created and signs in, is disabled (their session ends at once) and
# enabled again, and the audit log names this desk's id.
#
#   xvfb-run -a dbus-run-session -- /usr/bin/python3 at-spi-staff.py \
#       --desk build/src/ui/bijli-desk --central build/src/server/bijli-central
#
# SPDX-License-Identifier: GPL-3.0-or-later

import importlib.util
import os
import subprocess
import sys
import time
import urllib.error

import pyatspi

_spec = importlib.util.spec_from_file_location(
    'at_spi_test', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'at-spi-test.py'))
t = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(t)

KEYCODE_CONTROL_L = 37
KEYCODE_SHIFT_L = 50
KEYSYM_U = 0x75
NEW_USER = 'kavita.rao'
PASSWORD = 'tulip-monsoon-88'


def status_of(call):
    try:
        call()
        return 200
    except urllib.error.HTTPError as error:
        return error.code


def run(args, tmp):
    central, url = t.start_central(args.central, os.path.join(tmp, 'central.db'))
    desk = None
    try:
        admin = t.api(url, '/api/v1/session', body={'username': 'admin', 'password': 'bijli-admin'})['token']
        env = dict(os.environ)
        env.update({
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'GSETTINGS_BACKEND': 'memory',
            'LANGUAGE': 'en',
            'BIJLI_DESK_PASSWORD': 'bijli-admin',
            'GSK_RENDERER': env.get('GSK_RENDERER', 'cairo'),
        })
        env.pop('GTK_A11Y', None)
        desk = subprocess.Popen([args.desk, '--server', url, '--username', 'admin', '--sign-in'], env=env)
        app = t.wait_for("bijli-desk on the accessibility bus", lambda: t.find_desk(desk.pid))
        t.wait_for("the search after signing in as the administrator",
                   lambda: t.find(app, t.TEXT_ROLES, name='Search consumers'), timeout=60)
        t.log("ok 1 - the administrator is signed in")

        pyatspi.Registry.generateKeyboardEvent(KEYCODE_CONTROL_L, None, pyatspi.KEY_PRESS)
        pyatspi.Registry.generateKeyboardEvent(KEYCODE_SHIFT_L, None, pyatspi.KEY_PRESS)
        pyatspi.Registry.generateKeyboardEvent(KEYSYM_U, None, pyatspi.KEY_SYM)
        pyatspi.Registry.generateKeyboardEvent(KEYCODE_SHIFT_L, None, pyatspi.KEY_RELEASE)
        pyatspi.Registry.generateKeyboardEvent(KEYCODE_CONTROL_L, None, pyatspi.KEY_RELEASE)
        users = t.wait_for("the staff list", lambda: t.find(app, ('list',), name='Staff users'), timeout=30)
        t.wait_for("the supervisor in the staff list",
                   lambda: t.find(users, t.ROW_ROLES + ('list item', 'label'), contains='R. K. Tiwari'))
        own = t.find(app, ('push button',), name='Disable admin')
        if own is None or own.getState().contains(pyatspi.STATE_SENSITIVE):
            raise t.TestFailure("the administrator's own Disable button is missing or usable")
        t.log("ok 2 - Ctrl+Shift+U lists the zone's staff; the administrator cannot disable themselves")
        if args.screenshots:
            time.sleep(0.5)
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'staff-accounts.png')])

        t.press(t.wait_for("New User", lambda: t.find(app, ('push button',), name='New User…')))
        username = t.wait_for("the user name field", lambda: t.find(app, t.TEXT_ROLES, contains='User name (a'))
        full_name = t.wait_for("the full name field", lambda: t.find(app, t.TEXT_ROLES, name='Full name'))
        first = t.wait_for("the password field", lambda: t.find(app, t.TEXT_ROLES, name='First password'))
        again = t.wait_for("the confirmation field", lambda: t.find(app, t.TEXT_ROLES, name='The password again'))
        create = t.wait_for("Create User", lambda: t.find(app, ('push button',), name='Create User'))
        dialog = create
        while dialog.parent is not None and dialog.getRoleName() not in ('frame', 'dialog', 'window'):
            dialog = dialog.parent
        unnamed = [n for n in t.walk(dialog) if n.getRoleName() in ('push button', 'toggle button')
                   and (not n.name or n.name.startswith('Gtk'))]
        if unnamed:
            def path(n):
                parts = []
                while n is not None and len(parts) < 8:
                    parts.append(f"{n.getRoleName()}:{n.name}")
                    n = n.parent
                return " < ".join(parts)
            raise t.TestFailure(f"{len(unnamed)} buttons have no accessible name: " + " | ".join(path(n) for n in unnamed))
        t.set_text(username, NEW_USER)
        t.set_text(full_name, 'Kavita Rao')
        t.set_text(first, 'short1')
        t.wait_for("the password rule at the field", lambda: t.find_error(app, '12 characters'))
        if create.getState().contains(pyatspi.STATE_SENSITIVE):
            raise t.TestFailure("Create User is usable with a weak password")
        t.set_text(first, PASSWORD)
        t.set_text(again, PASSWORD)
        if args.screenshots:
            time.sleep(0.5)
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'staff-new-user.png')])
        t.wait_for("Create User to be usable", lambda: create.getState().contains(pyatspi.STATE_SENSITIVE))
        t.log("ok 3 - a weak password is refused at the field, in words")
        t.press(create)
        t.wait_for("the new user in the list",
                   lambda: t.find(app, t.ROW_ROLES + ('list item', 'label'), contains='Kavita Rao'), timeout=20)
        token = t.api(url, '/api/v1/session', body={'username': NEW_USER, 'password': PASSWORD})['token']
        t.log("ok 4 - the new operator is created on the server and signs in")

        disable = t.wait_for("Disable for the new user",
                             lambda: t.find(app, ('push button',), name=f'Disable {NEW_USER}'))
        t.press(disable)
        def confirmation():
            # AdwMessageDialog's buttons are named from their mnemonic label.
            return next((n for n in t.walk(app) if n.getRoleName() == 'push button'
                         and n.name.replace('_', '').split(' ')[0] == 'Disable' and ' ' not in n.name.strip('_')
                         or n.getRoleName() == 'push button' and n.name == '_Disable Disable'), None)
        confirm = t.wait_for("the confirmation", confirmation)
        t.press(confirm)
        t.wait_for("the session to end",
                   lambda: status_of(lambda: t.api(url, '/api/v1/session', token=token)) == 401, timeout=20)
        enable = t.wait_for("Enable for the disabled user",
                            lambda: t.find(app, ('push button',), name=f'Enable {NEW_USER}'), timeout=20)
        t.log("ok 5 - disabling (after a confirmation) ends the user's session at once")
        t.press(enable)
        t.wait_for("the user enabled",
                   lambda: t.find(app, ('push button',), name=f'Disable {NEW_USER}'), timeout=20)
        t.api(url, '/api/v1/session', body={'username': NEW_USER, 'password': PASSWORD})
        t.log("ok 6 - enabled again, the user signs in")

        t.press(t.wait_for("Edit for the new user", lambda: t.find(app, ('push button',), name=f'Edit {NEW_USER}')))
        zones = t.wait_for("the zones field", lambda: t.find(app, t.TEXT_ROLES, contains='Other zones'))
        t.set_text(zones, 'lko-e')
        save = t.wait_for("Save Changes", lambda: t.find(app, ('push button',), name='Save Changes'))
        t.wait_for("Save Changes to be usable", lambda: save.getState().contains(pyatspi.STATE_SENSITIVE))
        t.press(save)
        t.wait_for("the second zone on the server",
                   lambda: t.api(url, f'/api/v1/users/{NEW_USER}', token=admin)['zones'] == ['LKO-E'], timeout=20)
        east = t.api(url, '/api/v1/session', body={'username': NEW_USER, 'password': PASSWORD, 'zone': 'LKO-E'})
        if east['zone'] != 'LKO-E':
            raise t.TestFailure(f"the user did not sign in to the second zone: {east}")
        t.log("ok 7 - Edit gives a second zone, and the user signs in to it")

        entries = t.api(url, f'/api/v1/audit?target={NEW_USER}&limit=20', token=admin)['entries']
        actions = {e['action'] for e in entries}
        desks = {e['desk'] for e in entries}
        if not {'user.create', 'user.disable', 'user.enable'} <= actions:
            raise t.TestFailure(f"the audit log lacks the changes: {sorted(actions)}")
        if len(desks) != 1 or None in desks or len(next(iter(desks))) != 36:
            raise t.TestFailure(f"the audit entries do not name this desk: {desks}")
        t.log(f"ok 8 - the audit log has the changes, from desk {next(iter(desks))}")

        if desk.poll() is not None:
            raise t.TestFailure(f"bijli-desk exited with {desk.returncode}")
        t.log("ok 9 - bijli-desk is still running")
        return 0
    finally:
        t.stop_process(desk)
        t.stop_process(central)


def main():
    return t.run_script(__doc__, 9, 'bijli-at-spi-staff-', run)


if __name__ == '__main__':
    sys.exit(main())
