#!/usr/bin/python3
# at-spi-preferences.py: the preferences, driven as an operator with a
# screen reader would: opened with Ctrl+comma, the style switched to Dark
# and the language to Hindi by the options' accessible names, then
# "Restart now". Checks what the operator would notice: the window turns
# dark, and after the restart the sign-in page is in Hindi and still dark.
# The options are reached with Tab and chosen with Space.
#
# Run inside a private X server and D-Bus session, e.g.
#   tests/ui/xvfb-session.sh /usr/bin/python3 at-spi-preferences.py \
#       --desk build/src/ui/bijli-desk --locales build/po
#
# Needs Debian's python3-pyatspi, hence /usr/bin/python3.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pyatspi

TIMEOUT = 30.0
KEYCODE_CONTROL_L = 37   # Xvfb's default (evdev) keymap
SIGN_IN_HI = 'साइन इन करें'  # po/hi.po's "Sign in"
KEYSYM_TAB = 0xff09
KEYSYM_SPACE = 0x20


class TestFailure(Exception):
    pass


def log(message):
    print(message, flush=True)


def wait_for(what, probe, timeout=TIMEOUT):
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


def walk(node):
    if node is None:
        return
    yield node
    for i in range(node.childCount):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child)


def find(root, role_names, name):
    return next((node for node in walk(root)
                 if node.getRoleName() in role_names and node.name == name), None)


def find_desk(pid):
    for app in pyatspi.Registry.getDesktop(0):
        try:
            if app is not None and app.get_process_id() == pid:
                return app
        except Exception:
            continue
    return None


def press(node):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ('click', 'activate'):
            if not action.doAction(i):
                raise TestFailure(f"“{node.name}” refused {action.getName(i)}")
            return
    raise TestFailure(f"“{node.name}” has no click action")


def focused(root):
    return next((node for node in walk(root) if node.getState().contains(pyatspi.STATE_FOCUSED)), None)


def choose(root, name):
    """Tabs to the option named name, as a keyboard user would (GTK 4.8
    gives check buttons no AT-SPI action), and presses Space. The focus
    visits every option in order, so this also checks the focus order
    reaches it."""
    for _ in range(40):
        node = focused(root)
        if node is not None and node.name == name and node.getRoleName() in RADIO_ROLES:
            key(KEYSYM_SPACE)
            wait_for(f"“{name}” to be checked", lambda: is_checked(node))
            return node
        key(KEYSYM_TAB)
    raise TestFailure(f"Tab never reaches “{name}”")


def key(keysym):
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
    time.sleep(0.15)


def is_checked(node):
    return node.getState().contains(pyatspi.STATE_CHECKED)


def control_key(keysym):
    pyatspi.Registry.generateKeyboardEvent(KEYCODE_CONTROL_L, None, pyatspi.KEY_PRESS)
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
    pyatspi.Registry.generateKeyboardEvent(KEYCODE_CONTROL_L, None, pyatspi.KEY_RELEASE)
    time.sleep(0.2)


def screen_brightness(tmp):
    """Mean brightness of the main window, 0 (black) to 1 (white)."""
    shot = os.path.join(tmp, 'screen.png')
    subprocess.run(['import', '-window', 'root', shot], check=True)
    # The window sits at the top left (no window manager), 900×700.
    result = subprocess.run(['convert', shot, '-crop', '860x660+20+20', '+repage', '-colorspace', 'Gray',
                             '-format', '%[fx:mean]', 'info:'],
                            capture_output=True, text=True, check=True)
    return float(result.stdout)


def read_keyfile(path):
    try:
        with open(path) as keyfile:
            return keyfile.read()
    except FileNotFoundError:
        return ''


RADIO_ROLES = ('radio button', 'check box', 'toggle button')


