/* dmd-results-page.c — the verdict, the fixes, the settings table and the connection facts
 *
 * Everything shown here comes from the session's DmdResult as plain text (rows do not use
 * markup): replies and certificate fields are server-controlled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-a11y.h"
#include "dmd-checks-page.h"
#include "dmd-core.h"
#include "dmd-finding-row.h"
#include "dmd-instead-row.h"
#include "dmd-results-page.h"
#include "dmd-text.h"
#include "dmd-transcript-view.h"

struct _DmdResultsPage
{
  DmdPage               parent_instance;

  AdwActionRow         *change_row;
  AdwPreferencesGroup  *checks_group;
  AdwPreferencesGroup  *connection_group;
  AdwActionRow         *copy_row;
  AdwPreferencesGroup  *notes_group;
  AdwPreferencesGroup  *problems_group;
  AdwActionRow         *save_row;
  GtkScrolledWindow    *scrolled_window;
  AdwPreferencesGroup  *settings_group;
  GtkWidget            *step_command;   /* the first step's command box, or NULL */
  GtkBox               *step_box;
  GtkLabel             *step_label;
  GtkToggleButton      *transcript_button;
  DmdTranscriptView    *transcript_view;
  GtkBox               *type_box;
  GtkGrid              *type_grid;
  GtkLabel             *verdict_description;
  GtkImage             *verdict_icon;
  GtkLabel             *verdict_note;
  GtkLabel             *verdict_title;
  GtkLabel             *who_label;

  GPtrArray            *rows;     /* rows added to the groups, to remove on the next render */
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (DmdResultsPage, dmd_results_page, DMD_TYPE_PAGE)

static void
toast (DmdResultsPage *self,
       const char     *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
add_row (DmdResultsPage      *self,
         AdwPreferencesGroup *group,
         GtkWidget           *row)
{
  adw_preferences_group_add (group, row);
  g_object_set_data (G_OBJECT (row), "dmd-group", group);
  g_ptr_array_add (self->rows, row);
}

static void
clear (DmdResultsPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      adw_preferences_group_remove (g_object_get_data (G_OBJECT (row), "dmd-group"), row);
    }
  g_ptr_array_set_size (self->rows, 0);
  dmd_transcript_view_clear (self->transcript_view);
}

