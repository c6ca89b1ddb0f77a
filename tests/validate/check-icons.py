#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks Confab's app icons: they parse as SVG, have the right canvas, follow the GNOME
conventions (flat colours; the symbolic icon one colour), and render to a sane bitmap.

Usage: check-icons.py APP_ICON.svg SYMBOLIC_ICON.svg RSVG_CONVERT
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

SVG = '{http://www.w3.org/2000/svg}'
SYMBOLIC_COLOURS = {'#241f31', '#2e3436', '#222222', '#000000', 'currentcolor', 'none'}
problems = []


def fail(message):
    problems.append(message)


def colours_of(element):
    found = []
    for attribute in ('fill', 'stroke', 'stop-color'):
        if attribute in element.attrib:
            found.append(element.attrib[attribute].strip().lower())
    style = element.attrib.get('style', '')
    for match in re.finditer(r'(?:fill|stroke|stop-color)\s*:\s*([^;]+)', style):
        found.append(match.group(1).strip().lower())
    return found


def check_svg(path, size, symbolic):
    name = os.path.basename(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        fail(f'{name}: not well-formed XML: {error}')
        return
    if root.tag != SVG + 'svg':
        fail(f'{name}: the root element is {root.tag}, not an SVG <svg>')
        return
    for attribute in ('width', 'height'):
        value = root.attrib.get(attribute, '').replace('px', '')
        if value != str(size):
            fail(f'{name}: {attribute} is {value!r}, expected {size}')
    view_box = root.attrib.get('viewBox', '').replace(',', ' ').split()
    if [float(v) for v in view_box] != [0, 0, size, size]:
        fail(f'{name}: viewBox is {root.attrib.get("viewBox")!r}, expected "0 0 {size} {size}"')

    shapes = 0
    colours = set()
    for element in root.iter():
        tag = element.tag.replace(SVG, '')
        if tag in ('image', 'text', 'script', 'foreignObject'):
            fail(f'{name}: <{tag}> is not allowed in an icon (embed shapes only)')
        if tag in ('linearGradient', 'radialGradient', 'filter'):
            fail(f'{name}: <{tag}>: the icon should use flat colours')
        if tag in ('path', 'rect', 'circle', 'ellipse', 'polygon'):
            shapes += 1
        for colour in colours_of(element):
            if colour.startswith('url('):
                fail(f'{name}: paint server {colour} (gradients are not used)')
            colours.add(colour)
    if shapes == 0:
        fail(f'{name}: no shapes')
    if symbolic:
        odd = colours - SYMBOLIC_COLOURS
        if odd:
            fail(f'{name}: a symbolic icon has one colour; found {sorted(odd)}')
        if shapes != 1:
            fail(f'{name}: a symbolic icon should be a single path, found {shapes} shapes')


def read_png_alpha(path):
    """Returns (width, height, alpha values) of an 8-bit RGBA PNG, as rsvg-convert writes."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    offset, idat, header = 8, b'', None
    while offset < len(data):
        length, kind = struct.unpack('>I4s', data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        offset += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type != 6 or interlace != 0:
        raise ValueError(f'unexpected PNG format {depth}/{colour_type}/{interlace}')
    raw = zlib.decompress(idat)
    stride, bpp = width * 4, 4
    rows, previous, pos = [], bytearray(stride), 0
    for _ in range(height):
        kind = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xff
            elif kind == 2:
                line[i] = (line[i] + up) & 0xff
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xff
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + pred) & 0xff
        rows.append(line)
        previous = line
    alpha = [row[i] for row in rows for i in range(3, stride, 4)]
    return width, height, alpha


def check_render(path, size, rsvg_convert, low, high):
    name = os.path.basename(path)
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, 'icon.png')
        result = subprocess.run([rsvg_convert, '--width', str(size), '--height', str(size),
                                 '--format', 'png', '--output', png, path],
                                capture_output=True, text=True)
        if result.returncode != 0:
            fail(f'{name}: rsvg-convert failed: {result.stderr.strip()}')
            return
        width, height, alpha = read_png_alpha(png)
    if (width, height) != (size, size):
        fail(f'{name}: rendered as {width}x{height}, expected {size}x{size}')
    covered = sum(1 for a in alpha if a > 127) / len(alpha)
    if not low <= covered <= high:
        fail(f'{name}: covers {covered:.0%} of its canvas, expected {low:.0%}–{high:.0%}')
    else:
        print(f'{name}: renders at {size}x{size}, covers {covered:.0%} of the canvas')


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    app_icon, symbolic_icon, rsvg_convert = sys.argv[1:]
    for path, suffix in ((app_icon, '.svg'), (symbolic_icon, '-symbolic.svg')):
        if os.path.basename(path) != 'io.github.confab.Confab' + suffix:
            fail(f'{path}: an app icon is named after the app id')
    check_svg(app_icon, 128, symbolic=False)
    check_svg(symbolic_icon, 16, symbolic=True)
    if not problems:
        # A GNOME app icon fills most of its canvas with some margin; a symbolic one less.
        check_render(app_icon, 128, rsvg_convert, 0.35, 0.90)
        check_render(symbolic_icon, 16, rsvg_convert, 0.25, 0.90)
    for problem in problems:
        print(problem)
    if problems:
        print(f'FAIL: {len(problems)} problem(s) with the icons')
        return 1
    print('OK: icons are valid')
    return 0


if __name__ == '__main__':
    sys.exit(main())
