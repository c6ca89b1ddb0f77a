/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store-attachments"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "confab-attachment.h"
#include "confab-conversation.h"
#include "confab-export.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-test-attachments.h"

/* Attachments in the store: saved once by hash, linked to messages, loaded back as they were
 * sent, deleted with the last conversation that uses them, exported in base64. */

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    result = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return result;
}

static int
query_int (const char *path,
           const char *sql)
{
  g_autofree char *text = query_text (path, sql);

  return text ? atoi (text) : -1;
}

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->dir = g_dir_make_tmp ("confab-store-attach-XXXXXX", NULL);
  fixture->path = g_build_filename (fixture->dir, "confab.db", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static ConfabAttachment *
make (const char *name,
      GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;
  ConfabAttachment *attachment = confab_attachment_new_from_bytes (name, NULL, bytes, NULL, &error);

  g_assert_no_error (error);
  return attachment;
}

/* A conversation whose user message carries @attachments (NULL-terminated). */
static ConfabConversation *
conversation_with (const char        *text,
                   ConfabAttachment **attachments)
{
  ConfabConversation *conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, text);
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, "Seen.");

  for (guint i = 0; attachments[i] != NULL; i++)
    confab_message_add_attachment (user, attachments[i]);
  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_COMPLETE);
  confab_message_set_request_body (assistant, "{\"messages\":[{\"content\":[{\"type\":\"image_url\","
                                              "\"image_url\":{\"url\":\"data:image/png;base64,"
                                              CONFAB_TEST_TINY_PNG_BASE64 "\"}}]}]}");
  confab_conversation_append (conversation, user);
  confab_conversation_append (conversation, assistant);

  return conversation;
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const pages[] = { "Quarterly report", NULL };
  g_autoptr(GBytes) png = confab_test_make_image (3000, 100, FALSE, "png");
  g_autoptr(GBytes) pdf = confab_test_make_pdf (pages, 2);
  g_autoptr(GBytes) text = g_bytes_new_static ("print('hi')\n", 12);
  g_autoptr(ConfabAttachment) image = make ("wide.png", png);
  g_autoptr(ConfabAttachment) report = make ("report.pdf", pdf);
  g_autoptr(ConfabAttachment) script = make ("hello.py", text);
  ConfabAttachment *list[] = { image, report, script, NULL };
  g_autoptr(ConfabConversation) conversation = conversation_with ("Look", list);
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabMessage) user = NULL;
  g_autoptr(ConfabMessage) assistant = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(JsonNode) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored_request = NULL;
  GListModel *attachments;

  store = confab_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_save (store, conversation, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_cmpint (query_int (fixture->path, "PRAGMA user_version"), ==, CONFAB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (fixture->path, "SELECT count (*) FROM attachments"), ==, 3);
  g_assert_cmpint (query_int (fixture->path, "SELECT count (*) FROM message_attachments"), ==, 3);
  /* The image is stored once, as an attachment, not again inside the request body. */
  stored_request = query_text (fixture->path, "SELECT request_body FROM messages WHERE role = 'assistant'");
  g_assert_null (strstr (stored_request, CONFAB_TEST_TINY_PNG_BASE64));
  g_assert_nonnull (strstr (stored_request, "data:image/png;base64,…"));

  /* A restart: a new store object on the same file. */
  store = confab_store_open (fixture->path, &error);
  g_assert_no_error (error);
  loaded = confab_store_load (store, confab_conversation_get_id (conversation), &error);
  g_assert_no_error (error);

  user = g_list_model_get_item (G_LIST_MODEL (loaded), 0);
  attachments = confab_message_get_attachments (user);
  g_assert_cmpuint (g_list_model_get_n_items (attachments), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ConfabAttachment) back = g_list_model_get_item (attachments, i);

      g_assert_cmpstr (confab_attachment_get_name (back), ==, confab_attachment_get_name (list[i]));
      g_assert_cmpint (confab_attachment_get_kind (back), ==, confab_attachment_get_kind (list[i]));
      g_assert_cmpstr (confab_attachment_get_sha256 (back), ==, confab_attachment_get_sha256 (list[i]));
      g_assert_true (g_bytes_equal (confab_attachment_get_data (back), confab_attachment_get_data (list[i])));
      g_assert_cmpuint (confab_attachment_get_width (back), ==, confab_attachment_get_width (list[i]));
      g_assert_cmpuint (confab_attachment_get_n_pages (back), ==, confab_attachment_get_n_pages (list[i]));
      g_assert_cmpuint (confab_attachment_get_n_empty_pages (back), ==, confab_attachment_get_n_empty_pages (list[i]));
    }

  /* What goes to the provider after a restart is what went before it. */
  sent = confab_conversation_to_messages_json (conversation);
  reloaded = confab_conversation_to_messages_json (loaded);
  g_assert_true (json_node_equal (sent, reloaded));

  assistant = g_list_model_get_item (G_LIST_MODEL (loaded), 1);
  g_assert_cmpuint (confab_message_get_n_attachments (assistant), ==, 0);
}

