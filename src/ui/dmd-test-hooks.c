/* dmd-test-hooks.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-test-hooks.h"

#ifdef DMD_TEST_HOOKS

static const char *
env_value (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

static void
add_connect_to (DmdDeviceConfig *config,
                const char      *connect_to,
                GPtrArray       *general_errors)
{
  g_auto(GStrv) specs = g_strsplit (connect_to, ";", -1);

  if (config->connect_to == NULL)
    config->connect_to = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_connect_to_free);
  for (guint i = 0; specs[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      DmdConnectTo *ct;

      if (*g_strstrip (specs[i]) == '\0')
        continue;
      ct = dmd_connect_to_parse (specs[i], &error);
      if (ct != NULL)
        g_ptr_array_add (config->connect_to, ct);
      else if (general_errors != NULL)
        g_ptr_array_add (general_errors, g_strdup_printf ("DMD_TEST_CONNECT_TO: %s", error->message));
    }
}

void
dmd_test_hooks_apply (DmdDeviceConfig *config,
                      GPtrArray       *general_errors)
{
  const char *connect_to = env_value ("DMD_TEST_CONNECT_TO");
  const char *ca_file = env_value ("DMD_TEST_CA_FILE");
  const char *timeout = env_value ("DMD_TEST_TIMEOUT");

  g_return_if_fail (config != NULL);

  if (connect_to != NULL)
    add_connect_to (config, connect_to, general_errors);
  if (ca_file != NULL)
    {
      g_free (config->ca_file);
      config->ca_file = g_strdup (ca_file);
    }
  if (timeout != NULL)
    {
      guint64 seconds;

      if (g_ascii_string_to_unsigned (timeout, 10, 1, 600, &seconds, NULL))
        config->timeout_seconds = (guint) seconds;
    }
}

void
dmd_test_hooks_announce (void)
{
  const char *connect_to = env_value ("DMD_TEST_CONNECT_TO");

  if (connect_to != NULL)
    g_message ("settings: test mode, connections are redirected (%s)", connect_to);
}

const char *
dmd_test_hooks_localedir (void)
{
  const char *dir = env_value ("DMD_LOCALEDIR");

  return dir != NULL ? dir : LOCALEDIR;
}

#else /* the installed wizard */

void
dmd_test_hooks_apply (DmdDeviceConfig *config,
                      GPtrArray       *general_errors)
{
}

void
dmd_test_hooks_announce (void)
{
}

const char *
dmd_test_hooks_localedir (void)
{
  return LOCALEDIR;
}

#endif
