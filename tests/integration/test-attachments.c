/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-attachments"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "confab-attachment.h"
#include "confab-client.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-replay-server.h"
#include "confab-test-attachments.h"
#include "confab-test-util.h"
#include "confab-turn.h"

#define WAIT_MS 10000

#define PDF_NOTE "[This page has no text layer; it may be a scanned image. Its content is not included.]"

static GdkPixbuf *
decode (GBytes *bytes)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_loader_write_bytes (loader, bytes, &error);
  g_assert_no_error (error);
  gdk_pixbuf_loader_close (loader, &error);
  g_assert_no_error (error);

  return g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
}

static void
test_small_png_sent_unchanged (void)
{
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(JsonNode) part = NULL;
  g_autofree char *json = NULL;
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, png);

  attachment = confab_attachment_new_from_bytes ("dot.png", NULL, png, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_attachment_get_kind (attachment), ==, CONFAB_ATTACHMENT_IMAGE);
  g_assert_cmpstr (confab_attachment_get_mime_type (attachment), ==, "image/png");
  g_assert_cmpstr (confab_attachment_get_sha256 (attachment), ==, sha);
  g_assert_true (g_bytes_equal (confab_attachment_get_data (attachment), png));
  g_assert_cmpuint (confab_attachment_get_width (attachment), ==, 2);
  g_assert_cmpuint (confab_attachment_get_height (attachment), ==, 2);

  part = confab_attachment_to_content_part (attachment);
  json = json_to_string (part, FALSE);
  g_assert_true (confab_json_equal_strings ("{\"type\":\"image_url\",\"image_url\":{\"url\":"
                                            "\"data:image/png;base64," CONFAB_TEST_TINY_PNG_BASE64 "\","
                                            "\"detail\":\"auto\"}}", json, NULL));
}

static void
test_large_image_downscaled (void)
{
  g_autoptr(GBytes) jpeg = confab_test_make_image (3000, 1500, FALSE, "jpeg");
  g_autoptr(GBytes) png = confab_test_make_image (400, 800, TRUE, "png");
  g_autoptr(ConfabAttachment) photo = NULL;
  g_autoptr(ConfabAttachment) small = NULL;
  g_autoptr(GdkPixbuf) decoded = NULL;
  g_autoptr(GError) error = NULL;
  ConfabAttachmentLimits limits;

  photo = confab_attachment_new_from_bytes ("photo.jpg", NULL, jpeg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (confab_attachment_get_width (photo), ==, 2048);
  g_assert_cmpuint (confab_attachment_get_height (photo), ==, 1024);
  g_assert_cmpstr (confab_attachment_get_data_mime_type (photo), ==, "image/jpeg");
  g_assert_cmpuint (g_bytes_get_size (confab_attachment_get_data (photo)), <, g_bytes_get_size (jpeg));
  decoded = decode (confab_attachment_get_data (photo));
  g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 2048);
  g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, 1024);
  g_clear_object (&decoded);

  /* The long edge is a setting; a picture with transparency stays PNG. */
  confab_attachment_limits_init (&limits);
  limits.max_long_edge = 100;
  limits.detail = "low";
  small = confab_attachment_new_from_bytes ("tall.png", NULL, png, &limits, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (confab_attachment_get_width (small), ==, 50);
  g_assert_cmpuint (confab_attachment_get_height (small), ==, 100);
  g_assert_cmpstr (confab_attachment_get_data_mime_type (small), ==, "image/png");
  g_assert_cmpstr (confab_attachment_get_detail (small), ==, "low");
  decoded = decode (confab_attachment_get_data (small));
  g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, 100);
}

static void
test_gif_first_frame (void)
{
  g_autoptr(GBytes) gif = confab_test_two_frame_gif ();
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(GdkPixbuf) decoded = NULL;
  g_autoptr(GError) error = NULL;
  const guchar *pixel;

  attachment = confab_attachment_new_from_bytes ("anim.gif", NULL, gif, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_attachment_get_mime_type (attachment), ==, "image/gif");
  g_assert_cmpstr (confab_attachment_get_data_mime_type (attachment), ==, "image/png");
  decoded = decode (confab_attachment_get_data (attachment));
  pixel = gdk_pixbuf_read_pixels (decoded);
  /* The first frame is red; the second (blue) is not sent. */
  g_assert_cmpuint (pixel[0], ==, 255);
  g_assert_cmpuint (pixel[2], ==, 0);
}

