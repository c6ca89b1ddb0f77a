#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that po/POTFILES.in is complete and that every file it lists exists.

A C source or header under src/ that marks a string (_(), N_(), C_(), NC_(), Q_(),
ngettext(), g_dngettext(), g_dpgettext2()) and a .ui file with translatable="yes" must be
listed, and so must the translatable files in data/ (desktop entry, metainfo, schema).
Usage: check-potfiles.py SOURCE_ROOT
"""
import os
import re
import sys

C_MARKERS = re.compile(
    r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_|ngettext|g_dngettext|g_dpgettext2|g_dcgettext)\s*\(')
UI_MARKER = re.compile(r'translatable\s*=\s*["\'](?:yes|true|1)["\']', re.IGNORECASE)
DATA_FILES = re.compile(r'\.(?:desktop\.in|metainfo\.xml\.in|gschema\.xml)$')


C_TOKENS = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.DOTALL)


def strip_c_comments(text):
    """Drops /* */ and // comments (not "//" or "/*" inside string literals) so that prose
    mentioning _( is not counted."""
    return C_TOKENS.sub(lambda m: m.group(0) if m.group(0)[0] in '"\'' else ' ', text)


def needs_translation(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    if path.endswith(('.c', '.h')):
        return C_MARKERS.search(strip_c_comments(text)) is not None
    if path.endswith('.ui'):
        return UI_MARKER.search(text) is not None
    return False


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    potfiles = os.path.join(root, 'po', 'POTFILES.in')

    listed = []
    with open(potfiles, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            listed.append((number, line))

    problems = []
    seen = set()
    for number, name in listed:
        if name in seen:
            problems.append(f'po/POTFILES.in:{number}: {name} is listed twice')
        seen.add(name)
        if not os.path.isfile(os.path.join(root, name)):
            problems.append(f'po/POTFILES.in:{number}: {name} does not exist')

    wanted = []
    for top in ('src',):
        for directory, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith(('.c', '.h', '.ui')):
                    continue
                path = os.path.join(directory, name)
                if needs_translation(path):
                    wanted.append(os.path.relpath(path, root))
    data = os.path.join(root, 'data')
    for name in sorted(os.listdir(data)):
        if DATA_FILES.search(name):
            wanted.append(os.path.join('data', name))

    for name in wanted:
        if name not in seen:
            problems.append(f'{name} has translatable strings but is not in po/POTFILES.in')

    for problem in problems:
        print(problem)
    if problems:
        print(f'FAIL: {len(problems)} problem(s) with po/POTFILES.in')
        return 1
    print(f'OK: {len(listed)} files listed, {len(wanted)} need translation, all listed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
