#!/usr/bin/env python3
"""The shortcuts window (ui/help-overlay.ui) lists exactly the shortcuts
the desk has: every accelerator set with gtk_application_set_accels_for_action
in src/ui/bd-application.c, plus the keys widgets handle themselves, and
nothing else (no shortcut for a feature that does not exist).
"""
import re
import sys
import xml.etree.ElementTree as ET

# Keys handled by widgets rather than by actions: the search entry and the
# results list (src/ui/bd-search-panel.c) and "/" (src/ui/bd-window-actions.c).
WIDGET_KEYS = {'Down', 'Up', 'Return', 'Escape', 'slash'}


def normalise(accelerator):
    mods = sorted(m.lower() for m in re.findall(r'<(\w+)>', accelerator))
    key = re.sub(r'<\w+>', '', accelerator)
    if len(key) == 1:
        key = key.lower()
    if key.startswith('KP_'):
        key = key[3:]
    return ''.join(f'<{m}>' for m in mods) + key


def app_accelerators(source):
    with open(source) as f:
        text = f.read()
    arrays = {name: re.findall(r'"([^"]+)"', body)
              for name, body in re.findall(r'static const char \*(\w+)\[\] = \{([^}]*)\};', text)}
    accels = {}
    for action, array in re.findall(r'set_accels_for_action \([^,]+, "([\w.-]+)", (\w+)\)', text):
        for accel in arrays[array]:
            accels[normalise(accel)] = action
    return accels


def overlay_accelerators(path):
    listed = set()
    for shortcut in ET.parse(path).iter('object'):
        if shortcut.get('class') != 'GtkShortcutsShortcut':
            continue
        for prop in shortcut.findall('property'):
            if prop.get('name') == 'accelerator':
                listed.update(normalise(a) for a in prop.text.split())
    return listed


def main():
    source, overlay = sys.argv[1], sys.argv[2]
    accels = app_accelerators(source)
    listed = overlay_accelerators(overlay)
    failures = []
    for accel, action in sorted(accels.items()):
        if accel not in listed:
            failures.append(f"{accel} ({action}) is not in the shortcuts window")
    for accel in sorted(listed - set(accels) - {normalise(k) for k in WIDGET_KEYS}):
        failures.append(f"the shortcuts window lists {accel}, which nothing handles")
    if not accels:
        failures.append("no accelerators found in the application source")
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"{len(accels)} accelerators, {len(listed)} keys in the shortcuts window")
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
