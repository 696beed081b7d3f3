#!/usr/bin/env python3
"""`meson install` puts everything a desktop needs in place: installs the
build into a temporary DESTDIR and checks the programs, desktop file,
metainfo, settings schema, icons and translations are where GNOME looks.
"""
import os
import subprocess
import sys
import tempfile


def main():
    build_dir, app_id = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix='bijli-install-') as destdir:
        result = subprocess.run(['meson', 'install', '-C', build_dir, '--no-rebuild', '--quiet',
                                 '--destdir', destdir], capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stdout + result.stderr, file=sys.stderr)
            return 1
        installed = {os.path.relpath(os.path.join(d, f), destdir)
                     for d, _, files in os.walk(destdir) for f in files}
        expected = [
            'bin/bijli-desk',
            f'share/applications/{app_id}.desktop',
            f'share/metainfo/{app_id}.metainfo.xml',
            f'share/glib-2.0/schemas/{app_id}.gschema.xml',
            f'share/icons/hicolor/scalable/apps/{app_id}.svg',
            f'share/icons/hicolor/symbolic/apps/{app_id}-symbolic.svg',
            'share/locale/hi/LC_MESSAGES/bijli-desk.mo',
        ]
        failures = []
        for path in expected:
            if not any(name.endswith(path) for name in installed):
                failures.append(f"meson install did not install …/{path}")
        for failure in failures:
            print(failure, file=sys.stderr)
        for name in sorted(installed):
            print(name)
        return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