/* A plain-text row; its status (if any) is an icon plus words. */
static GtkWidget *
info_row_new (const char *title,
              const char *subtitle,
              const char *icon_name,
              const char *icon_style,
              const char *state)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *spoken = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL && *subtitle != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (icon_name != NULL || state != NULL)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      if (icon_name != NULL)
        {
          GtkWidget *icon = g_object_new (GTK_TYPE_IMAGE,
                                          "icon-name", icon_name,
                                          "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                          NULL);
          if (icon_style != NULL)
            gtk_widget_add_css_class (icon, icon_style);
          gtk_box_append (GTK_BOX (box), icon);
        }
      if (state != NULL)
        {
          GtkWidget *label = gtk_label_new (state);

          /* A word or two: wrapping would break Japanese one character a line. */
          gtk_label_set_xalign (GTK_LABEL (label), 1);
          if (icon_style != NULL && g_strcmp0 (icon_style, "dim-label") != 0)
            gtk_widget_add_css_class (label, icon_style);
          else
            gtk_widget_add_css_class (label, "dim-label");
          gtk_box_append (GTK_BOX (box), label);
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
    }

  /* Read out with its state and value. */
  spoken = g_strjoin (". ", title, state ? state : "", subtitle ? subtitle : "", NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
  return row;
}

static guint
setting_rank (const DmdSettingRow *row)
{
  if (g_strcmp0 (row->status, "differs") == 0)
    return 0;
  if (g_strcmp0 (row->status, "ok") == 0)
    return 1;
  return 2;
}

static void
render_settings (DmdResultsPage *self,
                 DmdResult      *result)
{
  g_autoptr(GPtrArray) sorted = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->settings_group),
                          result->recommended != NULL && result->recommended->len > 0);
  if (result->recommended == NULL)
    return;

  /* Differences first, the rest in the engine's order. A plain array: it must not free the
   * rows (g_ptr_array_copy would take the free function along). */
  sorted = g_ptr_array_new ();
  for (guint rank = 0; rank <= 2; rank++)
    for (guint i = 0; i < result->recommended->len; i++)
      if (setting_rank (g_ptr_array_index (result->recommended, i)) == rank)
        g_ptr_array_add (sorted, g_ptr_array_index (result->recommended, i));

  for (guint i = 0; i < sorted->len; i++)
    {
      const DmdSettingRow *setting = g_ptr_array_index (sorted, i);
      g_autofree char *subtitle = NULL;
      const char *icon, *style, *state;
      guint rank = setting_rank (setting);

      if (setting->entered != NULL && *setting->entered != '\0')
        /* Translators: under a setting: the recommended value, then what was entered. */
        subtitle = g_strdup_printf (_("Recommended: %s\nEntered: %s"),
                                    setting->recommended ? setting->recommended : "",
                                    setting->entered);
      else
        subtitle = g_strdup_printf (_("Recommended: %s"),
                                    setting->recommended ? setting->recommended : "");

      if (rank == 0)
        {
          icon = "dialog-error-symbolic";
          style = "error";
          state = _("Differs");
        }
      else if (rank == 1)
        {
          icon = "emblem-ok-symbolic";
          style = "success";
          state = _("Matches");
        }
      else
        {
          icon = "list-remove-symbolic";
          style = "dim-label";
          state = _("Not applicable");
        }

      add_row (self, self->settings_group,
               info_row_new (setting->label ? setting->label : setting->name, subtitle, icon, style, state));
    }
}

static const DmdSettingRow *
setting_named (DmdResult  *result,
               const char *name)
{
  for (guint i = 0; result->recommended != NULL && i < result->recommended->len; i++)
    {
      const DmdSettingRow *row = g_ptr_array_index (result->recommended, i);

      if (g_strcmp0 (row->name, name) == 0)
        return row;
    }
  return NULL;
}

static GtkWidget *
card_label_new (const char *text,
                const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_valign (label, GTK_ALIGN_START);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  return label;
}

/* "Type this into the device": the values that matter at the device, one line each, with
 * what was entered under a value that differs. Right under the headline, so that the verdict
 * and what to type fit one screen. */
static void
render_type_card (DmdResultsPage *self,
                  DmdResult      *result)
{
  static const char *names[] = { "server", "port", "security", "username", "sender" };
  GtkWidget *child;
  int line = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->type_grid))) != NULL)
    gtk_grid_remove (self->type_grid, child);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const DmdSettingRow *setting = setting_named (result, names[i]);
      gboolean differs, ok, entered;
      const char *value;
      GtkWidget *name, *value_box, *value_label, *icon;

      if (setting == NULL)
        continue;
      differs = g_strcmp0 (setting->status, "differs") == 0;
      ok = g_strcmp0 (setting->status, "ok") == 0;
      entered = setting->entered != NULL && *setting->entered != '\0';
      /* What matches is shown as typed (concrete); otherwise what to type instead. */
      value = ok && entered ? setting->entered
            : setting->recommended != NULL ? setting->recommended : "";

      name = card_label_new (setting->label ? setting->label : setting->name, "dim-label");
      gtk_label_set_wrap_mode (GTK_LABEL (name), PANGO_WRAP_WORD);
      value_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      gtk_widget_set_hexpand (value_box, TRUE);
      value_label = card_label_new (value, NULL);
      /* At least 24 characters wide (a wrapping label's width-chars is its minimum): at
       * 360 px the names wrap first and a host name or an address stays on one line. */
      gtk_label_set_width_chars (GTK_LABEL (value_label), 24);
      dmd_text_selectable_quietly (GTK_LABEL (value_label));
      gtk_widget_add_css_class (value_label, "type-value");
      gtk_box_append (GTK_BOX (value_box), value_label);
      if (differs)
        {
          g_autofree char *was = NULL;

          /* Translators: under a value to type into the device: what is there now. */
          was = entered ? g_strdup_printf (_("Entered: %s"), setting->entered)
                        : g_strdup (_("Not entered"));
          gtk_box_append (GTK_BOX (value_box), card_label_new (was, "caption"));
          gtk_widget_add_css_class (value_box, "differs");
        }

      icon = g_object_new (GTK_TYPE_IMAGE,
                           "icon-name", differs ? "dialog-error-symbolic"
                                        : ok ? "emblem-ok-symbolic" : "list-remove-symbolic",
                           "valign", GTK_ALIGN_START,
                           "tooltip-text", differs ? _("Differs") : ok ? _("Matches") : _("Not applicable"),
                           NULL);
      gtk_widget_add_css_class (icon, differs ? "error" : ok ? "success" : "dim-label");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      differs ? _("Differs") : ok ? _("Matches") : _("Not applicable"),
                                      -1);

      gtk_grid_attach (self->type_grid, name, 0, line, 1, 1);
      gtk_grid_attach (self->type_grid, value_box, 1, line, 1, 1);
      gtk_grid_attach (self->type_grid, icon, 2, line, 1, 1);
      line++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->type_box), line > 0);
}