static void
test_broken_image_refused (void)
{
  /* A PNG signature, then a broken header chunk. */
  static const char broken[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\xff\xff\xff\xff\xff\xff";
  g_autoptr(GBytes) cut = g_bytes_new_static (broken, sizeof broken - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabAttachment) attachment = NULL;

  /* A GIF of a few bytes that claims 60000 × 60000 pixels: refused before 14 GB are asked for. */
  static const char huge[] =
    "GIF89a\x60\xea\x60\xea\x80\x00\x00\xff\x00\x00\x00\x00\xff"
    "\x2c\x00\x00\x00\x00\x60\xea\x60\xea\x00\x02\x02\x44\x01\x00\x3b";
  g_autoptr(GBytes) bomb = g_bytes_new_static (huge, sizeof huge - 1);
  /* A valid PNG header (CRC right) for 30000 × 30000 RGBA: 3.6 GB if decoded. */
  static const char huge_png[] =
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x75\x30\x00\x00\x75\x30"
    "\x08\x06\x00\x00\x00\x66\x27\xf8\xba\x00\x00\x00\x0c\x49\x44\x41\x54\x78\x9c\x63\x60\xa0\x3d\x00"
    "\x00\x00\x64\x00\x01\x86\x64\x3c\x35\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";
  g_autoptr(GBytes) png_bomb = g_bytes_new_static (huge_png, sizeof huge_png - 1);

  attachment = confab_attachment_new_from_bytes ("cut.png", "image/png", cut, NULL, &error);
  g_assert_null (attachment);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "“cut.png” is not a readable image"));
  g_clear_error (&error);

  attachment = confab_attachment_new_from_bytes ("bomb.gif", NULL, bomb, NULL, &error);
  g_assert_null (attachment);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "“bomb.gif” is too large an image to attach (60000 × 60000 pixels)"));
  g_clear_error (&error);

  attachment = confab_attachment_new_from_bytes ("bomb.png", NULL, png_bomb, NULL, &error);
  g_assert_null (attachment);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "“bomb.png” is too large an image to attach (30000 × 30000 pixels)"));
  /* Refused before the picture was allocated, not after. */
  {
    struct rusage usage;

    g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
    g_assert_cmpint (usage.ru_maxrss, <, 512 * 1024);
  }
}

static void
test_text_file_fenced (void)
{
  static const char source[] = "int main (void) { return 0; }\n/* ```not the end``` */\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (source, strlen (source));
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(JsonNode) part = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  attachment = confab_attachment_new_from_bytes ("main.c", NULL, bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_attachment_get_kind (attachment), ==, CONFAB_ATTACHMENT_TEXT);
  g_assert_cmpstr (confab_attachment_get_text (attachment), ==, source);

  part = confab_attachment_to_content_part (attachment);
  object = json_node_get_object (part);
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "text");
  g_assert_cmpstr (json_object_get_string_member (object, "text"), ==,
                   "Attached file: main.c\n\n````c\n"
                   "int main (void) { return 0; }\n/* ```not the end``` */\n````");
}

static void
test_binary_text_refused (void)
{
  static const char binary[] = "ELF\x01\x00\x00garbage";
  static const char latin1[] = "caf\xe9 cr\xe8me\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (binary, sizeof binary - 1);
  g_autoptr(GBytes) legacy = g_bytes_new_static (latin1, sizeof latin1 - 1);
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(GError) error = NULL;

  attachment = confab_attachment_new_from_bytes ("notes.txt", NULL, bytes, NULL, &error);
  g_assert_null (attachment);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "“notes.txt” is not a text file"));
  g_clear_error (&error);

  /* Not UTF-8 but text: kept, the bad bytes replaced, nothing refused. */
  attachment = confab_attachment_new_from_bytes ("old.txt", NULL, legacy, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (confab_attachment_get_text (attachment), -1, NULL));
  g_assert_true (g_str_has_prefix (confab_attachment_get_text (attachment), "caf\xef\xbf\xbd"));
}

static void
test_pdf_text_and_scanned_page (void)
{
  static const char * const pages[] = { "Hello PDF", NULL, "Third page" };
  g_autoptr(GBytes) pdf = confab_test_make_pdf (pages, G_N_ELEMENTS (pages));
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *describe = NULL;

  attachment = confab_attachment_new_from_bytes ("report.pdf", NULL, pdf, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_attachment_get_kind (attachment), ==, CONFAB_ATTACHMENT_PDF);
  g_assert_cmpuint (confab_attachment_get_n_pages (attachment), ==, 3);
  g_assert_cmpuint (confab_attachment_get_n_empty_pages (attachment), ==, 1);
  g_assert_cmpstr (confab_attachment_get_text (attachment), ==,
                   "--- Page 1 of 3 ---\nHello PDF\n\n"
                   "--- Page 2 of 3 ---\n" PDF_NOTE "\n\n"
                   "--- Page 3 of 3 ---\nThird page\n");
  describe = confab_attachment_describe (attachment);
  g_assert_cmpstr (describe, ==, "report.pdf · 3 pages");
}

