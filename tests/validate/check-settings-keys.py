#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that every GSettings key the sources read, write or bind exists in the schema
(GSettings aborts on an unknown key), and reports keys nothing uses.

Usage: check-settings-keys.py SOURCE_ROOT SCHEMA_XML
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

CALL = re.compile(r'\bg_settings_(?:get|set|bind|reset|create_action|get_default_value|'
                  r'get_user_value|is_writable|bind_writable|get_value|set_value)'
                  r'[a-z_]*\s*\([^,;]*,\s*"([a-z0-9-]+)"')


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    root, schema = sys.argv[1:]
    keys = {key.get('name') for key in ET.parse(schema).getroot().iter('key')}

    used = {}
    for directory, dirs, files in os.walk(os.path.join(root, 'src')):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith('.c'):
                continue
            path = os.path.join(directory, name)
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
            for match in CALL.finditer(text):
                line = text.count('\n', 0, match.start()) + 1
                used.setdefault(match.group(1), []).append(f'{os.path.relpath(path, root)}:{line}')

    problems = [f'{where[0]}: key "{key}" is not in the schema'
                for key, where in sorted(used.items()) if key not in keys]
    for key in sorted(keys - set(used)):
        print(f'note: key "{key}" is not used by the sources')
    for problem in problems:
        print(problem)
    if problems:
        print(f'FAIL: {len(problems)} unknown key(s)')
        return 1
    print(f'OK: {len(used)} keys used, all in the schema')
    return 0


if __name__ == '__main__':
    sys.exit(main())