static void
render_findings (DmdResultsPage *self,
                 DmdResult      *result)
{
  const DmdCheck *failed = dmd_result_get_failed_check (result);
  guint problems = 0, notes = 0;

  /* In the engine's order: the failed check's finding first (even a note), then the rest. */
  for (guint i = 0; i < result->findings->len; i++)
    {
      const DmdFinding *finding = g_ptr_array_index (result->findings, i);
      GtkWidget *row = dmd_finding_row_new (finding);
      gboolean of_failed = failed != NULL && g_strcmp0 (finding->check, failed->id) == 0;

      if (finding->severity == DMD_SEVERITY_INFO && !of_failed)
        {
          add_row (self, self->notes_group, row);
          notes++;
        }
      else
        {
          /* The most important problem opens by itself. */
          if (problems == 0)
            adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
          add_row (self, self->problems_group, row);
          problems++;
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), problems > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->notes_group), notes > 0);
}

/* One click to the option the findings suggest instead ("Test High Volume Email Instead"),
 * under the problems. */
static void
render_instead (DmdResultsPage *self)
{
  GtkWidget *row = dmd_instead_row_new_for_result (dmd_page_get_session (DMD_PAGE (self)));

  if (row == NULL)
    return;
  add_row (self, self->problems_group, row);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), TRUE);
}

static const char *
tls_state_icon (DmdTlsVersionState state,
                const char       **style)
{
  *style = state == DMD_TLS_VERSION_ACCEPTED ? "success" : "dim-label";
  switch (state)
    {
    case DMD_TLS_VERSION_ACCEPTED:
      return "emblem-ok-symbolic";
    case DMD_TLS_VERSION_REFUSED:
      return "action-unavailable-symbolic";
    case DMD_TLS_VERSION_NOT_TESTABLE:
    case DMD_TLS_VERSION_UNTESTED:
    default:
      return "list-remove-symbolic";
    }
}

