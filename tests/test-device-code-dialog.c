/* test-device-code-dialog.c — what a person sees while the oauth check waits for the sign-in:
 * the code (large, selectable, copied by Copy), the address as a link and as a QR code, the
 * time left, and Cancel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-device-code-dialog.h"
#include "dmd-qr.h"
#include "dmd-ui-test-utils.h"

#define URI  "https://microsoft.com/devicelogin"
#define CODE "HGKT7Q2LX"
#define MAILBOX "scanner@contoso.com"

typedef struct {
  char     *response;
  char     *clipboard;
  gboolean  read;
} State;

static gboolean
has_response (gpointer data)
{
  return ((State *) data)->response != NULL;
}

static gboolean
has_read (gpointer data)
{
  return ((State *) data)->read;
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             State            *state)
{
  g_free (state->response);
  state->response = g_strdup (response);
}

static void
read_text_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      data)
{
  State *state = data;

  state->clipboard = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), res, NULL);
  state->read = TRUE;
}

static GtkWidget *parent;

static GtkWidget *
new_dialog (guint expires_in)
{
  GtkWidget *dialog = dmd_device_code_dialog_new (GTK_WINDOW (parent), URI, CODE, expires_in,
                                                  MAILBOX);

  gtk_window_present (GTK_WINDOW (dialog));
  dmd_test_spin ();
  return dialog;
}

static void
test_shows_what_to_do (void)
{
  GtkWidget *dialog = new_dialog (15 * 60);
  GtkWidget *code = dmd_test_find_label (dialog, CODE);
  GtkWidget *link = dmd_test_find_type (dialog, GTK_TYPE_LINK_BUTTON, 0);
  GtkWidget *picture = dmd_test_find_type (dialog, GTK_TYPE_PICTURE, 0);
  GtkWidget *countdown = dmd_test_find_label (dialog, "The code expires in ");
  const char *body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));

  /* The code: large and selectable, so it can be read out or copied by hand. */
  g_assert_nonnull (code);
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (code)));
  g_assert_true (gtk_widget_has_css_class (code, "title-1"));
  g_assert_cmpstr (dmd_device_code_dialog_get_user_code (DMD_DEVICE_CODE_DIALOG (dialog)), ==,
                   CODE);
  /* The address as a link, the mailbox to sign in with. */
  g_assert_nonnull (link);
  g_assert_cmpstr (gtk_link_button_get_uri (GTK_LINK_BUTTON (link)), ==, URI);
  g_assert_nonnull (strstr (body, MAILBOX));
  /* The QR code of the address is shown, at its full size. */
  g_assert_nonnull (picture);
  g_assert_true (dmd_test_is_shown (picture));
  g_assert_nonnull (gtk_picture_get_paintable (GTK_PICTURE (picture)));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (GTK_PICTURE (picture))),
                   >=, 100);
  /* The time left, in minutes and seconds. */
  g_assert_nonnull (countdown);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (countdown)),
                                   "The code expires in 15:00") ||
                 g_str_has_prefix (gtk_label_get_text (GTK_LABEL (countdown)),
                                   "The code expires in 14:59"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  dmd_test_spin ();
}

static void
test_copy (void)
{
  GtkWidget *dialog = new_dialog (600);
  GtkWidget *copy = NULL;
  State state = { 0 };

  for (guint i = 0; copy == NULL && i < dmd_test_count_type (dialog, GTK_TYPE_BUTTON, FALSE); i++)
    {
      GtkWidget *button = dmd_test_find_type (dialog, GTK_TYPE_BUTTON, i);

      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), "C_opy Code") == 0)
        copy = button;
    }
  g_assert_nonnull (copy);
  g_signal_emit_by_name (copy, "clicked");
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (dialog), NULL, read_text_cb, &state);
  g_assert_true (dmd_test_wait (has_read, &state, 5000));
  g_assert_cmpstr (state.clipboard, ==, CODE);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (copy)), ==, "Copied");
  g_free (state.clipboard);
  gtk_window_destroy (GTK_WINDOW (dialog));
  dmd_test_spin ();
}

static void
test_cancel (void)
{
  GtkWidget *dialog = new_dialog (600);
  State state = { 0 };

  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), &state);
  g_assert_cmpstr (adw_message_dialog_get_close_response (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "cancel");
  /* Escape (closing the window) is Cancel too. */
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (dmd_test_wait (has_response, &state, 5000));
  g_assert_cmpstr (state.response, ==, "cancel");
  g_free (state.response);
  dmd_test_spin ();
}

static gboolean
expired (gpointer data)
{
  return dmd_test_find_label (data, "The code has expired.") != NULL;
}

static void
test_expires (void)
{
  GtkWidget *dialog = new_dialog (1);

  g_assert_true (dmd_test_wait (expired, dialog, 10000));
  g_assert_cmpuint (dmd_device_code_dialog_get_seconds_left (DMD_DEVICE_CODE_DIALOG (dialog)),
                    ==, 0);
  gtk_window_destroy (GTK_WINDOW (dialog));
  dmd_test_spin ();
}

/* The QR code: dark modules on white, a quiet zone of four modules, the finder pattern in
 * its corner (what every reader looks for first). */
static void
test_qr (void)
{
  g_autoptr(GdkTexture) texture = dmd_qr_texture_new (URI, 4);
  g_autofree guchar *pixels = NULL;
  int side;
  gsize stride;

  g_assert_nonnull (texture);
  side = gdk_texture_get_width (texture);
  g_assert_cmpint (side, ==, gdk_texture_get_height (texture));
  /* Versions have 21 + 4k modules, plus 2 × 4 of quiet zone, 4 px each. */
  g_assert_cmpint ((side / 4 - 8 - 21) % 4, ==, 0);
  stride = (gsize) side * 4;
  pixels = g_malloc (stride * side);
  gdk_texture_download (texture, pixels, stride);
#define DARK(x, y) (pixels[(y) * stride + (x) * 4] < 128)
  g_assert_false (DARK (0, 0));                       /* quiet zone */
  g_assert_false (DARK (15, 15));
  g_assert_true (DARK (16, 16));                      /* the finder's outer ring */
  g_assert_true (DARK (16 + 6 * 4, 16));
  g_assert_false (DARK (16 + 4, 16 + 4));             /* its white ring */
  g_assert_true (DARK (16 + 3 * 4, 16 + 3 * 4));      /* its dark centre */
#undef DARK
  /* Too long for any QR code: none, rather than a broken one. */
  {
    g_autofree char *huge = g_strnfill (8000, 'x');
    g_autoptr(GdkTexture) none = dmd_qr_texture_new (huge, 4);

    g_assert_null (none);
  }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  dmd_test_own_main_context ();
  parent = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (parent));

  g_test_add_func ("/dmd/device-code-dialog/shows-what-to-do", test_shows_what_to_do);
  g_test_add_func ("/dmd/device-code-dialog/copy", test_copy);
  g_test_add_func ("/dmd/device-code-dialog/cancel", test_cancel);
  g_test_add_func ("/dmd/device-code-dialog/expires", test_expires);
  g_test_add_func ("/dmd/device-code-dialog/qr", test_qr);

  return g_test_run ();
}
