#!/usr/bin/env python3
"""Every language in po/LINGUAS translates every string the sources mark.

Regenerates the template from po/POTFILES.in with xgettext (as meson's
update-po would), then for each .po: msgcmp against the fresh template (no
msgid missing), and msgfmt --statistics (no untranslated or fuzzy entry).
"""
import os
import subprocess
import sys
import tempfile


def main():
    po_dir = os.path.abspath(sys.argv[1])
    root = os.path.dirname(po_dir)
    with open(os.path.join(po_dir, "LINGUAS")) as f:
        languages = [w for line in f for w in line.split("#")[0].split()]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "bijli-desk.pot")
        subprocess.run(
            ["xgettext", "--from-code=UTF-8", "--add-comments=Translators:",
             "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
             "--keyword=g_dngettext:2,3", "--keyword=ngettext:1,2",
             "--directory", root, "--files-from", os.path.join(po_dir, "POTFILES.in"),
             "--output", pot],
            check=True)
        for lang in languages:
            po = os.path.join(po_dir, lang + ".po")
            cmp = subprocess.run(["msgcmp", "--use-untranslated", po, pot],
                                 capture_output=True, text=True)
            if cmp.returncode != 0:
                failures.append(f"{lang}.po lacks strings the sources use:\n{cmp.stderr}")
            stats = subprocess.run(["msgfmt", "--statistics", "-o", os.devnull, po],
                                   capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
            if stats.returncode != 0 or "untranslated" in stats.stderr or "fuzzy" in stats.stderr:
                failures.append(f"{lang}.po is incomplete: {stats.stderr.strip()}")
            else:
                print(f"{lang}: {stats.stderr.strip()}")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
