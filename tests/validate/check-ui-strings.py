#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that every user-visible string in the GtkBuilder .ui files under src/ is marked
translatable="yes" (or deliberately translatable="no"): labels, titles, tooltips,
placeholders, descriptions, menu item labels and accessible names.

Usage: check-ui-strings.py SOURCE_ROOT
"""
import os
import sys
import xml.etree.ElementTree as ET

SHOWN = {
    'label', 'title', 'subtitle', 'description', 'tooltip-text', 'tooltip-markup',
    'placeholder-text', 'text', 'heading', 'body', 'button-label', 'secondary-text',
}
# Properties named like the ones above that hold no prose.
NOT_PROSE = {('GtkImage', 'icon-name'), ('GtkLabel', 'label-widget')}


def has_letters(text):
    return any(ch.isalpha() for ch in text)


def check(path, root, problems):
    rel = os.path.relpath(path, root)
    try:
        tree = ET.parse(path)
    except ET.ParseError as error:
        problems.append(f'{rel}: not well-formed: {error}')
        return 0
    count = 0
    parents = {child: parent for parent in tree.iter() for child in parent}
    for element in tree.iter():
        if element.tag not in ('property', 'attribute'):
            continue
        name = element.get('name', '')
        text = (element.text or '').strip()
        if name not in SHOWN or not has_letters(text) or element.find('*') is not None:
            continue
        owner = parents.get(element)
        klass = owner.get('class', owner.tag) if owner is not None else ''
        if (klass, name) in NOT_PROSE:
            continue
        # A bound property's value comes from elsewhere.
        if element.get('bind-source') or element.get('bind-property'):
            continue
        count += 1
        if element.get('translatable') not in ('yes', 'no', 'true', 'false', '1', '0'):
            problems.append(f'{rel}: {klass} {name} “{text}” is not marked translatable="yes"')
    return count


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    problems = []
    files = strings = 0
    for directory, dirs, names in os.walk(os.path.join(root, 'src')):
        dirs.sort()
        for name in sorted(names):
            if name.endswith('.ui'):
                files += 1
                strings += check(os.path.join(directory, name), root, problems)
    for problem in problems:
        print(problem)
    if problems:
        print(f'FAIL: {len(problems)} unmarked string(s)')
        return 1
    print(f'OK: {strings} shown strings in {files} .ui files, all marked')
    return 0


if __name__ == '__main__':
    sys.exit(main())
