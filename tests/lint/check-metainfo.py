#!/usr/bin/env python3
"""What appstreamcli cannot check offline: every screenshot the metainfo
names is in docs/screenshots of the source tree (the URLs point at the
repository's raw files), the newest release is this version, and the
launchable desktop file and the icons meson installs exist.
"""
import os
import sys
import xml.etree.ElementTree as ET

RAW_PREFIX = 'https://raw.githubusercontent.com/bijlidesk/bijli-desk/main/'


def main():
    metainfo, root, version = sys.argv[1], sys.argv[2], sys.argv[3]
    component = ET.parse(metainfo).getroot()
    app_id = component.findtext('id')
    failures = []

    images = [image.text.strip() for image in component.iter('image')]
    if not images:
        failures.append("the metainfo has no screenshots")
    for url in images:
        if not url.startswith(RAW_PREFIX + 'docs/screenshots/'):
            failures.append(f"screenshot {url} is not under {RAW_PREFIX}docs/screenshots/")
            continue
        path = os.path.join(root, url[len(RAW_PREFIX):])
        if not os.path.isfile(path):
            failures.append(f"screenshot {url} has no file {path}: run build-aux/take-screenshots --repo-set")
    if sum(1 for s in component.iter('screenshot') if s.get('type') == 'default') != 1:
        failures.append("exactly one screenshot must be the default")

    releases = component.find('releases')
    newest = releases.find('release') if releases is not None else None
    if newest is None or newest.get('version') != version:
        failures.append(f"the newest release in the metainfo is not {version}")
    elif newest.find('description') is None:
        failures.append(f"release {version} has no release notes")

    launchable = component.findtext('launchable')
    if launchable != app_id + '.desktop' or \
            not os.path.isfile(os.path.join(root, 'data', launchable + '.in')):
        failures.append(f"the launchable {launchable} is not data/{app_id}.desktop.in")
    for icon in (f'scalable/apps/{app_id}.svg', f'symbolic/apps/{app_id}-symbolic.svg'):
        if not os.path.isfile(os.path.join(root, 'data', 'icons', 'hicolor', icon)):
            failures.append(f"the icon data/icons/hicolor/{icon} is missing")
    if component.find('content_rating') is None:
        failures.append("the metainfo has no content rating")

    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"{len(images)} screenshots, release {version}")
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