static void
test_corrupt_pdf_refused (void)
{
  static const char * const pages[] = { "Hello PDF" };
  g_autoptr(GBytes) pdf = confab_test_make_pdf (pages, 1);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (pdf, 0, 200);
  g_autoptr(GBytes) junk = g_bytes_new_static ("%PDF-1.4\nnonsense", 17);
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(GError) error = NULL;

  attachment = confab_attachment_new_from_bytes ("cut.pdf", "application/pdf", cut, NULL, &error);
  g_assert_null (attachment);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "“cut.pdf”"));
  g_clear_error (&error);

  attachment = confab_attachment_new_from_bytes ("junk.pdf", NULL, junk, NULL, &error);
  g_assert_null (attachment);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT);
}

static void
test_limits (void)
{
  g_autofree char *dir = g_dir_make_tmp ("confab-attach-XXXXXX", NULL);
  g_autoptr(GBytes) png = confab_test_make_image (300, 300, FALSE, "png");
  g_autofree char *path = confab_test_write_file (dir, "big.png", png);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GListStore) list = g_list_store_new (CONFAB_TYPE_ATTACHMENT);
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(GError) error = NULL;
  ConfabAttachmentLimits limits;

  confab_attachment_limits_init (&limits);
  limits.max_file_size = 100;
  attachment = confab_attachment_new_from_file (file, &limits, NULL, &error);
  g_assert_null (attachment);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "“big.png” is too large to attach"));
  g_assert_nonnull (strstr (error->message, "100 bytes per file"));
  g_clear_error (&error);

  confab_attachment_limits_init (&limits);
  attachment = confab_attachment_new_from_file (file, &limits, NULL, &error);
  g_assert_no_error (error);
  g_list_store_append (list, attachment);
  g_list_store_append (list, attachment);
  g_assert_true (confab_attachments_check_message_size (G_LIST_MODEL (list), &limits, &error));
  limits.max_message_size = confab_attachment_get_request_size (attachment) + 1;
  g_assert_false (confab_attachments_check_message_size (G_LIST_MODEL (list), &limits, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "too large to send together"));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_folder_and_async (void)
{
  g_autofree char *dir = g_dir_make_tmp ("confab-attach-XXXXXX", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autofree char *path = confab_test_write_file (dir, "dot.png", png);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  attachment = confab_attachment_new_from_file (folder, NULL, NULL, &error);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "is a folder"));
  g_clear_error (&error);

  confab_attachment_new_from_file_async (file, NULL, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  attachment = confab_attachment_new_from_file_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_attachment_get_name (attachment), ==, "dot.png");
  g_assert_true (g_bytes_equal (confab_attachment_get_data (attachment), png));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_limits_from_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.confab.Confab");
  ConfabAttachmentLimits limits;

  confab_attachment_limits_init_from_settings (&limits, settings);
  g_assert_cmpuint (limits.max_long_edge, ==, 2048);
  g_assert_cmpstr (limits.detail, ==, "auto");
  g_assert_cmpuint (limits.max_file_size, ==, 20 * 1024 * 1024);

  g_settings_set_uint (settings, "attachment-max-long-edge", 512);
  g_settings_set_string (settings, "attachment-image-detail", "high");
  g_settings_set_uint (settings, "attachment-max-message-size", 1);
  confab_attachment_limits_init_from_settings (&limits, settings);
  g_assert_cmpuint (limits.max_long_edge, ==, 512);
  g_assert_cmpstr (limits.detail, ==, "high");
  g_assert_cmpuint (limits.max_message_size, ==, 1024 * 1024);
  g_settings_reset (settings, "attachment-max-long-edge");
  g_settings_reset (settings, "attachment-image-detail");
  g_settings_reset (settings, "attachment-max-message-size");
}

/* Request bodies on the replay server */

