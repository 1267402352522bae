/* dmd-ui-test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-core.h"
#include "dmd-ui-test-utils.h"

void
dmd_test_own_main_context (void)
{
  g_assert_true (g_main_context_acquire (NULL));
}

void
dmd_test_spin (void)
{
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
dmd_test_wait (gboolean (*func) (gpointer),
               gpointer   data,
               guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);
  gboolean done;

  while (!(done = func (data)) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return done;
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  guint *left = data;

  if (*left > 0)
    (*left)--;
  return *left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
frames_done (gpointer data)
{
  return *(guint *) data == 0;
}

void
dmd_test_wait_frames (GtkWidget *widget,
                      guint      n)
{
  guint left = n;

  gtk_widget_add_tick_callback (widget, count_frame_cb, &left, NULL);
  gtk_widget_queue_draw (widget);
  g_assert_true (dmd_test_wait (frames_done, &left, 10000));
  dmd_test_spin ();
}

GtkWidget *
dmd_test_find_row (GtkWidget  *root,
                   const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = dmd_test_find_row (child, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type,
           guint     *n)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    {
      if (*n == 0)
        return root;
      (*n)--;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type, n);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
dmd_test_find_type (GtkWidget *root,
                    GType      type,
                    guint      n)
{
  return find_type (root, type, &n);
}

guint
dmd_test_count_type (GtkWidget *root,
                     GType      type,
                     gboolean   visible_only)
{
  guint count = 0;

  if (visible_only && !gtk_widget_get_visible (root))
    return 0;
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    count++;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += dmd_test_count_type (child, type, visible_only);
  return count;
}

GtkWidget *
dmd_test_find_label (GtkWidget  *root,
                     const char *needle)
{
  if (!gtk_widget_get_visible (root))
    return NULL;
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), needle) != NULL)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = dmd_test_find_label (child, needle);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
layout_adds_hyphen (PangoLayout *layout)
{
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  gboolean found = FALSE;

  do
    {
      PangoLayoutRun *run = pango_layout_iter_get_run_readonly (iter);

      if (run != NULL && (run->item->analysis.flags & PANGO_ANALYSIS_FLAG_NEED_HYPHEN))
        found = TRUE;
    }
  while (!found && pango_layout_iter_next_run (iter));
  pango_layout_iter_free (iter);
  return found;
}

GtkWidget *
dmd_test_find_hyphenated_label (GtkWidget *root)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (GTK_IS_LABEL (root) && layout_adds_hyphen (gtk_label_get_layout (GTK_LABEL (root))))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = dmd_test_find_hyphenated_label (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GPtrArray *
dmd_test_tab_chain (GtkWidget *window,
                    guint      max)
{
  GPtrArray *chain = g_ptr_array_new ();

  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  while (chain->len < max)
    {
      GtkWidget *focus;

      if (!gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD))
        break;
      focus = gtk_root_get_focus (GTK_ROOT (window));
      if (focus == NULL || (chain->len > 0 && focus == g_ptr_array_index (chain, 0)))
        break;
      g_ptr_array_add (chain, focus);
    }
  return chain;
}

gboolean
dmd_test_is_shown (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget))
      return FALSE;
  return TRUE;
}

void
dmd_test_set_text (GtkWidget  *editable_row,
                   const char *text)
{
  g_assert_nonnull (editable_row);
  gtk_editable_set_text (GTK_EDITABLE (editable_row), text);
  dmd_test_spin ();
}

GtkWidget *
dmd_test_window_new (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 480, 640);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  dmd_test_spin ();
  return window;
}

/* The results of a refused sign-in, with the catalogue's own words and settings table. */
DmdResult *
dmd_test_refused_result (void)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  g_autoptr(GPtrArray) rows = NULL;
  DmdResult *result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
  DmdCheck *check;
  DmdFinding *finding;

  config->username = g_strdup ("scanner@contoso.com");
  config->from = g_strdup ("printer@contoso.com");
  config->to = g_strdup ("someone@fabrikam.example");
  check = dmd_result_add_check (result, "connect");
  check->status = DMD_CHECK_PASS;
  check = dmd_result_add_check (result, "auth");
  check->status = DMD_CHECK_FAIL;
  check->reply_code = 535;
  check->reply_class = 5;
  finding = dmd_catalog_make_finding ("auth-smtp-auth-disabled-tenant", config,
                                      "535 5.7.139 Authentication unsuccessful, "
                                      "SmtpClientAuthentication is disabled for the Tenant. Visit "
                                      "https://aka.ms/smtp_auth_disabled for more information.");
  g_assert_nonnull (finding);
  finding->check = g_strdup ("auth");
  dmd_result_add_finding (result, finding);
  rows = dmd_catalog_recommended_settings (config);
  while (rows->len > 0)
    g_ptr_array_add (result->recommended, g_ptr_array_steal_index (rows, 0));
  return result;
}

/* A plain SMTP client in a thread: EHLO, MAIL FROM, RCPT TO, QUIT. */

typedef struct {
  guint16   port;
  gboolean  done;
  gboolean  ok;
} Client;

static gboolean
read_reply (GDataInputStream *in,
            char              expect)
{
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);

      if (line == NULL || strlen (line) < 3)
        return FALSE;
      if (line[3] != '-')
        return line[0] == expect;
    }
}

static gpointer
client_thread (gpointer data)
{
  Client *client = data;
  g_autoptr(GSocketClient) sc = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  GOutputStream *out;
  const char *commands[] = {
    "EHLO printer.contoso.com\r\n",
    "MAIL FROM:<scanner@contoso.com>\r\n",
    "RCPT TO:<a@contoso.com>\r\n",
  };
  gboolean ok;

  g_socket_client_set_timeout (sc, 5);
  conn = g_socket_client_connect_to_host (sc, "127.0.0.1", client->port, NULL, NULL);
  if (conn == NULL)
    goto out;
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));

  ok = read_reply (in, '2');
  for (guint i = 0; ok && i < G_N_ELEMENTS (commands); i++)
    ok = g_output_stream_write_all (out, commands[i], strlen (commands[i]), NULL, NULL, NULL)
         && read_reply (in, '2');
  if (ok)
    ok = g_output_stream_write_all (out, "QUIT\r\n", 6, NULL, NULL, NULL) && read_reply (in, '2');
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  client->ok = ok;

out:
  g_atomic_int_set (&client->done, TRUE);
  return NULL;
}

static gboolean
client_done (gpointer data)
{
  return g_atomic_int_get (&((Client *) data)->done);
}

gboolean
dmd_test_smtp_client_run (guint16 port)
{
  Client client = { port, FALSE, FALSE };
  GThread *thread = g_thread_new ("client", client_thread, &client);

  g_assert_true (dmd_test_wait (client_done, &client, 10000));
  g_thread_join (thread);
  return client.ok;
}
