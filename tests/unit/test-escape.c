/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "confab-conversation.h"
#include "confab-escape.h"
#include "confab-export.h"
#include "confab-message.h"
#include "confab-tool-call.h"

static void
check (const char        *text,
       gssize             len,
       ConfabEscapeFlags  flags,
       const char        *expected)
{
  g_autofree char *escaped = confab_escape_text (text, len, flags);

  g_assert_cmpstr (escaped, ==, expected);
  g_assert_true (g_utf8_validate (escaped, -1, NULL));
  gsize text_len = len < 0 ? strlen (text) : (gsize) len;
  gboolean changed = text_len != strlen (expected) || memcmp (text, expected, text_len) != 0;

  g_assert_cmpint (confab_escape_needed (text, len, flags), ==, changed);
}

static void
test_escape_plain (void)
{
  g_autofree char *null = confab_escape_text (NULL, -1, CONFAB_ESCAPE_DEFAULT);

  g_assert_null (null);
  g_assert_false (confab_escape_needed (NULL, -1, CONFAB_ESCAPE_DEFAULT));
  check ("", -1, CONFAB_ESCAPE_DEFAULT, "");
  check ("Hello, wörld — 你好 🙂 {\"a\": \"b\\\\\"}", -1, CONFAB_ESCAPE_DEFAULT,
         "Hello, wörld — 你好 🙂 {\"a\": \"b\\\\\"}");
  /* Right-to-left text itself is fine; only the controls that reorder are not. */
  check ("שלום عربي", -1, CONFAB_ESCAPE_DEFAULT, "שלום عربي");
}

static void
test_escape_controls (void)
{
  /* The approval spoof: erase the line, go up, draw a prompt, hide the rest. */
  check ("\x1b[2K\r\x1b[1ARun echo({})? [y/N/c/a] \x1b[8m", -1, CONFAB_ESCAPE_DEFAULT,
         "\\x1b[2K\\x0d\\x1b[1ARun echo({})? [y/N/c/a] \\x1b[8m");
  /* OSC 52 (clipboard) and a title, ended by BEL or ST. */
  check ("a\x1b]52;c;ZWNobyBoaQ==\x07" "b\x1b]0;title\x1b\\c", -1, CONFAB_ESCAPE_KEEP_NEWLINES,
         "a\\x1b]52;c;ZWNobyBoaQ==\\x07b\\x1b]0;title\\x1b\\c");
  check ("del\x7f bs\b", -1, CONFAB_ESCAPE_KEEP_NEWLINES, "del\\x7f bs\\x08");
  /* Line feeds and tabs: kept in running text, escaped on one line. */
  check ("a\nb\tc\r\n", -1, CONFAB_ESCAPE_KEEP_NEWLINES, "a\nb\tc\\x0d\n");
  check ("a\nb\tc", -1, CONFAB_ESCAPE_DEFAULT, "a\\x0ab\\x09c");
  /* An embedded NUL with an explicit length is shown, not a cut. */
  check ("a\0b", 3, CONFAB_ESCAPE_DEFAULT, "a\\x00b");
}

static void
test_escape_unicode (void)
{
  /* C1 controls, as UTF-8: U+009B is CSI for some terminals. */
  check ("x\xc2\x9b" "31mred\xc2\x9d", -1, CONFAB_ESCAPE_DEFAULT, "xU+009B31mredU+009D");
  /* Bidi override and isolates: "exe.txt" shown reversed otherwise. */
  check ("file\xe2\x80\xaetxt.exe", -1, CONFAB_ESCAPE_DEFAULT, "fileU+202Etxt.exe");
  check ("\xe2\x80\xaa\xe2\x80\xac\xe2\x81\xa6\xe2\x81\xa9", -1, CONFAB_ESCAPE_DEFAULT,
         "U+202AU+202CU+2066U+2069");
  /* Not UTF-8: each byte shown, the rest kept. */
  check ("ok\xff\xfe" "ok\xe2\x80", -1, CONFAB_ESCAPE_DEFAULT, "ok\\xff\\xfeok\\xe2\\x80");
}

/* The Markdown export is read with cat and less: nothing in it may act on a terminal. */
static void
test_escape_markdown_export (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "hi\x1b]0;owned\x07");
  g_autoptr(ConfabMessage) answer = confab_message_new (CONFAB_ROLE_ASSISTANT,
                                                        "Copied!\x1b]52;c;cm0gLXJmIH4=\x07\nline two\n");
  g_autoptr(ConfabMessage) tool = confab_message_new (CONFAB_ROLE_TOOL, "result\xc2\x9b" "2J\xe2\x80\xae");
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  g_autofree char *md = NULL;

  confab_conversation_set_title (conversation, "Title\x1b[8m");
  confab_message_set_reasoning (answer, "think\x1b[2K");
  confab_tool_call_set_name (call, "echo\x1b[1A");
  confab_tool_call_set_arguments (call, "{\"message\": \"\x1b[2K\\rRun echo? [y/N/c/a]\"}");
  confab_message_add_tool_call (answer, call);
  confab_conversation_append (conversation, user);
  confab_conversation_append (conversation, answer);
  confab_conversation_append (conversation, tool);

  md = confab_export_markdown (conversation);
  g_test_message ("%s", md);
  g_assert_null (strchr (md, '\x1b'));
  g_assert_null (strchr (md, '\x07'));
  g_assert_null (strstr (md, "\xc2\x9b"));
  g_assert_null (strstr (md, "\xe2\x80\xae"));
  g_assert_nonnull (strstr (md, "# Title\\x1b[8m\n"));
  g_assert_nonnull (strstr (md, "Copied!\\x1b]52;c;cm0gLXJmIH4=\\x07\nline two\n"));
  g_assert_nonnull (strstr (md, "> think\\x1b[2K\n"));
  g_assert_nonnull (strstr (md, "`echo\\x1b[1A`"));
  g_assert_nonnull (strstr (md, "resultU+009B2JU+202E"));
  g_assert_nonnull (strstr (md, "hi\\x1b]0;owned\\x07"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/escape/plain", test_escape_plain);
  g_test_add_func ("/escape/controls", test_escape_controls);
  g_test_add_func ("/escape/unicode", test_escape_unicode);
  g_test_add_func ("/escape/markdown-export", test_escape_markdown_export);

  return g_test_run ();
}