static void
render_connection (DmdResultsPage *self,
                   DmdResult      *result)
{
  const DmdNetwork *net = &result->network;
  gboolean any_tls = FALSE;

  add_row (self, self->connection_group,
           info_row_new (_("Public IP address Microsoft 365 saw"),
                         net->public_ip ? net->public_ip : _("Not known: the server did not say"),
                         NULL, NULL, NULL));

  if (net->peer_address != NULL)
    {
      g_autofree char *subtitle = NULL;

      if (g_strcmp0 (net->address_family, "ipv6") == 0)
        subtitle = g_strdup_printf (_("%s (IPv6)"), net->peer_address);
      else if (g_strcmp0 (net->address_family, "ipv4") == 0)
        subtitle = g_strdup_printf (_("%s (IPv4)"), net->peer_address);
      else
        subtitle = g_strdup (net->peer_address);
      add_row (self, self->connection_group,
               info_row_new (_("Server address connected to"), subtitle, NULL, NULL, NULL));
    }

  if (net->tls_negotiated != NULL)
    {
      g_autofree char *subtitle = NULL;

      subtitle = net->tls_cipher ? g_strdup_printf ("%s, %s", net->tls_negotiated, net->tls_cipher)
                                 : g_strdup (net->tls_negotiated);
      add_row (self, self->connection_group,
               info_row_new (_("Encryption used"), subtitle, NULL, NULL, NULL));
    }

  for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
    if (net->versions[i].state != DMD_TLS_VERSION_UNTESTED)
      any_tls = TRUE;
  if (any_tls)
    for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
      {
        const char *style;
        const char *icon = tls_state_icon (net->versions[i].state, &style);

        add_row (self, self->connection_group,
                 info_row_new (dmd_tls_version_display_name (i), net->versions[i].detail, icon,
                               style, dmd_tls_version_state_word (net->versions[i].state)));
      }

  if (net->chain != NULL && net->chain->len > 0)
    {
      const DmdCertInfo *leaf = g_ptr_array_index (net->chain, 0);
      g_autofree char *issued = NULL;

      /* Translators: a certificate's issuer and its expiry date. */
      issued = g_strdup_printf (_("Issued by %s\nValid until %s"),
                                leaf->issuer ? leaf->issuer : "?",
                                leaf->not_after ? leaf->not_after : "?");
      add_row (self, self->connection_group,
               info_row_new (leaf->subject ? leaf->subject : _("Server certificate"), issued,
                             net->cert_verified ? "emblem-ok-symbolic" : "dialog-error-symbolic",
                             net->cert_verified ? "success" : "error",
                             net->cert_verified ? _("Verified") : _("Not verified")));
      if (!net->cert_verified && net->cert_problem != NULL)
        add_row (self, self->connection_group,
                 info_row_new (_("Why the certificate is not trusted"), net->cert_problem,
                               NULL, NULL, NULL));
      if (leaf->sha256 != NULL)
        {
          GtkWidget *row = info_row_new (_("Certificate fingerprint (SHA-256)"), leaf->sha256,
                                         NULL, NULL, NULL);
          gtk_widget_add_css_class (row, "fingerprint");
          add_row (self, self->connection_group, row);
        }
    }

  /* The device's certificate, for a connector that trusts one. */
  if (net->client_cert != NULL || net->client_cert_requested)
    {
      const DmdCertInfo *cc = net->client_cert;
      gboolean presented = cc != NULL && net->client_cert_sent;
      const char *why = cc == NULL ? _("None chosen, although the server asked for a client certificate")
                      : presented ? _("Presented: the server asked for a client certificate")
                      : net->tls_negotiated != NULL ? _("Not presented: the server did not ask for a client certificate")
                      : _("Not presented: no TLS session was set up");
      g_autofree char *subtitle = cc != NULL
        ? g_strdup_printf ("%s\nSHA-256 %s\n%s", cc->subject ? cc->subject : "?",
                           cc->sha256 ? cc->sha256 : "?", why)
        : g_strdup (why);

      add_row (self, self->connection_group,
               info_row_new (_("Client certificate"), subtitle,
                             presented ? "emblem-ok-symbolic" : "action-unavailable-symbolic",
                             presented ? "success" : "dim-label",
                             presented ? _("Presented") : _("Not presented")));
    }
}