def run(args, tmp):
    settings = os.path.join(tmp, 'config', 'glib-2.0', 'settings')
    os.makedirs(settings)
    keyfile = os.path.join(settings, 'keyfile')
    # Settings that survive the restart, as dconf keeps them on a desk.
    with open(keyfile, 'w') as out:
        out.write("[io/github/bijlidesk/BijliDesk]\nwindow-width=900\nwindow-height=700\n"
                  "color-scheme='light'\n")

    env = dict(os.environ)
    env.update({
        'GSETTINGS_BACKEND': 'keyfile',
        'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
        'XDG_DATA_HOME': os.path.join(tmp, 'data'),
        'XDG_CACHE_HOME': os.path.join(tmp, 'cache'),
        'BIJLI_DESK_LOCALEDIR': os.path.abspath(args.locales),
        'LANGUAGE': 'en',
        'GSK_RENDERER': env.get('GSK_RENDERER', 'cairo'),
    })
    env.pop('GTK_A11Y', None)
    env.pop('GTK_THEME', None)

    desk = subprocess.Popen([args.desk, '--server', 'http://127.0.0.1:9', '--username', 'operator'], env=env)
    try:
        app = wait_for("bijli-desk on the accessibility bus", lambda: find_desk(desk.pid))
        wait_for("the English sign-in page", lambda: find(app, ('push button',), 'Sign in'))
        light = screen_brightness(tmp)
        if light < 0.6:
            raise TestFailure(f"the light style is not light (mean brightness {light:.2f})")
        log(f"ok 1 - the desk starts in English, in the light style (brightness {light:.2f})")

        frames_before = app.childCount
        control_key(ord(','))
        preferences = wait_for("the preferences window after Ctrl+comma",
                               lambda: app.childCount > frames_before and
                               find(app, ('frame', 'dialog', 'window'), 'Preferences'))
        log("ok 2 - Ctrl+comma opens the preferences")

        english = wait_for("the English option", lambda: find(preferences, RADIO_ROLES, 'English'))
        system = find(preferences, RADIO_ROLES, 'System language')
        if system is None or not is_checked(system) or is_checked(english):
            raise TestFailure("the language options do not show “System language” as chosen")
        choose(preferences, 'Dark')
        wait_for("color-scheme='dark' in the settings", lambda: "color-scheme='dark'" in read_keyfile(keyfile))
        darkness = wait_for("the screen to turn dark", lambda: (lambda b: b if b < 0.35 else None)(
            screen_brightness(tmp)))
        log(f"ok 3 - choosing “Dark” turns the desk dark at once (brightness {darkness:.2f})")

        choose(preferences, 'हिन्दी')
        wait_for("language='hi' in the settings", lambda: "language='hi'" in read_keyfile(keyfile))
        restart = wait_for("the “Restart now” button", lambda: find(preferences, ('push button',), 'Restart now'))
        log("ok 4 - choosing हिन्दी saves it and offers “Restart now”")

        press(restart)
        # The desk replaces itself (exec), so it keeps its process id.
        def restarted_in_hindi():
            again = find_desk(desk.pid)
            return again if again is not None and find(again, ('push button',), SIGN_IN_HI) else None
        app = wait_for("the desk to come back with its sign-in page in Hindi", restarted_in_hindi)
        if find(app, ('push button',), 'Sign in') is not None:
            raise TestFailure("the restarted desk still shows the English “Sign in”")
        if desk.poll() is not None:
            raise TestFailure(f"bijli-desk exited with {desk.returncode} instead of restarting")
        log(f"ok 5 - “Restart now” brings the desk back in Hindi (“{SIGN_IN_HI}”)")

        darkness = wait_for("the restarted desk to be dark", lambda: (lambda b: b if b < 0.35 else None)(
            screen_brightness(tmp)))
        log(f"ok 6 - the restarted desk keeps the dark style (brightness {darkness:.2f})")
        return 0
    finally:
        if desk.poll() is None:
            desk.send_signal(signal.SIGTERM)
            try:
                desk.wait(timeout=10)
            except subprocess.TimeoutExpired:
                desk.kill()
                desk.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--desk', required=True)
    parser.add_argument('--locales', required=True, help="the build's po directory (compiled catalogues)")
    parser.add_argument('--keep', action='store_true', help="keep the temporary directory")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix='bijli-at-spi-prefs-')
    try:
        log("1..6")
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
