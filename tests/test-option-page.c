/* test-option-page.c — the option rows and the "Not sure?" questionnaire
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-option-page.h"
#include "dmd-ui-test-utils.h"

static void
test_suggest (void)
{
  static const struct {
    DmdAnswer   login, outside, static_ip;
    const char *server;
    gboolean    decided;
    DmdOption   option;
  } cases[] = {
    { DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, NULL, FALSE, 0 },
    { DMD_ANSWER_YES, DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, NULL, TRUE, DMD_OPTION_SMTP_AUTH },
    { DMD_ANSWER_YES, DMD_ANSWER_NO, DMD_ANSWER_NO, "", TRUE, DMD_OPTION_SMTP_AUTH },
    { DMD_ANSWER_NO, DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, NULL, FALSE, 0 },
    { DMD_ANSWER_NO, DMD_ANSWER_NO, DMD_ANSWER_UNKNOWN, NULL, TRUE, DMD_OPTION_DIRECT_SEND },
    { DMD_ANSWER_NO, DMD_ANSWER_YES, DMD_ANSWER_YES, NULL, TRUE, DMD_OPTION_RELAY },
    { DMD_ANSWER_NO, DMD_ANSWER_YES, DMD_ANSWER_NO, NULL, TRUE, DMD_OPTION_RELAY },
    { DMD_ANSWER_NO, DMD_ANSWER_YES, DMD_ANSWER_UNKNOWN, NULL, TRUE, DMD_OPTION_RELAY },
    /* What is typed in the server field wins over the other answers. */
    { DMD_ANSWER_NO, DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, " smtp.office365.com ", TRUE, DMD_OPTION_SMTP_AUTH },
    { DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, "SMTP.Office365.com", TRUE, DMD_OPTION_SMTP_AUTH },
    { DMD_ANSWER_YES, DMD_ANSWER_YES, DMD_ANSWER_UNKNOWN, "contoso-com.mail.protection.outlook.com", TRUE, DMD_OPTION_RELAY },
    { DMD_ANSWER_UNKNOWN, DMD_ANSWER_NO, DMD_ANSWER_UNKNOWN, "contoso-com.mail.protection.outlook.com", TRUE, DMD_OPTION_DIRECT_SEND },
    { DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, "contoso-com.mail.protection.outlook.com", TRUE, DMD_OPTION_DIRECT_SEND },
    /* An unknown host says nothing; the other answers decide. */
    { DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, "mail.example.net", FALSE, 0 },
    { DMD_ANSWER_YES, DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, "mail.example.net", TRUE, DMD_OPTION_SMTP_AUTH },
  };
  /* High Volume Email: a device that signs in, cannot do OAuth and mails only inside; or its
   * endpoint in the server field. OAuth, or mail outside, keeps SMTP AUTH. */
  static const struct {
    DmdAnswer   login, oauth, outside;
    const char *server;
    DmdOption   option;
  } hve_cases[] = {
    { DMD_ANSWER_YES, DMD_ANSWER_NO, DMD_ANSWER_NO, NULL, DMD_OPTION_HVE },
    { DMD_ANSWER_YES, DMD_ANSWER_YES, DMD_ANSWER_NO, NULL, DMD_OPTION_SMTP_AUTH },
    { DMD_ANSWER_YES, DMD_ANSWER_NO, DMD_ANSWER_YES, NULL, DMD_OPTION_SMTP_AUTH },
    { DMD_ANSWER_YES, DMD_ANSWER_NO, DMD_ANSWER_UNKNOWN, NULL, DMD_OPTION_SMTP_AUTH },
    { DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, DMD_ANSWER_UNKNOWN, "smtp.hve.mx.microsoft", DMD_OPTION_HVE },
    { DMD_ANSWER_YES, DMD_ANSWER_YES, DMD_ANSWER_YES, " SMTP-HVE.office365.com ", DMD_OPTION_HVE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DmdOption option = 99;
      const char *reason = NULL;
      gboolean decided;

      decided = dmd_options_suggest (cases[i].login, DMD_ANSWER_UNKNOWN, cases[i].outside,
                                     cases[i].static_ip, cases[i].server, &option, &reason);
      g_test_message ("case %u", i);
      g_assert_cmpint (decided, ==, cases[i].decided);
      if (decided)
        {
          g_assert_cmpint (option, ==, cases[i].option);
          g_assert_nonnull (reason);
          g_assert_cmpstr (reason, !=, "");
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (hve_cases); i++)
    {
      DmdOption option = 99;

      g_test_message ("HVE case %u", i);
      g_assert_true (dmd_options_suggest (hve_cases[i].login, hve_cases[i].oauth,
                                          hve_cases[i].outside, DMD_ANSWER_UNKNOWN,
                                          hve_cases[i].server, &option, NULL));
      g_assert_cmpint (option, ==, hve_cases[i].option);
    }
}

static GtkCheckButton *
check_of (GtkWidget  *page,
          const char *title)
{
  GtkWidget *row = dmd_test_find_row (page, title);

  g_assert_nonnull (row);
  return GTK_CHECK_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)));
}