static void
render_checks (DmdResultsPage *self,
               DmdResult      *result)
{
  for (guint i = 0; i < result->checks->len; i++)
    {
      const DmdCheck *check = g_ptr_array_index (result->checks, i);
      const char *styles[] = { "", "", "success", "warning", "error", "dim-label" };

      add_row (self, self->checks_group,
               info_row_new (dmd_check_title (check->id), check->summary,
                             dmd_check_status_icon_name (check->status),
                             check->status <= DMD_CHECK_SKIP ? styles[check->status] : NULL,
                             dmd_check_status_word_finished (check->status)));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->checks_group), result->checks->len > 0);
}

static const DmdFix *
first_fix (const DmdFinding *finding)
{
  if (finding->fixes == NULL || finding->fixes->len == 0)
    return NULL;
  return g_ptr_array_index (finding->fixes, 0);
}

/* Who does the step the headline shows, in words; NULL when anyone can. */
static const char *
who_text (const DmdFinding *finding,
          const DmdFix     *fix)
{
  DmdAudience audience = fix->audience;

  if (audience == DMD_AUDIENCE_ANYONE)
    for (guint i = 0; finding->fixes != NULL && i < finding->fixes->len; i++)
      {
        const DmdFix *other = g_ptr_array_index (finding->fixes, i);

        if (other->audience != DMD_AUDIENCE_ANYONE && audience == DMD_AUDIENCE_ANYONE)
          audience = other->audience;
        else if (other->audience != DMD_AUDIENCE_ANYONE && other->audience != audience)
          return _("Who fixes it: at the device and the admin");
      }

  switch (audience)
    {
    case DMD_AUDIENCE_ADMIN:
      return _("Who fixes it: the admin");
    case DMD_AUDIENCE_TECHNICIAN:
      return _("Who fixes it: at the device");
    case DMD_AUDIENCE_ANYONE:
    default:
      return NULL;
    }
}

/* The headline says the outcome in words, from the verdict (never a count): the checks
 * decide it, not the severity of the findings. */
static void
render_verdict (DmdResultsPage *self,
                DmdResult      *result)
{
  const DmdFinding *top = dmd_result_get_top_finding (result);
  const DmdFix *fix = NULL;
  const char *title, *icon, *style, *who;
  g_autofree char *description = NULL;

  switch (dmd_result_get_verdict (result))
    {
    case DMD_VERDICT_FAIL:
      title = _("Can’t Send Yet");
      icon = "dialog-error-symbolic";
      style = "error";
      break;
    case DMD_VERDICT_RETRY:
      title = _("Refused for Now — Try Again Later");
      icon = "dialog-warning-symbolic";
      style = "warning";
      break;
    case DMD_VERDICT_WARN:
      title = result->cancelled ? _("Not Known Yet") : _("Ready to Send, with Warnings");
      icon = "dialog-warning-symbolic";
      style = "warning";
      break;
    case DMD_VERDICT_PASS:
    default:
      title = _("Ready to Send");
      icon = "emblem-ok-symbolic";
      style = "success";
      break;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->verdict_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verdict_icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verdict_icon), "error");
  gtk_image_set_from_icon_name (self->verdict_icon, icon);
  gtk_widget_add_css_class (GTK_WIDGET (self->verdict_icon), style);

  if (top != NULL)
    {
      description = g_strdup (top->title);
      fix = first_fix (top);
    }
  else if (dmd_result_get_failed_check (result) != NULL)
    {
      const DmdCheck *failed = dmd_result_get_failed_check (result);

      /* Translators: the first %s is a check's name, the second what came back. */
      description = g_strdup_printf (_("The “%s” check failed: %s"), dmd_check_title (failed->id),
                                     failed->summary != NULL ? failed->summary : "");
    }
  else if (result->cancelled)
    description = g_strdup (_("The checks were cancelled: these results are incomplete."));
  else if (result->sent)
    description = g_strdup (_("Microsoft 365 accepted the test message with these settings."));
  else
    /* (The note under it says that no message was sent.) */
    description = g_strdup (_("Microsoft 365 accepted these settings up to the recipient."));

  /* Who acts, on its own line, then the first step and its command with a Copy button. */
  who = fix != NULL ? who_text (top, fix) : NULL;
  gtk_label_set_text (self->who_label, who ? who : "");
  gtk_widget_set_visible (GTK_WIDGET (self->who_label), who != NULL);
  if (self->step_command != NULL)
    gtk_box_remove (self->step_box, g_steal_pointer (&self->step_command));
  if (fix != NULL)
    {
      g_autofree char *step = NULL;

      /* Translators: the most important problem's first fix, under the headline. */
      step = g_strdup_printf (_("First step: %s"), fix->text);
      gtk_label_set_text (self->step_label, step);
      if (fix->command != NULL && *fix->command != '\0')
        {
          self->step_command = dmd_command_box_new (fix->command);
          gtk_box_append (self->step_box, self->step_command);
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->step_box), fix != NULL);

  gtk_label_set_text (self->verdict_title, title);
  gtk_label_set_text (self->verdict_description, description);
  gtk_label_set_text (self->verdict_note,
                      result->sent ? _("A real test message was sent.")
                      : result->message_transmitted ? _("A real test message was sent, and the server did not accept it.")
                      : _("Checked from this computer’s network. No message was sent."));
}

