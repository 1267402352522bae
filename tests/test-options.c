/* test-options.c — the options table: one row per sending option, read by everything else
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-core.h"

/* Every row is complete, in option order, and its id round-trips. */
static void
test_rows (void)
{
  guint n;
  const DmdOptionInfo *infos = dmd_options_get_all (&n);

  g_assert_cmpuint (n, ==, DMD_N_OPTIONS);
  for (guint i = 0; i < n; i++)
    {
      const DmdOptionInfo *info = &infos[i];
      DmdOption back;

      g_test_message ("option %s", info->id);
      g_assert_cmpint (info->option, ==, i);
      g_assert_true (dmd_option_get_info (info->option) == info);
      g_assert_true (dmd_option_from_string (info->id, &back));
      g_assert_cmpint (back, ==, info->option);
      g_assert_cmpstr (dmd_option_to_string (info->option), ==, info->id);
      g_assert_nonnull (info->name);
      g_assert_nonnull (info->subtitle);
      g_assert_nonnull (info->server_hint);
      g_assert_nonnull (info->recipient_hint);
      g_assert_cmpuint (info->default_port, >, 0);
      /* A sign-in endpoint is named; an MX endpoint is looked up from the domain. */
      g_assert_true ((info->endpoint == DMD_ENDPOINT_SIGN_IN) == (info->default_server != NULL));
      /* It signs in exactly when it runs the sign-in check. */
      g_assert_true (info->signs_in == dmd_option_runs_check (info->option, "auth"));
      g_assert_true (dmd_option_runs_check (info->option, "connect"));
      g_assert_false (dmd_option_runs_check (info->option, "no-such-check"));
      /* The recommended settings start with the server and the port. */
      g_assert_cmpuint (info->n_recommended, >=, 2);
      g_assert_cmpstr (info->recommended[0].name, ==, "server");
      g_assert_cmpstr (info->recommended[1].name, ==, "port");
      for (guint j = 0; j < info->n_recommended; j++)
        for (guint k = j + 1; k < info->n_recommended; k++)
          g_assert_cmpstr (info->recommended[j].name, !=, info->recommended[k].name);
      /* A password finding belongs to an option that signs in. */
      g_assert_true (info->basic_auth_finding == NULL || info->signs_in);
      /* An outside-recipient finding belongs to an option that mails only inside. */
      g_assert_true ((info->external_recipient_finding != NULL) == info->internal_only);
      for (guint j = i + 1; j < n; j++)
        g_assert_cmpstr (info->id, !=, infos[j].id);
    }
  g_assert_false (dmd_option_from_string ("smtp", NULL));
}

static void
test_join_ids (void)
{
  g_autofree char *ids = dmd_options_join_ids ("|");

  g_assert_cmpstr (ids, ==, "smtp-auth|direct-send|relay|hve");
}

/* The defaults a new config gets come from the row. */
static void
test_config_defaults (void)
{
  for (guint i = 0; i < DMD_N_OPTIONS; i++)
    {
      const DmdOptionInfo *info = dmd_option_get_info (i);
      g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (i);

      g_assert_cmpstr (dmd_device_config_get_server (config), ==, info->default_server);
      g_assert_cmpuint (dmd_device_config_get_port (config), ==, info->default_port);
      g_assert_cmpint (config->security, ==, info->default_security);
    }
  g_assert_cmpstr (dmd_option_get_info (DMD_OPTION_SMTP_AUTH)->default_server, ==,
                   "smtp.office365.com");
}

/* The recommended-settings table of every option is its row's, in its order. */
static void
test_recommended_rows (void)
{
  for (guint i = 0; i < DMD_N_OPTIONS; i++)
    {
      const DmdOptionInfo *info = dmd_option_get_info (i);
      g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (i);
      g_autoptr(GPtrArray) rows = NULL;

      config->domain = g_strdup ("contoso.com");
      rows = dmd_catalog_recommended_settings (config);
      g_assert_cmpuint (rows->len, ==, info->n_recommended);
      for (guint j = 0; j < rows->len; j++)
        {
          DmdSettingRow *row = g_ptr_array_index (rows, j);

          g_assert_cmpstr (row->name, ==, info->recommended[j].name);
          g_assert_nonnull (row->recommended);
          g_assert_nonnull (row->status);
        }
    }
}

/* Every combination of answers (and kind of server field) leads to at most one option:
 * no two rules of different options are equally specific for the same answers, and every
 * option is reachable. */
static void
test_answers_never_tie (void)
{
  static const char *const fields[] = {
    NULL, "smtp.office365.com", "contoso-com.mail.protection.outlook.com", "mail.example.net",
    "smtp.hve.mx.microsoft", "smtp-hve.office365.com",
  };
  gboolean reached[DMD_N_OPTIONS] = { FALSE, };

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    for (int login = 0; login < 3; login++)
      for (int oauth = 0; oauth < 3; oauth++)
        for (int outside = 0; outside < 3; outside++)
          for (int ip = 0; ip < 3; ip++)
            {
              DmdOption option;
              const char *reason;

              if (dmd_options_suggest (login, oauth, outside, ip, fields[f], &option, &reason))
                {
                  DmdOption again;

                  reached[option] = TRUE;
                  g_assert_nonnull (reason);
                  /* Deterministic: the same answers, the same option. */
                  g_assert_true (dmd_options_suggest (login, oauth, outside, ip, fields[f],
                                                      &again, NULL));
                  g_assert_cmpint (again, ==, option);
                }
            }
  for (guint i = 0; i < DMD_N_OPTIONS; i++)
    g_assert_true (reached[i]);
}

/* The table is specific enough that no two options tie on any answers. */
static void
test_rules_distinct (void)
{
  guint n;
  const DmdOptionInfo *infos = dmd_options_get_all (&n);

  for (guint i = 0; i < n; i++)
    for (guint a = 0; a < infos[i].n_answers; a++)
      for (guint j = i + 1; j < n; j++)
        for (guint b = 0; b < infos[j].n_answers; b++)
          {
            const DmdOptionAnswers *x = &infos[i].answers[a];
            const DmdOptionAnswers *y = &infos[j].answers[b];

            g_test_message ("%s rule %u vs %s rule %u", infos[i].id, a, infos[j].id, b);
            g_assert_false (x->server_field == y->server_field &&
                            x->has_login == y->has_login && x->can_oauth == y->can_oauth &&
                            x->outside == y->outside && x->static_ip == y->static_ip);
          }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dmd/options/rows", test_rows);
  g_test_add_func ("/dmd/options/join-ids", test_join_ids);
  g_test_add_func ("/dmd/options/config-defaults", test_config_defaults);
  g_test_add_func ("/dmd/options/recommended-rows", test_recommended_rows);
  g_test_add_func ("/dmd/options/answers-never-tie", test_answers_never_tie);
  g_test_add_func ("/dmd/options/rules-distinct", test_rules_distinct);
  return g_test_run ();
}
