#!/usr/bin/python3
# at-spi-keyring.py: the desk keeps its session token in the Secret Service
# (gnome-keyring's session collection, started by D-Bus activation), never
# in a file; a restarted desk resumes the session without the password; a
# session the server has ended is forgotten and the operator is told.
#
#   xvfb-run -a dbus-run-session -- /usr/bin/python3 at-spi-keyring.py \
#       --desk build/src/ui/bijli-desk --central build/src/server/bijli-central
#
# SPDX-License-Identifier: GPL-3.0-or-later

import importlib.util
import os
import shutil
import subprocess
import sys
import urllib.request

_spec = importlib.util.spec_from_file_location(
    'at_spi_test', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'at-spi-test.py'))
t = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(t)


def kept_token(url, username):
    """The token the Secret Service holds for username at url, or None."""
    found = subprocess.run(['secret-tool', 'lookup', 'server', url, 'username', username],
                           capture_output=True, text=True, timeout=20)
    return found.stdout.strip() or None


def files_holding(root, secret):
    hits = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                with open(path, 'rb') as f:
                    if secret.encode() in f.read():
                        hits.append(path)
            except OSError:
                pass
    return hits


def start_desk(args, url, env, sign_in):
    command = [args.desk, '--server', url, '--username', 'operator']
    if sign_in:
        command.append('--sign-in')
    return subprocess.Popen(command, env=env)


def run(args, tmp):
    if shutil.which('secret-tool') is None or not os.path.exists('/usr/share/dbus-1/services/org.freedesktop.secrets.service'):
        raise t.TestFailure("needs gnome-keyring and secret-tool (build-aux/install-deps installs them)")
    central, url = t.start_central(args.central, os.path.join(tmp, 'central.db'))
    desk = None
    try:
        home = os.path.join(tmp, 'home')
        env = dict(os.environ)
        env.update({
            'HOME': home,
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'XDG_CACHE_HOME': os.path.join(tmp, 'cache'),
            'GSETTINGS_BACKEND': 'memory',
            'LANGUAGE': 'en',
            'GSK_RENDERER': env.get('GSK_RENDERER', 'cairo'),
        })
        env.pop('GTK_A11Y', None)
        os.makedirs(home, exist_ok=True)

        desk = start_desk(args, url, dict(env, BIJLI_DESK_PASSWORD='bijli-operator'), True)
        app = t.wait_for("bijli-desk on the accessibility bus", lambda: t.find_desk(desk.pid))
        t.wait_for("the search after signing in", lambda: t.find(app, t.TEXT_ROLES, name='Search consumers'),
                   timeout=60)
        token = t.wait_for("the token in the Secret Service", lambda: kept_token(url, 'operator'), timeout=20)
        leaks = files_holding(tmp, token)
        if leaks:
            raise t.TestFailure(f"the token is in files: {leaks}")
        t.log("ok 1 - after signing in, the token is in the Secret Service and in no file")

        t.stop_process(desk)
        desk = start_desk(args, url, env, False)
        app = t.wait_for("the restarted desk on the accessibility bus", lambda: t.find_desk(desk.pid))
        t.wait_for("the search without a password",
                   lambda: t.find(app, t.TEXT_ROLES, name='Search consumers'), timeout=60)
        t.log("ok 2 - a restarted desk resumes the session without the password")

        t.stop_process(desk)
        admin = t.api(url, '/api/v1/session', body={'username': 'admin', 'password': 'bijli-admin'})['token']
        request = urllib.request.Request(url + '/api/v1/users/operator/sessions', method='DELETE')
        request.add_header('Authorization', 'Bearer ' + admin)
        urllib.request.urlopen(request, timeout=10).read()
        desk = start_desk(args, url, env, False)
        app = t.wait_for("the desk after the sessions were ended", lambda: t.find_desk(desk.pid))
        t.wait_for("the message that the session has ended", lambda: t.find_error(app, 'session has ended'),
                   timeout=60)
        t.wait_for("the kept token to be forgotten", lambda: kept_token(url, 'operator') is None, timeout=20)
        t.log("ok 3 - a session the server has ended is forgotten, and the sign-in page says why")

        if desk.poll() is not None:
            raise t.TestFailure(f"bijli-desk exited with {desk.returncode}")
        t.log("ok 4 - bijli-desk is still running")
        return 0
    finally:
        t.stop_process(desk)
        t.stop_process(central)


def main():
    return t.run_script(__doc__, 4, 'bijli-at-spi-keyring-', run)


if __name__ == '__main__':
    sys.exit(main())