static void
test_dedup_and_delete (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autoptr(GBytes) gif = confab_test_two_frame_gif ();
  g_autoptr(ConfabAttachment) shared = make ("dot.png", png);
  g_autoptr(ConfabAttachment) again = make ("same-dot.png", png);
  g_autoptr(ConfabAttachment) own = make ("anim.gif", gif);
  ConfabAttachment *first_list[] = { shared, own, NULL };
  ConfabAttachment *second_list[] = { again, NULL };
  g_autoptr(ConfabConversation) first = conversation_with ("One", first_list);
  g_autoptr(ConfabConversation) second = conversation_with ("Two", second_list);
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabMessage) user = NULL;
  g_autoptr(ConfabAttachment) back = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = confab_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_save (store, first, &error));
  g_assert_true (confab_store_save (store, second, &error));
  g_assert_true (confab_store_save (store, first, &error));
  g_assert_no_error (error);

  /* The same picture in two conversations is one row; its names stay per message. */
  g_assert_cmpint (query_int (fixture->path, "SELECT count (*) FROM attachments"), ==, 2);
  g_assert_cmpint (query_int (fixture->path, "SELECT count (*) FROM message_attachments"), ==, 3);

  /* Deleting the first conversation keeps the picture the second still uses. */
  g_assert_true (confab_store_delete (store, confab_conversation_get_id (first), &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->path, "SELECT count (*) FROM attachments"), ==, 1);
  loaded = confab_store_load (store, confab_conversation_get_id (second), &error);
  g_assert_no_error (error);
  user = g_list_model_get_item (G_LIST_MODEL (loaded), 0);
  back = g_list_model_get_item (confab_message_get_attachments (user), 0);
  g_assert_cmpstr (confab_attachment_get_name (back), ==, "same-dot.png");
  g_assert_true (g_bytes_equal (confab_attachment_get_data (back), png));

  g_assert_true (confab_store_delete (store, confab_conversation_get_id (second), &error));
  g_assert_cmpint (query_int (fixture->path, "SELECT count (*) FROM attachments"), ==, 0);
  g_assert_cmpint (query_int (fixture->path, "SELECT count (*) FROM message_attachments"), ==, 0);
}

static void
test_truncate_collects (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autoptr(ConfabAttachment) image = make ("dot.png", png);
  ConfabAttachment *list[] = { image, NULL };
  g_autoptr(ConfabConversation) conversation = conversation_with ("Look", list);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = confab_store_open (fixture->path, &error);
  g_assert_no_error (error);
  confab_store_track (store, conversation);
  g_assert_true (confab_store_flush (store, &error));
  g_assert_cmpint (query_int (fixture->path, "SELECT count (*) FROM attachments"), ==, 1);

  /* Edit and resend: the message with the picture goes, and so does the picture. */
  confab_conversation_truncate (conversation, 0);
  g_assert_true (confab_store_flush (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->path, "SELECT count (*) FROM message_attachments"), ==, 0);
  g_assert_cmpint (query_int (fixture->path, "SELECT count (*) FROM attachments"), ==, 0);
}