static void
render (DmdResultsPage *self)
{
  DmdSession *session = dmd_page_get_session (DMD_PAGE (self));
  DmdResult *result = dmd_session_get_result (session);

  clear (self);
  if (result == NULL)
    return;

  render_verdict (self, result);
  render_type_card (self, result);
  render_findings (self, result);
  render_instead (self);
  render_settings (self, result);
  render_connection (self, result);
  render_checks (self, result);
  dmd_transcript_view_set_lines (self->transcript_view, result->transcript);
  gtk_widget_set_visible (GTK_WIDGET (self->transcript_button), result->transcript->len > 0);
  /* Host names, certificate fields and reply lines appear as they are, never hyphenated. */
  dmd_text_no_hyphens (GTK_WIDGET (self));
}

static void
session_result_changed_cb (DmdResultsPage *self)
{
  render (self);
}

static void
copy_activated_cb (DmdResultsPage *self)
{
  DmdSession *session = dmd_page_get_session (DMD_PAGE (self));
  DmdResult *result = dmd_session_get_result (session);
  g_autofree char *text = NULL;

  if (result == NULL)
    return;
  text = dmd_report_to_text (result, dmd_session_get_config (session), FALSE);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  toast (self, _("Summary copied"));
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(DmdResultsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), res, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The report could not be saved: %s"), error->message);
      toast (self, text);
      return;
    }
  toast (self, _("Report saved"));
}

static void
chooser_response_cb (DmdResultsPage       *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  DmdSession *session = dmd_page_get_session (DMD_PAGE (self));
  g_autoptr(GFile) file = NULL;
  g_autofree char *name = NULL;
  GtkFileFilter *filter;
  g_autoptr(GBytes) bytes = NULL;

  if (response != GTK_RESPONSE_ACCEPT || dmd_session_get_result (session) == NULL)
    goto out;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file == NULL)
    goto out;
  name = g_file_get_basename (file);
  filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (chooser));
  bytes = dmd_results_page_dup_report (self, name,
                                       filter != NULL && g_object_get_data (G_OBJECT (filter), "dmd-json") != NULL);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, save_done_cb, g_object_ref (self));

out:
  g_clear_object (&self->chooser);
}

static void
save_activated_cb (DmdResultsPage *self)
{
  DmdSession *session = dmd_page_get_session (DMD_PAGE (self));
  GtkFileFilter *html, *json;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (dmd_session_get_result (session) == NULL || self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Save Report"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  html = gtk_file_filter_new ();
  gtk_file_filter_set_name (html, _("Web page for the admin (HTML)"));
  gtk_file_filter_add_suffix (html, "html");
  json = gtk_file_filter_new ();
  gtk_file_filter_set_name (json, _("Machine-readable report (JSON)"));
  gtk_file_filter_add_suffix (json, "json");
  g_object_set_data (G_OBJECT (json), "dmd-json", GINT_TO_POINTER (1));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), html);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), json);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), html);
  g_object_unref (html);
  g_object_unref (json);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "device-mail-doctor-report.html");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
