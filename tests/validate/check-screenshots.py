#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that every screenshot the metainfo shows is a file in data/screenshots/ of this
repository: a real PNG, large enough for software centres, with a caption.
Exits 77 (skipped) while data/screenshots/ holds no PNG yet.

Usage: check-screenshots.py SOURCE_ROOT METAINFO
"""
import os
import struct
import sys
import xml.etree.ElementTree as ET

RAW_PREFIX = 'https://raw.githubusercontent.com/confab/confab/main/'


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        return None
    return struct.unpack('>II', head[16:24])


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    root, metainfo = sys.argv[1:]
    shots_dir = os.path.join(root, 'data', 'screenshots')
    present = [n for n in os.listdir(shots_dir)] if os.path.isdir(shots_dir) else []
    if not any(n.endswith('.png') for n in present):
        print('SKIP: data/screenshots/ has no PNG yet')
        return 77

    problems = []
    shots = ET.parse(metainfo).getroot().findall('screenshots/screenshot')
    if not shots:
        problems.append('the metainfo lists no screenshot')
    defaults = [s for s in shots if s.get('type') == 'default']
    if len(defaults) != 1:
        problems.append(f'exactly one screenshot should be type="default", found {len(defaults)}')
    for shot in shots:
        url = (shot.findtext('image') or '').strip()
        if not (shot.findtext('caption') or '').strip():
            problems.append(f'{url}: no caption')
        if not url.startswith(RAW_PREFIX + 'data/screenshots/'):
            problems.append(f'{url}: not a file of data/screenshots/ in this repository')
            continue
        path = os.path.join(root, url[len(RAW_PREFIX):])
        if not os.path.isfile(path):
            problems.append(f'{url}: {os.path.relpath(path, root)} does not exist')
            continue
        size = png_size(path)
        if size is None:
            problems.append(f'{os.path.relpath(path, root)} is not a PNG')
        elif size[0] < 620 or size[1] < 350:
            problems.append(f'{os.path.relpath(path, root)} is {size[0]}×{size[1]}; '
                            'software centres want at least 620×350')
        else:
            print(f'{os.path.relpath(path, root)}: {size[0]}×{size[1]}')

    for problem in problems:
        print(problem)
    if problems:
        print(f'FAIL: {len(problems)} problem(s) with the screenshots')
        return 1
    print(f'OK: {len(shots)} screenshots')
    return 0


if __name__ == '__main__':
    sys.exit(main())