static void
test_export_base64 (void)
{
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autoptr(ConfabAttachment) image = make ("dot.png", png);
  ConfabAttachment *list[] = { image, NULL };
  g_autoptr(ConfabConversation) conversation = conversation_with ("Look", list);
  g_autoptr(JsonNode) root = confab_export_json (conversation);
  g_autofree char *markdown = confab_export_markdown (conversation);
  JsonArray *attachments;
  JsonObject *entry;

  attachments = json_object_get_array_member (json_node_get_object (root), "attachments");
  g_assert_cmpuint (json_array_get_length (attachments), ==, 1);
  entry = json_array_get_object_element (attachments, 0);
  g_assert_cmpint (json_object_get_int_member (entry, "message_index"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, "dot.png");
  g_assert_cmpstr (json_object_get_string_member (entry, "kind"), ==, "image");
  g_assert_cmpstr (json_object_get_string_member (entry, "mime_type"), ==, "image/png");
  g_assert_cmpstr (json_object_get_string_member (entry, "data"), ==, CONFAB_TEST_TINY_PNG_BASE64);
  g_assert_nonnull (strstr (markdown, "_Attached: dot.png · 2 × 2_"));
}

static void
test_export_folder (void)
{
  static const char * const pages[] = { "Quarterly report" };
  g_autofree char *dir = g_dir_make_tmp ("confab-export-folder-XXXXXX", NULL);
  g_autofree char *folder_path = g_build_filename (dir, "export", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (folder_path);
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autoptr(GBytes) gif = confab_test_two_frame_gif ();
  g_autoptr(GBytes) pdf = confab_test_make_pdf (pages, 1);
  g_autoptr(ConfabAttachment) image = make ("shot.png", png);
  g_autoptr(ConfabAttachment) same_name = make ("shot.png", gif);
  g_autoptr(ConfabAttachment) report = make ("../report.pdf", pdf);
  ConfabAttachment *list[] = { image, same_name, report, NULL };
  g_autoptr(ConfabConversation) conversation = conversation_with ("Look", list);
  g_autoptr(GFile) markdown = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *png_path = g_build_filename (folder_path, "shot.png", NULL);
  g_autofree char *second_path = g_build_filename (folder_path, "shot (2).png", NULL);
  g_autofree char *pdf_path = g_build_filename (folder_path, "_._report.pdf", NULL);
  g_autofree char *written = NULL;
  gsize length = 0;

  markdown = confab_export_markdown_to_folder (conversation, folder, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_load_contents (markdown, NULL, &text, NULL, NULL, NULL));
  g_assert_nonnull (strstr (text, "![shot.png · 2 × 2](shot.png)"));
  g_assert_nonnull (strstr (text, "](shot%20%282%29.png)"));
  g_assert_nonnull (strstr (text, "Attached: [../report.pdf · 1 page](_._report.pdf)"));

  /* The files are the bytes that were sent; a name cannot leave the folder. */
  g_assert_true (g_file_get_contents (png_path, &written, &length, NULL));
  g_assert_cmpmem (written, length, g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  g_assert_true (g_file_test (second_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (pdf_path, G_FILE_TEST_IS_REGULAR));

  g_unlink (png_path);
  g_unlink (second_path);
  g_unlink (pdf_path);
  g_file_delete (markdown, NULL, NULL);
  g_rmdir (folder_path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store-attachments/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/store-attachments/dedup-and-delete", Fixture, NULL, fixture_setup, test_dedup_and_delete, fixture_teardown);
  g_test_add ("/store-attachments/truncate-collects", Fixture, NULL, fixture_setup, test_truncate_collects, fixture_teardown);
  g_test_add_func ("/store-attachments/export-base64", test_export_base64);
  g_test_add_func ("/store-attachments/export-folder", test_export_folder);

  return g_test_run ();
}
