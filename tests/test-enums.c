/* test-enums.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-enums.h"
#include "dmd-options.h"

static void
test_option_round_trip (void)
{
  for (int o = DMD_OPTION_SMTP_AUTH; o <= DMD_OPTION_RELAY; o++)
    {
      DmdOption back;
      g_assert_true (dmd_option_from_string (dmd_option_to_string (o), &back));
      g_assert_cmpint (back, ==, o);
      g_assert_nonnull (dmd_option_display_name (o));
    }
  g_assert_cmpstr (dmd_option_to_string (DMD_OPTION_DIRECT_SEND), ==, "direct-send");
}

static void
test_unknown_names_rejected (void)
{
  DmdOption option;
  DmdSecurity security;
  DmdStep step;
  DmdIpVersion ipv;

  g_assert_false (dmd_option_from_string ("smtp", &option));
  g_assert_false (dmd_option_from_string (NULL, &option));
  g_assert_false (dmd_security_from_string ("ssl", &security));
  g_assert_false (dmd_step_from_string ("hello", &step));
  g_assert_false (dmd_ip_version_from_string ("5", &ipv));
  g_assert_true (dmd_security_from_string ("implicit-tls", &security));
  g_assert_cmpint (security, ==, DMD_SECURITY_IMPLICIT_TLS);
  g_assert_true (dmd_step_from_string ("RCPT", &step));
  g_assert_cmpint (step, ==, DMD_STEP_RCPT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dmd/enums/option-round-trip", test_option_round_trip);
  g_test_add_func ("/dmd/enums/unknown-names", test_unknown_names_rejected);
  return g_test_run ();
}