transcript_toggled_cb (DmdResultsPage *self)
{
  gtk_button_set_label (GTK_BUTTON (self->transcript_button),
                        gtk_toggle_button_get_active (self->transcript_button)
                          ? _("Hide _Conversation") : _("Show _Conversation"));
}

static void
dmd_results_page_shown (DmdPage *page)
{
  DmdResultsPage *self = DMD_RESULTS_PAGE (page);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

  /* Results first: the verdict is at the top. */
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
}

static void
dmd_results_page_constructed (GObject *object)
{
  DmdResultsPage *self = DMD_RESULTS_PAGE (object);

  G_OBJECT_CLASS (dmd_results_page_parent_class)->constructed (object);

  g_signal_connect_object (dmd_page_get_session (DMD_PAGE (self)), "notify::result",
                           G_CALLBACK (session_result_changed_cb), self, G_CONNECT_SWAPPED);
  render (self);
}

static void
dmd_results_page_dispose (GObject *object)
{
  DmdResultsPage *self = DMD_RESULTS_PAGE (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (dmd_results_page_parent_class)->dispose (object);
}

static void
dmd_results_page_class_init (DmdResultsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  DmdPageClass *page_class = DMD_PAGE_CLASS (klass);

  object_class->constructed = dmd_results_page_constructed;
  object_class->dispose = dmd_results_page_dispose;

  page_class->shown = dmd_results_page_shown;

  g_type_ensure (DMD_TYPE_TRANSCRIPT_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/dmd-results-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, change_row);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, checks_group);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, connection_group);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, copy_row);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, notes_group);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, problems_group);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, save_row);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, settings_group);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, step_box);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, step_label);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, transcript_button);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, transcript_view);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, type_box);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, type_grid);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, verdict_description);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, verdict_icon);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, verdict_note);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, verdict_title);
  gtk_widget_class_bind_template_child (widget_class, DmdResultsPage, who_label);
  gtk_widget_class_bind_template_callback (widget_class, copy_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_activated_cb);
}

static void
dmd_results_page_init (DmdResultsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_ptr_array_new ();
  g_signal_connect_swapped (self->transcript_button, "toggled", G_CALLBACK (transcript_toggled_cb), self);
  dmd_a11y_label_from_mnemonic (GTK_WIDGET (self->transcript_button), "label");

  dmd_page_set_title (DMD_PAGE (self), _("Results"));
  dmd_page_set_forward_label (DMD_PAGE (self), _("_Run Again"));
  dmd_page_set_complete (DMD_PAGE (self), TRUE);
}

GtkWidget *
dmd_results_page_new (DmdSession *session)
{
  return g_object_new (DMD_TYPE_RESULTS_PAGE, "session", session, NULL);
}

GBytes *
dmd_results_page_dup_report (DmdResultsPage *self,
                             const char     *name,
                             gboolean        json_hint)
{
  DmdSession *session;
  DmdResult *result;
  char *contents;
  gboolean json;

  g_return_val_if_fail (DMD_IS_RESULTS_PAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  session = dmd_page_get_session (DMD_PAGE (self));
  result = dmd_session_get_result (session);
  g_return_val_if_fail (result != NULL, NULL);

  /* The name decides; without a known extension, the hint (the chosen filter) does. */
  if (g_str_has_suffix (name, ".json"))
    json = TRUE;
  else if (g_str_has_suffix (name, ".html") || g_str_has_suffix (name, ".htm"))
    json = FALSE;
  else
    json = json_hint;

  if (json)
    contents = dmd_report_to_json (result, dmd_session_get_config (session));
  else
    contents = dmd_report_to_html (result, dmd_session_get_config (session));
  return g_bytes_new_take (contents, strlen (contents));
}
