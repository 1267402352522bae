/* dmd-catalog-commands.c — the admin commands of the fixes: PowerShell quoting, and the
 * placeholders ({user}, {domain}, {ipv4}, …) filled in from the settings and what the run
 * learnt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-catalog.h"
#include "dmd-catalog-private.h"
#include "dmd-host.h"

/* ------------------------------------------------------------------------------------------ */
/* PowerShell quoting and command filling                                                      */
/* ------------------------------------------------------------------------------------------ */

static gboolean
is_powershell_single_quote (gunichar c)
{
  /* PowerShell's tokenizer (CharExtensions.IsSingleQuote) treats all of these as '. */
  return c == '\'' || c == 0x2018 || c == 0x2019 || c == 0x201A || c == 0x201B;
}

char *
dmd_powershell_quote (const char *value)
{
  g_autofree char *valid = NULL;
  GString *out;

  g_return_val_if_fail (value != NULL, NULL);

  valid = g_utf8_make_valid (value, -1);
  out = g_string_sized_new (strlen (valid) + 2);
  g_string_append_c (out, '\'');
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Control characters cannot be part of a mailbox, a domain or an address; dropping them
       * keeps a pasted command on one line. */
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        continue;
      g_string_append_unichar (out, c);
      if (is_powershell_single_quote (c))
        g_string_append_unichar (out, c);
    }
  g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

#define nonempty _dmd_catalog_nonempty

char *
_dmd_catalog_address_domain (const char *address)
{
  char *domain = NULL;

  if (nonempty (address) == NULL || !dmd_address_is_valid (address, &domain))
    return NULL;
  return domain;
}

char *
_dmd_catalog_org_domain (const DmdDeviceConfig *config)
{
  if (config == NULL)
    return NULL;
  if (nonempty (config->domain))
    return dmd_host_to_ascii (config->domain, NULL);
  if (nonempty (config->from))
    return _dmd_catalog_address_domain (config->from);
  return _dmd_catalog_address_domain (config->username);
}

static char *
spf_mechanism (const char *ip)
{
  g_autoptr(GInetAddress) addr = NULL;
  g_autofree char *text = NULL;

  if (ip == NULL || (addr = g_inet_address_new_from_string (ip)) == NULL)
    return NULL;
  text = g_inet_address_to_string (addr);
  return g_strdup_printf ("%s:%s",
                          g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6 ? "ip6" : "ip4",
                          text);
}

/* The value of a placeholder, PowerShell-quoted; or the unquoted <Placeholder> when unknown. */
static char *
placeholder_value (const char             *name,
                   gsize                   len,
                   const DmdDeviceConfig  *config,
                   const DmdCatalogFacts  *facts,
                   gboolean               *known)
{
  g_autofree char *owned = NULL;
  const char *value = NULL;
  const char *unknown = NULL;

#define IS(s) (len == strlen (s) && strncmp (name, s, len) == 0)
  *known = TRUE;
  if (IS ("user"))
    {
      value = config ? nonempty (config->username) : NULL;
      unknown = "<SignInAddress>";
    }
  else if (IS ("from"))
    {
      value = config ? nonempty (config->from) : NULL;
      unknown = "<SenderAddress>";
    }
  else if (IS ("to"))
    {
      value = config ? nonempty (config->to) : NULL;
      unknown = "<RecipientAddress>";
    }
  else if (IS ("domain"))
    {
      value = owned = _dmd_catalog_org_domain (config);
      unknown = "<Domain>";
    }
  else if (IS ("ip"))
    {
      g_autoptr(GInetAddress) addr = NULL;

      value = facts ? nonempty (facts->public_ip) : NULL;
      if (value != NULL && (addr = g_inet_address_new_from_string (value)) == NULL)
        value = NULL;
      unknown = "<PublicIPAddress>";
    }
  else if (IS ("ipv4"))
    {
      g_autoptr(GInetAddress) addr = NULL;

      /* A connector's SenderIPAddresses takes IPv4 addresses only. */
      value = facts ? nonempty (facts->public_ip) : NULL;
      if (value != NULL && ((addr = g_inet_address_new_from_string (value)) == NULL ||
                            g_inet_address_get_family (addr) != G_SOCKET_FAMILY_IPV4))
        value = NULL;
      unknown = "<PublicIPv4Address>";
    }
  else if (IS ("server"))
    {
      value = config ? nonempty (dmd_device_config_get_server (config)) : NULL;
      unknown = "<Server>";
    }
  else if (IS ("client-id"))
    {
      value = config != NULL && dmd_client_id_is_valid (config->client_id)
              ? (owned = g_strstrip (g_strdup (config->client_id))) : NULL;
      unknown = "<ClientId>";
    }
  else if (IS ("mx"))
    {
      value = facts ? nonempty (facts->mx_host) : NULL;
      if (value == NULL && config != NULL)
        {
          const char *server = nonempty (dmd_device_config_get_server (config));

          if (server != NULL && dmd_host_is_mx_endpoint (server))
            value = server;
        }
      unknown = "<MXEndpoint>";
    }
  else if (IS ("spf-ip"))
    {
      /* A DNS value, not PowerShell: only a parsed address goes in. */
      char *mech = spf_mechanism (facts ? facts->public_ip : NULL);
      return mech ? mech : g_strdup ("ip4:<PublicIPAddress>");
    }
  else
    {
      *known = FALSE;
      return NULL;
    }
#undef IS

  if (value == NULL)
    return g_strdup (unknown);
  return dmd_powershell_quote (value);
}

char *
_dmd_catalog_fill_command (const char             *command,
                           const DmdDeviceConfig  *config,
                           const DmdCatalogFacts  *facts)
{
  GString *out;
  const char *p = command;

  if (command == NULL)
    return NULL;

  out = g_string_new (NULL);
  while (*p != '\0')
    {
      const char *close;

      if (*p == '{' && (close = strchr (p + 1, '}')) != NULL)
        {
          gboolean known;
          g_autofree char *value = placeholder_value (p + 1, (gsize) (close - p - 1),
                                                      config, facts, &known);
          if (known)
            {
              g_string_append (out, value);
              p = close + 1;
              continue;
            }
        }
      g_string_append_c (out, *p);
      p++;
    }
  return g_string_free (out, FALSE);
}