typedef struct
{
  ConfabReplayServer *server;
  ConfabClient       *client;
  ConfabProvider     *provider;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = confab_replay_server_new ();
  fixture->client = confab_client_new ();
  fixture->provider = confab_provider_new ("Replay", confab_replay_server_get_base_url (fixture->server));
  confab_provider_set_model (fixture->provider, "vision-model");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->provider);
  g_assert_finalize_object (fixture->client);
  g_clear_pointer (&fixture->server, confab_replay_server_free);
}

static const char *answer =
  "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A red square.\"},"
  "\"finish_reason\":null}]}\n\n"
  "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
  "data: [DONE]\n\n";

static ConfabMessage *
user_message_with_attachments (void)
{
  static const char * const pages[] = { "Hello PDF", NULL };
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autoptr(GBytes) pdf = confab_test_make_pdf (pages, 2);
  g_autoptr(GBytes) text = g_bytes_new_static ("a,b\n1,2\n", 8);
  ConfabMessage *user = confab_message_new (CONFAB_ROLE_USER, "What is in these?");
  const struct { const char *name; GBytes *bytes; } files[] = {
    { "dot.png", png }, { "data.csv", text }, { "report.pdf", pdf },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ConfabAttachment) attachment = NULL;

      attachment = confab_attachment_new_from_bytes (files[i].name, NULL, files[i].bytes, NULL, &error);
      g_assert_no_error (error);
      confab_message_add_attachment (user, attachment);
    }

  return user;
}

