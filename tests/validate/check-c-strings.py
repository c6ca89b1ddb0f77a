#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that the C sources under src/app/ hand GTK and libadwaita only marked strings:
a string literal with words in it, given as the text of a label, button, tooltip, title,
toast or dialog (directly or through g_strdup_printf), must be wrapped in _() / C_() / N_().

Usage: check-c-strings.py SOURCE_ROOT
"""
import os
import re
import sys

# function name -> indexes (0-based) of the arguments that are shown to the user
SHOWN_ARGS = {
    'gtk_label_set_text': [1], 'gtk_label_set_label': [1], 'gtk_label_set_markup': [1],
    'gtk_label_new': [0], 'gtk_label_new_with_mnemonic': [0],
    'gtk_button_set_label': [1], 'gtk_button_new_with_label': [0],
    'gtk_button_new_with_mnemonic': [0], 'gtk_check_button_set_label': [1],
    'gtk_menu_button_set_label': [1], 'gtk_widget_set_tooltip_text': [1],
    'gtk_widget_set_tooltip_markup': [1], 'gtk_window_set_title': [1],
    'gtk_entry_set_placeholder_text': [1], 'gtk_text_set_placeholder_text': [1],
    'gtk_search_entry_set_placeholder_text': [1],
    'adw_window_title_new': [0, 1], 'adw_window_title_set_title': [1],
    'adw_window_title_set_subtitle': [1], 'adw_status_page_set_title': [1],
    'adw_status_page_set_description': [1], 'adw_preferences_row_set_title': [1],
    'adw_action_row_set_subtitle': [1], 'adw_expander_row_set_subtitle': [1],
    'adw_preferences_group_set_title': [1], 'adw_preferences_group_set_description': [1],
    'adw_preferences_page_set_title': [1], 'adw_toast_new': [0], 'adw_toast_set_title': [1],
    'adw_toast_set_button_label': [1], 'adw_banner_new': [0], 'adw_banner_set_title': [1],
    'adw_banner_set_button_label': [1], 'adw_message_dialog_new': [1, 2],
    'adw_message_dialog_set_heading': [1], 'adw_message_dialog_set_body': [1],
    'adw_message_dialog_format_heading': [1], 'adw_message_dialog_format_body': [1],
    'adw_message_dialog_add_response': [2], 'adw_split_button_set_label': [1],
    'adw_button_content_set_label': [1], 'adw_tab_page_set_title': [1],
    'adw_view_stack_add_titled': [3], 'gtk_stack_add_titled': [3],
}
MARKERS = ('_(', 'N_(', 'C_(', 'NC_(', 'g_dgettext(', 'g_dngettext(', 'ngettext(', 'gettext(',
           'g_dpgettext2(')
TOKENS = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.DOTALL)
CALL = re.compile(r'\b(' + '|'.join(sorted(SHOWN_ARGS, key=len, reverse=True)) + r')\s*\(')


def strip_comments(text):
    return TOKENS.sub(lambda m: m.group(0) if m.group(0)[0] in '"\'' else
                      re.sub(r'[^\n]', ' ', m.group(0)), text)


def split_args(text, start):
    """Splits the arguments of the call whose '(' is at text[start - 1]."""
    depth, args, current, i = 0, [], [], start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            match = re.compile(r'"(?:\\.|[^"\\\n])*"').match(text, i)
            if match:
                current.append(match.group(0))
                i = match.end()
                continue
        if ch in '([{':
            depth += 1
        elif ch in ')]}':
            if depth == 0:
                args.append(''.join(current).strip())
                return args
            depth -= 1
        elif ch == ',' and depth == 0:
            args.append(''.join(current).strip())
            current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    return args


def prose(literal):
    body = re.sub(r'%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t|L)?[a-zA-Z%]', '', literal)
    body = re.sub(r'\\.', '', body)
    return re.search(r'[A-Za-z]{2,}', body) is not None


def unmarked(arg):
    squeezed = re.sub(r'\s+', '', arg)
    if squeezed.startswith(MARKERS):
        return None
    if arg.startswith('"'):
        literal = ''.join(re.findall(r'"((?:\\.|[^"\\\n])*)"', arg))
        return literal if prose(literal) else None
    printf = re.match(r'g_strdup_printf\s*\(\s*("(?:\\.|[^"\\\n])*")', arg)
    if printf and prose(printf.group(1)[1:-1]):
        return printf.group(1)[1:-1]
    return None


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    problems, calls = [], 0
    for directory, dirs, names in os.walk(os.path.join(root, 'src', 'app')):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith('.c'):
                continue
            path = os.path.join(directory, name)
            with open(path, encoding='utf-8', errors='replace') as f:
                text = strip_comments(f.read())
            for match in CALL.finditer(text):
                calls += 1
                args = split_args(text, match.end())
                for index in SHOWN_ARGS[match.group(1)]:
                    if index < len(args):
                        literal = unmarked(args[index])
                        if literal is not None:
                            line = text.count('\n', 0, match.start()) + 1
                            problems.append(f'{os.path.relpath(path, root)}:{line}: '
                                            f'{match.group(1)} shows “{literal}” unmarked; wrap it in _()')
    for problem in problems:
        print(problem)
    if problems:
        print(f'FAIL: {len(problems)} unmarked string(s)')
        return 1
    print(f'OK: {calls} calls that show text, every literal marked')
    return 0


if __name__ == '__main__':
    sys.exit(main())
