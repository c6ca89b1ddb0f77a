#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that every language in po/LINGUAS has a complete, valid translation of the
strings the sources mark today: the catalog is merged with a freshly extracted template and
must have no untranslated or fuzzy message, pass `msgfmt --check`, and declare the plural
forms its language uses. Exits 77 (skipped) when po/LINGUAS lists no language.

With --extract-only it checks only that xgettext extracts every marked string cleanly: a
warning (say, a marked string glued to a macro like G_GSIZE_FORMAT, which xgettext cuts
short, so the string can never be translated) fails.

Usage: check-translations.py [--extract-only] SOURCE_ROOT XGETTEXT MSGMERGE MSGFMT MSGATTRIB
                             [XGETTEXT_ARG...]
"""
import os
import re
import subprocess
import sys
import tempfile

# The plural rule each language must declare (GNOME's translation teams use these).
PLURAL_FORMS = {
    'pt_BR': 'nplurals=2; plural=(n > 1);',
}


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, **kwargs)


def header_field(po_text, field):
    match = re.search(r'^"' + re.escape(field) + r':\s*(.*?)\\n"$', po_text, re.MULTILINE)
    return match.group(1).strip() if match else None


def main():
    args = sys.argv[1:]
    extract_only = bool(args) and args[0] == '--extract-only'
    if extract_only:
        args = args[1:]
    if len(args) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    root, xgettext, msgmerge, msgfmt, msgattrib = args[:5]
    extra = args[5:]
    po_dir = os.path.join(root, 'po')

    with open(os.path.join(po_dir, 'LINGUAS'), encoding='utf-8') as f:
        languages = [w for line in f for w in line.split('#')[0].split()]
    if not languages and not extract_only:
        print('SKIP: po/LINGUAS lists no language')
        return 77

    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'confab.pot')
        result = run([xgettext, '--package-name=confab', '-f', os.path.join(po_dir, 'POTFILES.in'),
                      '-D', root, '-k_', '-o', pot] + extra)
        if result.returncode != 0:
            print(result.stderr)
            print('FAIL: xgettext could not extract the strings')
            return 1
        if extract_only:
            warnings = [line for line in result.stderr.splitlines() if line.strip()]
            for line in warnings:
                print(line)
            if warnings:
                print('FAIL: xgettext warned about marked strings; a string glued to a format '
                      'macro cannot be translated (use %zu, or %lu with a cast)')
                return 1
            print('OK: xgettext extracts every marked string cleanly')
            return 0

        for lang in languages:
            po = os.path.join(po_dir, lang + '.po')
            if not os.path.isfile(po):
                problems.append(f'po/{lang}.po is missing (po/LINGUAS lists {lang})')
                continue
            with open(po, encoding='utf-8') as f:
                text = f.read()
            charset = header_field(text, 'Content-Type') or ''
            if 'charset=UTF-8' not in charset:
                problems.append(f'po/{lang}.po: Content-Type should be UTF-8, is {charset!r}')
            plural = header_field(text, 'Plural-Forms')
            expected = PLURAL_FORMS.get(lang)
            if plural is None:
                problems.append(f'po/{lang}.po: no Plural-Forms header')
            elif expected and plural.replace(' ', '') != expected.replace(' ', ''):
                problems.append(f'po/{lang}.po: Plural-Forms is {plural!r}, expected {expected!r}')

            merged = os.path.join(tmp, lang + '.po')
            result = run([msgmerge, '--quiet', '--no-wrap', '-o', merged, po, pot])
            if result.returncode != 0:
                problems.append(f'po/{lang}.po: msgmerge failed: {result.stderr.strip()}')
                continue
            result = run([msgfmt, '--check', '--statistics', '-o', os.devnull, merged])
            if result.returncode != 0:
                problems.append(f'po/{lang}.po: msgfmt --check failed:\n{result.stderr.strip()}')
                continue
            stats = result.stderr.strip()
            numbers = {kind: int(n) for n, kind in
                       re.findall(r'(\d+) (translated|fuzzy|untranslated)', stats)}
            untranslated = numbers.get('untranslated', 0)
            fuzzy = numbers.get('fuzzy', 0)
            print(f'{lang}: {stats}')
            if untranslated or fuzzy:
                problems.append(f'po/{lang}.po: {untranslated} untranslated and {fuzzy} fuzzy '
                                f'message(s) against the current sources')
                listing = run([msgattrib, '--only-fuzzy', '--no-obsolete', '--no-wrap', merged])
                more = run([msgattrib, '--untranslated', '--no-obsolete', '--no-wrap', merged])
                ids = re.findall(r'^msgid "(.+)"$', listing.stdout + more.stdout, re.MULTILINE)
                for msgid in ids[:25]:
                    problems.append(f'    needs translating: "{msgid}"')
                if len(ids) > 25:
                    problems.append(f'    … and {len(ids) - 25} more')

    for problem in problems:
        print(problem)
    if problems:
        print('FAIL: translations are incomplete or invalid '
              '(update with: meson compile -C BUILD confab-update-po)')
        return 1
    print(f'OK: {", ".join(languages)} complete')
    return 0


if __name__ == '__main__':
    sys.exit(main())