static void
test_rows_follow_session (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  GtkWidget *page = dmd_option_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);

  /* The option page is always complete: one option is always chosen. */
  g_assert_true (dmd_page_get_complete (DMD_PAGE (page)));
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_SMTP_AUTH);
  g_assert_true (gtk_check_button_get_active (check_of (page, "SMTP AUTH client submission")));

  /* Activating a row (keyboard or click) selects its option. */
  gtk_widget_activate (dmd_test_find_row (page, "Direct Send"));
  dmd_test_spin ();
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_DIRECT_SEND);
  g_assert_false (gtk_check_button_get_active (check_of (page, "SMTP AUTH client submission")));

  /* The session drives the rows. */
  dmd_session_set_option (session, DMD_OPTION_RELAY);
  dmd_test_spin ();
  g_assert_true (gtk_check_button_get_active (check_of (page, "SMTP relay")));
  g_assert_false (gtk_check_button_get_active (check_of (page, "Direct Send")));

  /* One row per option of the table: High Volume Email is the fourth. */
  gtk_widget_activate (dmd_test_find_row (page, "High Volume Email"));
  dmd_test_spin ();
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_HVE);
  g_assert_nonnull (dmd_test_find_label (page, "Signs in with an HVE account. Mails people inside the organization only."));

  /* Every check button has an accessible name (the row's title) — and a "Recommended" tag. */
  g_assert_nonnull (dmd_test_find_label (page, "Recommended"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_questionnaire (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  GtkWidget *page = dmd_option_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);
  GtkWidget *login = dmd_test_find_row (page, "Does the device have fields for a user name and a password?");
  GtkWidget *outside = dmd_test_find_row (page, "Must it mail people outside the organization?");
  GtkWidget *static_ip = dmd_test_find_row (page, "Does the site have a static public IP address?");
  GtkWidget *server = dmd_test_find_row (page, "Device’s server field (optional)");

  g_assert_nonnull (login);
  g_assert_nonnull (outside);
  g_assert_nonnull (static_ip);
  g_assert_nonnull (server);
  /* The static IP question only matters for a device that cannot sign in and mails outside. */
  g_assert_false (gtk_widget_get_visible (static_ip));
  /* Nothing answered yet: an info icon, not the question mark that reads as a broken glyph. */
  for (guint i = 0; dmd_test_find_type (page, GTK_TYPE_IMAGE, i) != NULL; i++)
    g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (dmd_test_find_type (page, GTK_TYPE_IMAGE, i))),
                     !=, "dialog-question-symbolic");

  adw_combo_row_set_selected (ADW_COMBO_ROW (login), 2);     /* No */
  adw_combo_row_set_selected (ADW_COMBO_ROW (outside), 2);   /* No */
  dmd_test_spin ();
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_DIRECT_SEND);
  g_assert_nonnull (dmd_test_find_label (page, "Direct Send needs no sign-in"));
  /* The reason names the option once: no "Chosen: Direct Send." before it. */
  g_assert_null (dmd_test_find_label (page, "Chosen"));

  adw_combo_row_set_selected (ADW_COMBO_ROW (outside), 1);   /* Yes */
  dmd_test_spin ();
  g_assert_true (gtk_widget_get_visible (static_ip));
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_RELAY);

  adw_combo_row_set_selected (ADW_COMBO_ROW (login), 1);     /* Yes */
  dmd_test_spin ();
  g_assert_false (gtk_widget_get_visible (static_ip));
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_SMTP_AUTH);

  /* A device that signs in but cannot do OAuth, and mails only inside: High Volume Email. */
  {
    GtkWidget *oauth = dmd_test_find_row (page, "Can it sign in with OAuth (modern authentication)?");

    g_assert_nonnull (oauth);
    g_assert_true (gtk_widget_get_visible (oauth));
    adw_combo_row_set_selected (ADW_COMBO_ROW (outside), 2);   /* No */
    adw_combo_row_set_selected (ADW_COMBO_ROW (oauth), 2);     /* No */
    dmd_test_spin ();
    g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_HVE);
    g_assert_nonnull (dmd_test_find_label (page, "High Volume Email keeps password sign-in"));
    adw_combo_row_set_selected (ADW_COMBO_ROW (oauth), 1);     /* Yes */
    dmd_test_spin ();
    g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_SMTP_AUTH);
    adw_combo_row_set_selected (ADW_COMBO_ROW (login), 2);     /* No: the question goes */
    dmd_test_spin ();
    g_assert_false (gtk_widget_get_visible (oauth));
    adw_combo_row_set_selected (ADW_COMBO_ROW (login), 1);
    adw_combo_row_set_selected (ADW_COMBO_ROW (outside), 1);
    dmd_test_spin ();
  }

  /* The server field wins. */
  dmd_test_set_text (server, "contoso-com.mail.protection.outlook.com");
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_RELAY);
  g_assert_nonnull (dmd_test_find_label (page, "SMTP relay through a connector"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Keyboard (issue 14 §3): the chosen option has the focus on arrival; each option is one
 * stop (its row, not also its check button); the arrows move between the options. */
static void
test_keyboard (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  GtkWidget *page = dmd_option_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);
  GtkWidget *smtp_auth = dmd_test_find_row (page, "SMTP AUTH client submission");
  GtkWidget *direct_send = dmd_test_find_row (page, "Direct Send");
  g_autoptr(GPtrArray) chain = NULL;

  dmd_session_set_option (session, DMD_OPTION_DIRECT_SEND);
  dmd_page_shown (DMD_PAGE (page));
  dmd_test_spin ();
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == direct_send);

  chain = dmd_test_tab_chain (window, 50);
  g_assert_cmpuint (chain->len, >, 0);
  g_assert_true (g_ptr_array_index (chain, 0) == smtp_auth);
  for (guint i = 0; i < chain->len; i++)
    {
      GtkWidget *focus = g_ptr_array_index (chain, i);

      g_assert_false (GTK_IS_CHECK_BUTTON (focus));
      g_assert_false (GTK_IS_LABEL (focus));
    }

  /* Down, as the key does it. */
  gtk_widget_grab_focus (smtp_auth);
  g_signal_emit_by_name (gtk_widget_get_parent (smtp_auth), "move-cursor",
                         GTK_MOVEMENT_DISPLAY_LINES, 1, FALSE, FALSE);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == direct_send);
  /* Activating the focused row chooses its option. */
  dmd_session_set_option (session, DMD_OPTION_RELAY);
  gtk_widget_activate (direct_send);
  dmd_test_spin ();
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_DIRECT_SEND);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_finalize (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  GtkWidget *page = dmd_option_page_new (session);

  g_object_ref_sink (page);
  g_assert_finalize_object (page);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  dmd_test_own_main_context ();
  g_test_add_func ("/dmd/ui/option/suggest", test_suggest);
  g_test_add_func ("/dmd/ui/option/rows-follow-session", test_rows_follow_session);
  g_test_add_func ("/dmd/ui/option/questionnaire", test_questionnaire);
  g_test_add_func ("/dmd/ui/option/keyboard", test_keyboard);
  g_test_add_func ("/dmd/ui/option/finalize", test_finalize);
  return g_test_run ();
}