static void
test_request_body_parts (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = user_message_with_attachments ();
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ConfabReplayResponse *response;

  response = confab_replay_server_add_response (fixture->server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  confab_replay_response_set_expected_body (response,
    "{\"model\":\"vision-model\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
    "\"messages\":[{\"role\":\"user\",\"content\":["
      "{\"type\":\"text\",\"text\":\"What is in these?\"},"
      "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
        CONFAB_TEST_TINY_PNG_BASE64 "\",\"detail\":\"auto\"}},"
      "{\"type\":\"text\",\"text\":\"Attached file: data.csv\\n\\n```csv\\na,b\\n1,2\\n```\"},"
      "{\"type\":\"text\",\"text\":\"Attached PDF: report.pdf (2 pages, 1 without text)\\n\\n"
        "--- Page 1 of 2 ---\\nHello PDF\\n\\n--- Page 2 of 2 ---\\n" PDF_NOTE "\\n\"}"
    "]}]}");

  confab_conversation_append (conversation, user);
  turn = confab_turn_new (fixture->client, fixture->provider, conversation, NULL, NULL);
  confab_turn_run_async (turn, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_turn_run_finish (turn, result, &error));
  g_assert_no_error (error);

  confab_replay_server_assert_no_mismatches (fixture->server);
  g_assert_cmpstr (confab_message_get_content (confab_conversation_get_last_message (conversation)),
                   ==, "A red square.");
}

static void
test_vision_refusal (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = user_message_with_attachments ();
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabMessage) first = NULL;

  confab_replay_server_add_response (fixture->server, 400, "application/json",
                                     "{\"error\":{\"message\":\"Invalid content type. image_url is only "
                                     "supported by certain models.\",\"type\":\"invalid_request_error\"}}",
                                     CONFAB_REPLAY_NONE);

  confab_conversation_append (conversation, user);
  turn = confab_turn_new (fixture->client, fixture->provider, conversation, NULL, NULL);
  confab_turn_run_async (turn, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_false (confab_turn_run_finish (turn, result, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMAGES_REFUSED);
  g_assert_nonnull (strstr (error->message, "does not accept images"));
  g_assert_nonnull (strstr (error->message, "image_url is only supported by certain models"));

  /* The user message and its attachments are still there for a retry. */
  first = g_list_model_get_item (G_LIST_MODEL (conversation), 0);
  g_assert_true (first == user);
  g_assert_cmpuint (confab_message_get_n_attachments (user), ==, 3);
}

/* confab-cli --attach: the same parts, and a clear refusal before any request. */
static void
test_cli_attach (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const pages[] = { "Hello PDF", NULL };
  g_autofree char *dir = g_dir_make_tmp ("confab-cli-attach-XXXXXX", NULL);
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autoptr(GBytes) pdf = confab_test_make_pdf (pages, 2);
  g_autoptr(GBytes) csv = g_bytes_new_static ("a,b\n1,2\n", 8);
  g_autoptr(GBytes) binary = g_bytes_new_static ("\x7f" "ELF\x00\x01", 6);
  g_autofree char *png_path = confab_test_write_file (dir, "dot.png", png);
  g_autofree char *pdf_path = confab_test_write_file (dir, "report.pdf", pdf);
  g_autofree char *csv_path = confab_test_write_file (dir, "data.csv", csv);
  g_autofree char *bin_path = confab_test_write_file (dir, "notes.txt", binary);
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(ConfabCliResult) refused = NULL;
  ConfabReplayResponse *response;
  const char *base_url = confab_replay_server_get_base_url (fixture->server);
  const char *args[] = { "--base-url", base_url, "--model", "vision-model", "--no-store",
                         "--attach", png_path, "--attach", csv_path, "--attach", pdf_path,
                         "What is in these?", NULL };
  const char *bad_args[] = { "--base-url", base_url, "--model", "vision-model", "--no-store",
                             "--attach", png_path, "--attach", bin_path, "Read this", NULL };

  response = confab_replay_server_add_response (fixture->server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  confab_replay_response_set_expected_body (response,
    "{\"model\":\"vision-model\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
    "\"messages\":[{\"role\":\"user\",\"content\":["
      "{\"type\":\"text\",\"text\":\"What is in these?\"},"
      "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
        CONFAB_TEST_TINY_PNG_BASE64 "\",\"detail\":\"auto\"}},"
      "{\"type\":\"text\",\"text\":\"Attached file: data.csv\\n\\n```csv\\na,b\\n1,2\\n```\"},"
      "{\"type\":\"text\",\"text\":\"Attached PDF: report.pdf (2 pages, 1 without text)\\n\\n"
        "--- Page 1 of 2 ---\\nHello PDF\\n\\n--- Page 2 of 2 ---\\n" PDF_NOTE "\\n\"}"
    "]}]}");

  result = confab_test_run_cli (args, NULL, NULL, WAIT_MS);
  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_cmpstr (result->stdout_text, ==, "A red square.\n");
  confab_replay_server_assert_no_mismatches (fixture->server);

  /* A binary "text" file: refused with its name, nothing sent. */
  refused = confab_test_run_cli (bad_args, NULL, NULL, WAIT_MS);
  g_assert_cmpint (refused->exit_status, ==, 2);
  g_assert_nonnull (strstr (refused->stderr_text, "“notes.txt” is not a text file"));
  g_assert_cmpuint (confab_replay_server_get_requests (fixture->server)->len, ==, 1);

  g_unlink (png_path);
  g_unlink (pdf_path);
  g_unlink (csv_path);
  g_unlink (bin_path);
  g_rmdir (dir);
}

/* Stored, restarted, exported: confab-cli --attach keeps the files with the conversation, and
 * export --folder writes them beside the Markdown. */
static void
test_cli_store_and_export_folder (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("confab-cli-export-XXXXXX", NULL);
  g_autofree char *data_home = g_build_filename (dir, "data", NULL);
  g_autofree char *env_data = g_strconcat ("XDG_DATA_HOME=", data_home, NULL);
  g_autofree char *folder = g_build_filename (dir, "export", NULL);
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autofree char *png_path = confab_test_write_file (dir, "dot.png", png);
  g_autofree char *exported_png = g_build_filename (folder, "dot.png", NULL);
  g_autofree char *exported_md = g_build_filename (folder, "conversation.md", NULL);
  g_autofree char *markdown = NULL;
  g_autofree char *written = NULL;
  g_autoptr(ConfabCliResult) run = NULL;
  g_autoptr(ConfabCliResult) export = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  const char *env[] = { env_data, NULL };
  const char *base_url = confab_replay_server_get_base_url (fixture->server);
  const char *args[] = { "--base-url", base_url, "--model", "vision-model", "--json",
                         "--attach", png_path, "What is this?", NULL };
  const char *export_args[] = { "export", NULL, "--folder", folder, NULL };
  const char *id;
  gsize length = 0;

  confab_replay_server_add_response (fixture->server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  run = confab_test_run_cli (args, NULL, env, WAIT_MS);
  g_assert_cmpint (run->exit_status, ==, 0);
  lines = confab_test_parse_json_lines (run->stdout_text);
  id = confab_test_json_get_string (g_ptr_array_index (lines, lines->len - 1), "conversation_id");
  g_assert_nonnull (id);

  export_args[1] = id;
  export = confab_test_run_cli (export_args, NULL, env, WAIT_MS);
  g_assert_cmpint (export->exit_status, ==, 0);
  g_assert_true (g_str_has_suffix (g_strstrip (export->stdout_text), "conversation.md"));
  g_assert_true (g_file_get_contents (exported_md, &markdown, NULL, NULL));
  g_assert_nonnull (strstr (markdown, "![dot.png · 2 × 2](dot.png)"));
  g_assert_true (g_file_get_contents (exported_png, &written, &length, NULL));
  g_assert_cmpmem (written, length, g_bytes_get_data (png, NULL), g_bytes_get_size (png));

  g_unlink (exported_png);
  g_unlink (exported_md);
  g_rmdir (folder);
  g_unlink (png_path);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
    g_assert_cmpint (system (command), ==, 0);
  }
}

static void
test_title_from_attachment (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "");
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonArray *parts;

  attachment = confab_attachment_new_from_bytes ("screenshot.png", NULL, png, NULL, NULL);
  confab_message_add_attachment (user, attachment);
  confab_conversation_append (conversation, user);
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "screenshot.png");

  /* Without text, the content is the picture alone (no empty text part). */
  json = confab_message_to_json (user);
  parts = json_object_get_array_member (json_node_get_object (json), "content");
  g_assert_cmpuint (json_array_get_length (parts), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 0), "type"), ==, "image_url");
}

