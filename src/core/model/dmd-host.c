/* dmd-host.c
 *
 * The endpoint names are Microsoft's (reference/m365-facts.md §3 and the High Volume Email
 * documentation). The mx.microsoft label before "mx.microsoft" is read as loosely as Microsoft
 * may vary it ("o-v1", "i-v1", a later "-v2"): only Microsoft can name hosts under the
 * .microsoft top-level domain, so a name of that shape is one of its MX endpoints.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-config.h"
#include "dmd-host.h"

#define MX_LEGACY_SUFFIX "mail.protection.outlook.com"
#define MX_SUFFIX        ".mx.microsoft"

static const struct {
  const char  *name;
  DmdHostKind  kind;
} endpoints[] = {
  { "smtp.office365.com",        DMD_HOST_SMTP_AUTH },
  { "smtp-legacy.office365.com", DMD_HOST_SMTP_AUTH_LEGACY },
  { "smtp.hve.mx.microsoft",     DMD_HOST_HVE },
  { "smtp-hve.office365.com",    DMD_HOST_HVE },
};

/* host is suffix, or ends with "." + suffix. */
static gboolean
host_is_under (const char *ascii,
               const char *suffix)
{
  gsize n = strlen (ascii);
  gsize m = strlen (suffix);

  if (n == m)
    return strcmp (ascii, suffix) == 0;
  return n > m + 1 && ascii[n - m - 1] == '.' && strcmp (ascii + n - m, suffix) == 0;
}

/* "o-v1", "i-v1", "z-v12": letters or digits, "-v", digits. */
static gboolean
is_mx_microsoft_label (const char *label,
                       gsize       len)
{
  gsize i = 0;

  while (i < len && g_ascii_isalnum (label[i]))
    i++;
  if (i == 0 || i + 2 >= len || label[i] != '-' || label[i + 1] != 'v')
    return FALSE;
  for (i += 2; i < len; i++)
    if (!g_ascii_isdigit (label[i]))
      return FALSE;
  return TRUE;
}

/* <tenant>.<x>-v<n>.mx.microsoft: that label, and at least one label before it. */
static gboolean
is_mx_microsoft (const char *ascii)
{
  gsize len = strlen (ascii);
  gsize end, start;

  if (!g_str_has_suffix (ascii, MX_SUFFIX))
    return FALSE;
  end = len - strlen (MX_SUFFIX);
  start = end;
  while (start > 0 && ascii[start - 1] != '.')
    start--;
  return start > 1 && is_mx_microsoft_label (ascii + start, end - start);
}

DmdHostKind
dmd_host_classify (const char *host)
{
  g_autofree char *ascii = NULL;

  if (host == NULL)
    return DMD_HOST_OTHER;
  ascii = dmd_host_to_ascii (host, NULL);
  if (ascii == NULL)
    return DMD_HOST_OTHER;

  for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
    if (strcmp (ascii, endpoints[i].name) == 0)
      return endpoints[i].kind;

  if (host_is_under (ascii, MX_LEGACY_SUFFIX) && strcmp (ascii, MX_LEGACY_SUFFIX) != 0)
    return DMD_HOST_MX_LEGACY;
  if (is_mx_microsoft (ascii))
    return DMD_HOST_MX;
  return DMD_HOST_OTHER;
}

gboolean
dmd_host_kind_is_mx (DmdHostKind kind)
{
  return kind == DMD_HOST_MX_LEGACY || kind == DMD_HOST_MX;
}

gboolean
dmd_host_kind_is_smtp_auth (DmdHostKind kind)
{
  return kind == DMD_HOST_SMTP_AUTH || kind == DMD_HOST_SMTP_AUTH_LEGACY || kind == DMD_HOST_HVE;
}

gboolean
dmd_host_is_smtp_auth_endpoint (const char *host)
{
  return dmd_host_kind_is_smtp_auth (dmd_host_classify (host));
}

gboolean
dmd_host_is_mx_endpoint (const char *host)
{
  return dmd_host_kind_is_mx (dmd_host_classify (host));
}

gboolean
dmd_host_is_hve_endpoint (const char *host)
{
  return dmd_host_classify (host) == DMD_HOST_HVE;
}

gboolean
dmd_host_is_microsoft (const char *host)
{
  static const char *const domains[] = {
    "office365.com",
    "outlook.com",
    "microsoft.com",
    "office.com",
    "office365.us",
    "partner.outlook.cn",
    "microsoft",
  };
  g_autofree char *ascii = NULL;

  if (host == NULL)
    return FALSE;
  ascii = dmd_host_to_ascii (host, NULL);
  if (ascii == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    if (host_is_under (ascii, domains[i]))
      return TRUE;
  return FALSE;
}
