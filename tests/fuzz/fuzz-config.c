/* fuzz-config.c — libFuzzer target: what a person types or pastes into the settings (server,
 * addresses, --connect-to), through IDN conversion, validation and the endpoint checks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-config.h"
#include "dmd-host.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) host_error = NULL;
  g_autoptr(GError) ct_error = NULL;
  g_autoptr(GError) address_error = NULL;
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_RELAY);
  g_autoptr(GPtrArray) errors = NULL;
  g_autofree char *ascii = dmd_host_to_ascii (text, &host_error);
  g_autofree char *domain = NULL;
  DmdConnectTo *ct = dmd_connect_to_parse (text, &ct_error);
  gboolean address_ok = dmd_address_validate (text, &domain, &address_error);

  /* A name that came out is valid, plain ASCII, and converts to itself. */
  FUZZ_CHECK ((ascii == NULL) == (host_error != NULL));
  if (ascii != NULL)
    {
      g_autofree char *again = dmd_host_to_ascii (ascii, NULL);

      FUZZ_CHECK (*ascii != '\0');
      FUZZ_CHECK (again != NULL && strcmp (again, ascii) == 0);
      for (const char *p = ascii; *p != '\0'; p++)
        FUZZ_CHECK ((guchar) *p > 0x20 && (guchar) *p < 0x7F);
    }
  else
    fuzz_check_safe_text (host_error->message);

  FUZZ_CHECK (address_ok == (domain != NULL));
  if (address_ok)
    {
      g_autofree char *again = dmd_host_to_ascii (domain, NULL);

      FUZZ_CHECK (again != NULL && strcmp (again, domain) == 0);
    }
  else
    fuzz_check_safe_text (address_error->message);

  dmd_host_is_smtp_auth_endpoint (text);
  dmd_host_is_mx_endpoint (text);
  dmd_host_is_microsoft (text);

  /* The same text in every field of a configuration. */
  config->server = g_strdup (text);
  config->username = g_strdup (text);
  config->from = g_strdup (text);
  config->to = g_strdup (text);
  config->domain = g_strdup (text);
  config->connector_ip = g_strdup (text);
  dmd_device_config_set_password (config, text);
  if (ct != NULL)
    {
      g_autofree char *to_host = NULL;
      guint16 to_port = 0;

      g_ptr_array_add (config->connect_to, ct);
      if (dmd_device_config_map_connect_to (config, "smtp.office365.com", 587, &to_host,
                                            &to_port))
        FUZZ_CHECK (to_host != NULL && to_port != 0);
    }
  else
    fuzz_check_safe_text (ct_error->message);

  errors = dmd_device_config_validate (config);
  for (guint i = 0; i < errors->len; i++)
    {
      DmdFieldError *error = g_ptr_array_index (errors, i);

      FUZZ_CHECK (error->field < DMD_N_FIELDS);
      fuzz_check_safe_text (error->message);
    }
  return 0;
}