static void
test_elide_data_urls (void)
{
  g_autofree char *elided = NULL;
  g_autofree char *kept = NULL;

  elided = confab_attachment_elide_data_urls ("{\"url\":\"data:image/png;base64,iVBORw0K+/==\",\"detail\":\"auto\"}");
  g_assert_cmpstr (elided, ==, "{\"url\":\"data:image/png;base64,…\",\"detail\":\"auto\"}");
  /* Text that only mentions the marker is left alone. */
  kept = confab_attachment_elide_data_urls ("{\"content\":\"split on ;base64,abc please\"}");
  g_assert_cmpstr (kept, ==, "{\"content\":\"split on ;base64,abc please\"}");
  g_assert_null (confab_attachment_elide_data_urls (NULL));
}

static void
test_refusal_needs_images (void)
{
  g_autoptr(GError) http = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_HTTP,
                                                "The server answered HTTP 400 Bad Request: image too big");
  g_autoptr(GError) other = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_HTTP,
                                                 "The server answered HTTP 400 Bad Request: bad model");
  g_autoptr(GError) refused = NULL;
  const char *with_image = "{\"messages\":[{\"content\":[{\"type\":\"image_url\"}]}]}";

  g_assert_null (confab_attachment_explain_refusal (400, "{\"messages\":[]}", http));
  g_assert_null (confab_attachment_explain_refusal (400, with_image, other));
  g_assert_null (confab_attachment_explain_refusal (500, with_image, http));
  refused = confab_attachment_explain_refusal (400, with_image, http);
  g_assert_error (refused, CONFAB_ERROR, CONFAB_ERROR_IMAGES_REFUSED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/attachment/image/small-png-unchanged", test_small_png_sent_unchanged);
  g_test_add_func ("/attachment/image/downscaled", test_large_image_downscaled);
  g_test_add_func ("/attachment/image/gif-first-frame", test_gif_first_frame);
  g_test_add_func ("/attachment/image/broken", test_broken_image_refused);
  g_test_add_func ("/attachment/text/fenced", test_text_file_fenced);
  g_test_add_func ("/attachment/text/binary", test_binary_text_refused);
  g_test_add_func ("/attachment/pdf/text-and-scanned-page", test_pdf_text_and_scanned_page);
  g_test_add_func ("/attachment/pdf/corrupt", test_corrupt_pdf_refused);
  g_test_add_func ("/attachment/limits", test_limits);
  g_test_add_func ("/attachment/limits-from-settings", test_limits_from_settings);
  g_test_add_func ("/attachment/folder-and-async", test_folder_and_async);
  g_test_add_func ("/attachment/title-from-attachment", test_title_from_attachment);
  g_test_add_func ("/attachment/elide-data-urls", test_elide_data_urls);
  g_test_add_func ("/attachment/refusal-needs-images", test_refusal_needs_images);
  g_test_add ("/attachment/request/parts", Fixture, NULL,
              fixture_setup, test_request_body_parts, fixture_teardown);
  g_test_add ("/attachment/cli/attach", Fixture, NULL,
              fixture_setup, test_cli_attach, fixture_teardown);
  g_test_add ("/attachment/cli/store-and-export-folder", Fixture, NULL,
              fixture_setup, test_cli_store_and_export_folder, fixture_teardown);
  g_test_add ("/attachment/request/vision-refusal", Fixture, NULL,
              fixture_setup, test_vision_refusal, fixture_teardown);

  return g_test_run ();
}
