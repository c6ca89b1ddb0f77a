#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that the Flatpak manifest agrees with the meson project and the metadata: same app
id, same command, every dependency either in the GNOME runtime or built by a module with a
pinned source, and no sandbox hole beyond what Confab needs.

Usage: check-flatpak.py SOURCE_ROOT MANIFEST APP_ID DESKTOP_FILE METAINFO_FILE
"""
import configparser
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

# What the GNOME 48 runtime (org.gnome.Platform//48) ships, by pkg-config name.
GNOME_RUNTIME = {
    'glib-2.0', 'gio-2.0', 'gio-unix-2.0', 'gobject-2.0', 'gmodule-2.0',
    'gtk4', 'libadwaita-1', 'libsoup-3.0', 'json-glib-1.0', 'sqlite3',
    'libsecret-1', 'gtksourceview-5', 'gdk-pixbuf-2.0',
}
# The permissions Confab needs; libsecret goes through the Secret portal, and running host
# MCP servers (--talk-name=org.freedesktop.Flatpak) is an opt-in the user takes.
WANTED_FINISH_ARGS = {
    '--share=network', '--share=ipc', '--socket=wayland', '--socket=fallback-x11',
    '--device=dri',
}

problems = []


def fail(message):
    problems.append(message)


def meson_dependencies(root, config_opts=()):
    """The dependencies meson.build asks for, but not those behind a feature option the
    manifest disables (dependency('x', required: get_option('opt')) with -Dopt=disabled)."""
    with open(os.path.join(root, 'meson.build'), encoding='utf-8') as f:
        text = f.read()
    optional = dict(re.findall(r"\bdependency\s*\(\s*'([^']+)'\s*,\s*required\s*:\s*get_option\s*\(\s*'([^']+)'", text))
    return sorted(dep for dep in set(re.findall(r"\bdependency\s*\(\s*'([^']+)'", text))
                  if dep not in optional or f'-D{optional[dep]}=disabled' not in config_opts)


def check_sources(module):
    for source in module.get('sources', []):
        kind = source.get('type')
        name = module.get('name')
        if kind in ('archive', 'file'):
            url = source.get('url', '')
            if not url.startswith('https://'):
                fail(f'module {name}: source URL {url!r} is not https')
            if not re.fullmatch(r'[0-9a-f]{64}', source.get('sha256', '')):
                fail(f'module {name}: source {url} has no sha256 pin')
        elif kind == 'git':
            if not re.fullmatch(r'[0-9a-f]{40}', source.get('commit', '')):
                fail(f'module {name}: git source is not pinned to a commit')


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    root, manifest_path, app_id, desktop_path, metainfo_path = sys.argv[1:]

    with open(manifest_path, encoding='utf-8') as f:
        manifest = json.load(f)

    if manifest.get('id', manifest.get('app-id')) != app_id:
        fail(f'manifest id is {manifest.get("id")!r}, meson says {app_id!r}')
    if os.path.basename(manifest_path) != app_id + '.json':
        fail(f'the manifest file should be named {app_id}.json')
    if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
        fail('the runtime should be org.gnome.Platform with org.gnome.Sdk')

    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str
    desktop.read(desktop_path, encoding='utf-8')
    entry = desktop['Desktop Entry']
    exec_command = entry.get('Exec', '').split()[0] if entry.get('Exec') else ''
    if manifest.get('command') != exec_command:
        fail(f'manifest command {manifest.get("command")!r} differs from the desktop '
             f'file Exec {exec_command!r}')
    if entry.get('Icon') != app_id:
        fail(f'desktop file Icon is {entry.get("Icon")!r}, expected {app_id!r}')

    component = ET.parse(metainfo_path).getroot()
    if component.findtext('id') != app_id:
        fail(f'metainfo id is {component.findtext("id")!r}, expected {app_id!r}')
    if component.findtext('launchable') != app_id + '.desktop':
        fail('metainfo launchable does not name the desktop file')
    binaries = [b.text for b in component.iterfind('provides/binary')]
    if manifest.get('command') not in binaries:
        fail(f'metainfo does not provide the binary {manifest.get("command")!r}')

    finish_args = set(manifest.get('finish-args', []))
    for arg in sorted(finish_args - WANTED_FINISH_ARGS):
        fail(f'finish-arg {arg} is broader than Confab needs')
    for arg in sorted(WANTED_FINISH_ARGS - finish_args):
        fail(f'finish-arg {arg} is missing')

    modules = manifest.get('modules', [])
    if not modules:
        fail('the manifest has no modules')
        modules = [{}]
    built = set()
    for module in modules[:-1]:
        if isinstance(module, str):
            fail(f'module {module}: keep modules inline so their sources are checked here')
            continue
        built.add(module.get('name'))
        check_sources(module)

    app = modules[-1]
    if app.get('name') != 'confab' or app.get('buildsystem') != 'meson':
        fail('the last module should be confab, built with meson')
    if '-Dtests=false' not in app.get('config-opts', []):
        fail('the confab module should configure with -Dtests=false')
    local = [s for s in app.get('sources', []) if s.get('type') == 'dir']
    if not local or os.path.normpath(os.path.join(os.path.dirname(manifest_path),
                                                  local[0].get('path', ''))) != os.path.normpath(root):
        fail('the confab module should build the local checkout (a "dir" source at "..")')

    for dep in meson_dependencies(root, app.get('config-opts', [])):
        if dep not in GNOME_RUNTIME and dep not in built:
            fail(f'meson needs {dep}, which neither the GNOME runtime nor a module provides')
    for name in sorted(built):
        if name in GNOME_RUNTIME:
            fail(f'module {name} is already in the GNOME runtime')

    for problem in problems:
        print(problem)
    if problems:
        print(f'FAIL: {len(problems)} problem(s) with the Flatpak manifest')
        return 1
    print(f'OK: manifest agrees with meson ({len(meson_dependencies(root))} dependencies, '
          f'modules: {", ".join(sorted(built)) or "none"})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
