/* dmd-config.c — what the device is set to, and its validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <idn2.h>

#include "dmd-config.h"
#include "dmd-config-private.h"
#include "dmd-options.h"
#include "dmd-reply.h"
#include "dmd-tls.h"

#define DEFAULT_TIMEOUT  10
#define MAX_TIMEOUT      300
#define MAX_HOST_LEN     253
#define MAX_LABEL_LEN    63
#define MAX_LOCAL_LEN    64
#define MAX_ADDRESS_LEN  254

G_DEFINE_QUARK (dmd-config-error-quark, dmd_config_error)

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void
secret_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/* User input quoted in a message: escaped (valid UTF-8, no controls) and cut to 60 characters. */
char *
_dmd_config_shown (const char *value)
{
  g_autofree char *escaped = dmd_escape_bytes ((const guint8 *) value, strlen (value));
  glong n = g_utf8_strlen (escaped, -1);

  if (n > 60)
    {
      g_autofree char *cut = g_utf8_substring (escaped, 0, 59);
      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&escaped);
}

static gboolean
is_ascii (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

/* An IP address, IPv6 possibly in brackets; NULL when it is none. Only the characters of an
 * address literal are accepted (no scope ids, no host names that the resolver might know). */
static GInetAddress *
parse_ip_literal (const char *text)
{
  g_autofree char *inner = NULL;
  gsize len = strlen (text);
  gboolean bracketed = len >= 2 && text[0] == '[' && text[len - 1] == ']';
  GInetAddress *address;

  inner = bracketed ? g_strndup (text + 1, len - 2) : g_strdup (text);
  if (*inner == '\0' || strspn (inner, "0123456789abcdefABCDEF:.") != strlen (inner))
    return NULL;
  address = g_inet_address_new_from_string (inner);
  if (address != NULL && bracketed && g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    g_clear_object (&address);
  return address;
}

/* ------------------------------------------------------------------------------------------ */
/* Host names                                                                                  */
/* ------------------------------------------------------------------------------------------ */

gboolean
dmd_host_is_ip_literal (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *trimmed = NULL;

  if (host == NULL)
    return FALSE;
  trimmed = g_strstrip (g_strdup (host));
  address = parse_ip_literal (trimmed);
  return address != NULL;
}

/* RFC 1123 labels on an ASCII name (underscores tolerated: some internal names carry them). */
static gboolean
check_ascii_labels (const char  *ascii,
                    const char  *original,
                    GError     **error)
{
  g_autofree char *what = _dmd_config_shown (original);
  g_auto(GStrv) labels = NULL;
  const char *last = NULL;

  if (strlen (ascii) > MAX_HOST_LEN)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                   _("“%s” is too long for a server name (%u characters; at most %u)."),
                   what, (guint) strlen (ascii), (guint) MAX_HOST_LEN);
      return FALSE;
    }

  labels = g_strsplit (ascii, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *label = labels[i];
      gsize n = strlen (label);
      gsize ok = strspn (label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

      if (n == 0)
        {
          g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                       _("“%s” has an empty part between dots."), what);
          return FALSE;
        }
      if (ok != n)
        {
          char bad[8] = { 0 };
          g_autofree char *bad_shown = NULL;

          /* Name the offending character (a whole UTF-8 sequence when there is one). */
          if (g_utf8_validate (label + ok, -1, NULL))
            g_utf8_strncpy (bad, label + ok, 1);
          else
            bad[0] = label[ok];
          bad_shown = _dmd_config_shown (bad);
          g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                       _("“%s” contains a character that cannot be in a server name: “%s”."),
                       what, bad_shown);
          return FALSE;
        }
      if (n > MAX_LABEL_LEN)
        {
          g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                       _("“%s” has a part longer than %u characters."), what,
                       (guint) MAX_LABEL_LEN);
          return FALSE;
        }
      if (label[0] == '-' || label[n - 1] == '-')
        {
          g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                       _("“%s” has a part that starts or ends with a hyphen."), what);
          return FALSE;
        }
      last = label;
    }

  /* "192.168.1.256" or "10.1": looks like an address, is neither an address nor a name. */
  if (last != NULL && strspn (last, "0123456789") == strlen (last))
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                   _("“%s” is neither a valid IP address nor a server name."), what);
      return FALSE;
    }
  return TRUE;
}

char *
dmd_host_to_ascii (const char  *host,
                   GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *what = NULL;
  g_autofree char *ascii = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *colon;
  gsize len;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (host, -1, NULL))
    {
      g_set_error_literal (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                           _("The server name is not valid text."));
      return NULL;
    }

  trimmed = g_strstrip (g_strdup (host));
  what = _dmd_config_shown (trimmed);
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                           _("Enter a server name."));
      return NULL;
    }

  address = parse_ip_literal (trimmed);
  if (address != NULL)
    return g_inet_address_to_string (address);

  /* Common slips, each with its own advice. */
  if (strstr (trimmed, "://") != NULL)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                   _("“%s” is a web address; enter only the server name, such as "
                     "smtp.office365.com."), what);
      return NULL;
    }
  if (strpbrk (trimmed, " \t\r\n\v\f") != NULL)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                   _("“%s” is not a server name: it contains a space."), what);
      return NULL;
    }
  colon = strrchr (trimmed, ':');
  if (colon != NULL && strchr (trimmed, ':') == colon && colon[1] != '\0' &&
      strspn (colon + 1, "0123456789") == strlen (colon + 1))
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                   _("“%s” includes a port; enter the port in its own field."), what);
      return NULL;
    }
  if (strchr (trimmed, '@') != NULL)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                   _("“%s” is an email address, not a server name."), what);
      return NULL;
    }

  if (is_ascii (trimmed))
    ascii = g_ascii_strdown (trimmed, -1);
  else
    {
      char *out = NULL;
      int rc = idn2_to_ascii_8z (trimmed, &out, IDN2_NONTRANSITIONAL);

      /* UTS #46 maps some characters to nothing (U+00AD SOFT HYPHEN): an empty result is
       * no name. */
      if (rc != IDN2_OK || out == NULL || *out == '\0')
        {
          idn2_free (out);
          g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST,
                       _("“%s” is not a valid international domain name."), what);
          return NULL;
        }
      ascii = g_ascii_strdown (out, -1);
      idn2_free (out);
    }

  /* One trailing dot is the root: "smtp.office365.com." is the same name. */
  len = strlen (ascii);
  if (len > 1 && ascii[len - 1] == '.' && ascii[len - 2] != '.')
    ascii[len - 1] = '\0';

  if (!check_ascii_labels (ascii, trimmed, error))
    return NULL;
  return g_steal_pointer (&ascii);
}

/* ------------------------------------------------------------------------------------------ */
/* Addresses and ports                                                                         */
/* ------------------------------------------------------------------------------------------ */

/* RFC 5322 atext, plus any UTF-8 (RFC 6531). */
static gboolean
is_atext (guchar c)
{
  return g_ascii_isalnum (c) || c >= 0x80 || strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static gboolean
local_part_is_valid (const char *local,
                     gsize       len)
{
  if (len == 0)
    return FALSE;

  if (local[0] == '"')
    {
      /* quoted-string: printable characters, backslash escapes. */
      if (len < 2 || local[len - 1] != '"')
        return FALSE;
      for (gsize i = 1; i + 1 < len; i++)
        {
          guchar c = (guchar) local[i];

          if (c == '\\')
            {
              i++;
              if (i + 1 >= len || (guchar) local[i] < 0x20)
                return FALSE;
            }
          else if (c == '"' || (c < 0x20 && c != '\t') || c == 0x7F)
            return FALSE;
        }
      return TRUE;
    }

  /* dot-atom: no leading, trailing or double dot. */
  if (local[0] == '.' || local[len - 1] == '.')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) local[i];

      if (c == '.')
        {
          if (local[i + 1] == '.')
            return FALSE;
        }
      else if (!is_atext (c))
        return FALSE;
    }
  return TRUE;
}

gboolean
dmd_address_validate (const char  *address,
                      char       **out_domain,
                      GError     **error)
{
  g_autofree char *what = NULL;
  g_autofree char *domain = NULL;
  g_autoptr(GInetAddress) literal = NULL;
  const char *at;
  gsize local_len;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_domain != NULL)
    *out_domain = NULL;

  if (address == NULL || *address == '\0')
    {
      g_set_error_literal (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_ADDRESS,
                           _("Enter an email address."));
      return FALSE;
    }
  what = _dmd_config_shown (address);
  if (!g_utf8_validate (address, -1, NULL))
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_ADDRESS,
                   _("“%s” is not an email address: it is not valid text."), what);
      return FALSE;
    }
  if (strchr (address, '<') != NULL || strchr (address, '>') != NULL)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_ADDRESS,
                   _("Enter only the address, without a display name or angle brackets "
                     "(“%s”)."), what);
      return FALSE;
    }
  at = strrchr (address, '@');
  if (at == NULL)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_ADDRESS,
                   _("“%s” is not an email address: it has no “@”."), what);
      return FALSE;
    }
  if (strlen (address) > MAX_ADDRESS_LEN)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_ADDRESS,
                   _("“%s” is too long for an email address (at most %u characters)."), what,
                   (guint) MAX_ADDRESS_LEN);
      return FALSE;
    }

  local_len = (gsize) (at - address);
  if (local_len > MAX_LOCAL_LEN)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_ADDRESS,
                   _("“%s” is not an email address: the part before “@” is longer than %u "
                     "characters."), what, (guint) MAX_LOCAL_LEN);
      return FALSE;
    }
  if (address[0] != '"' && strpbrk (address, " \t\r\n") != NULL)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_ADDRESS,
                   _("“%s” is not an email address: it contains a space."), what);
      return FALSE;
    }
  if (!local_part_is_valid (address, local_len))
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_ADDRESS,
                   _("“%s” is not an email address: the part before “@” is empty or has a "
                     "character that is not allowed there."), what);
      return FALSE;
    }

  /* No domain literal, no IP, no trailing dot (RFC 5321 has none in an address). */
  literal = parse_ip_literal (at + 1);
  if (at[1] == '\0' || literal != NULL || strpbrk (at + 1, " \t[]") != NULL ||
      address[strlen (address) - 1] == '.' ||
      (domain = dmd_host_to_ascii (at + 1, NULL)) == NULL)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_ADDRESS,
                   _("“%s” is not an email address: the domain after “@” is not valid."), what);
      return FALSE;
    }

  if (out_domain != NULL)
    *out_domain = g_steal_pointer (&domain);
  return TRUE;
}

gboolean
dmd_address_is_valid (const char  *address,
                      char       **out_domain)
{
  return dmd_address_validate (address, out_domain, NULL);
}

gboolean
dmd_port_parse (const char  *text,
                guint16     *out_port,
                GError     **error)
{
  g_autofree char *trimmed = NULL;
  guint64 value = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (*trimmed == '\0' || strspn (trimmed, "0123456789") != strlen (trimmed) ||
      !g_ascii_string_to_unsigned (trimmed, 10, 1, G_MAXUINT16, &value, NULL))
    {
      g_set_error_literal (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_PORT,
                           _("The port must be a number from 1 to 65535."));
      return FALSE;
    }
  if (out_port != NULL)
    *out_port = (guint16) value;
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* --connect-to                                                                                */
/* ------------------------------------------------------------------------------------------ */

void
dmd_connect_to_free (DmdConnectTo *ct)
{
  if (ct == NULL)
    return;
  g_free (ct->host);
  g_free (ct->to_addr);
  g_free (ct);
}

static DmdConnectTo *
connect_to_copy (const DmdConnectTo *ct)
{
  DmdConnectTo *copy = g_new0 (DmdConnectTo, 1);

  copy->host = g_strdup (ct->host);
  copy->port = ct->port;
  copy->to_addr = g_strdup (ct->to_addr);
  copy->to_port = ct->to_port;
  return copy;
}

/* One field of the spec: "[v6]" or up to the next ':'. Sets *end past the field. */
static gboolean
connect_to_field (const char  *p,
                  char       **out,
                  const char **end,
                  gboolean    *bracketed)
{
  const char *stop;

  *bracketed = p[0] == '[';
  if (*bracketed)
    {
      stop = strchr (p, ']');
      if (stop == NULL)
        return FALSE;
      *out = g_strndup (p, (gsize) (stop + 1 - p));
      *end = stop + 1;
      return **end == ':' || **end == '\0';
    }
  stop = strchr (p, ':');
  if (stop == NULL)
    stop = p + strlen (p);
  *out = g_strndup (p, (gsize) (stop - p));
  *end = stop;
  return TRUE;
}

static gboolean
connect_to_host (const char  *spec,
                 const char  *field,
                 gboolean     bracketed,
                 char       **out,
                 GError     **error)
{
  g_autoptr(GError) host_error = NULL;
  g_autofree char *what = _dmd_config_shown (spec);

  if (*field == '\0')
    {
      *out = NULL;
      return TRUE;
    }
  if (bracketed)
    {
      g_autoptr(GInetAddress) address = parse_ip_literal (field);

      if (address == NULL)
        {
          g_autofree char *inner = g_strndup (field + 1, strlen (field) - 2);
          g_autofree char *inner_shown = _dmd_config_shown (inner);

          g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_CONNECT_TO,
                       _("“%s”: “%s” is in brackets but is not an IPv6 address."), what,
                       inner_shown);
          return FALSE;
        }
      *out = g_inet_address_to_string (address);
      return TRUE;
    }
  *out = dmd_host_to_ascii (field, &host_error);
  if (*out == NULL)
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_CONNECT_TO,
                   "“%s”: %s", what, host_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
connect_to_port (const char  *spec,
                 const char  *field,
                 guint16     *out,
                 GError     **error)
{
  if (*field == '\0')
    {
      *out = 0;
      return TRUE;
    }
  if (!dmd_port_parse (field, out, NULL) || strchr (field, ' ') != NULL)
    {
      g_autofree char *what = _dmd_config_shown (spec);
      g_autofree char *port = _dmd_config_shown (field);

      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_CONNECT_TO,
                   _("“%s”: the port “%s” is not a number from 1 to 65535."), what, port);
      return FALSE;
    }
  return TRUE;
}

DmdConnectTo *
dmd_connect_to_parse (const char  *spec,
                      GError     **error)
{
  g_autoptr(DmdConnectTo) ct = g_new0 (DmdConnectTo, 1);
  g_autofree char *what = NULL;
  char *fields[4] = { NULL, NULL, NULL, NULL };
  gboolean bracketed[4] = { FALSE, FALSE, FALSE, FALSE };
  const char *p;
  guint n = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  what = _dmd_config_shown (spec);
  if (!g_utf8_validate (spec, -1, NULL))
    {
      g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_CONNECT_TO,
                   _("“%s” is not valid text."), what);
      return NULL;
    }

  p = spec;
  while (ok)
    {
      const char *end;

      if (n == 4)
        {
          ok = FALSE;
          break;
        }
      ok = connect_to_field (p, &fields[n], &end, &bracketed[n]);
      n++;
      if (!ok || *end == '\0')
        break;
      p = end + 1;
    }

  if (!ok || n != 4 || bracketed[1] || bracketed[3])
    {
      gboolean unbracketed_v6 = n == 4 && !ok && strchr (spec, '[') == NULL;

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        g_free (fields[i]);
      if (unbracketed_v6)
        g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_CONNECT_TO,
                     _("“%s”: write an IPv6 address in brackets, such as [2001:db8::1]."),
                     what);
      else
        g_set_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_CONNECT_TO,
                     _("“%s” is not HOST:PORT:ADDRESS:PORT (for example "
                       "smtp.office365.com:587:127.0.0.1:2587)."), what);
      return NULL;
    }

  ok = connect_to_host (spec, fields[0], bracketed[0], &ct->host, error) &&
       connect_to_port (spec, fields[1], &ct->port, error) &&
       connect_to_host (spec, fields[2], bracketed[2], &ct->to_addr, error) &&
       connect_to_port (spec, fields[3], &ct->to_port, error);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_free (fields[i]);
  if (!ok)
    return NULL;
  return g_steal_pointer (&ct);
}

/* The name in a comparable form (ASCII, lower case, no trailing dot), or NULL. */
static char *
host_normalize (const char *host)
{
  if (host == NULL)
    return NULL;
  return dmd_host_to_ascii (host, NULL);
}

static gboolean
hosts_equal (const char *a,
             const char *b)
{
  g_autoptr(GInetAddress) ia = parse_ip_literal (a);
  g_autoptr(GInetAddress) ib = parse_ip_literal (b);
  g_autofree char *na = NULL;
  g_autofree char *nb = NULL;

  if (ia != NULL || ib != NULL)
    return ia != NULL && ib != NULL && g_inet_address_equal (ia, ib);
  na = host_normalize (a);
  nb = host_normalize (b);
  return na != NULL && nb != NULL && strcmp (na, nb) == 0;
}

gboolean
dmd_device_config_map_connect_to (const DmdDeviceConfig  *config,
                                  const char             *host,
                                  guint16                 port,
                                  char                  **out_host,
                                  guint16                *out_port)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (host != NULL, FALSE);

  if (config->connect_to == NULL)
    return FALSE;

  for (guint i = 0; i < config->connect_to->len; i++)
    {
      const DmdConnectTo *ct = g_ptr_array_index (config->connect_to, i);

      if (ct->host != NULL && *ct->host != '\0' && !hosts_equal (ct->host, host))
        continue;
      if (ct->port != 0 && ct->port != port)
        continue;

      if (out_host != NULL)
        *out_host = g_strdup (ct->to_addr != NULL && *ct->to_addr != '\0' ? ct->to_addr : host);
      if (out_port != NULL)
        *out_port = ct->to_port != 0 ? ct->to_port : port;
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------------------------------ */
/* The configuration                                                                           */
/* ------------------------------------------------------------------------------------------ */

DmdDeviceConfig *
dmd_device_config_new (DmdOption option)
{
  DmdDeviceConfig *config = g_new0 (DmdDeviceConfig, 1);

  config->option = option;
  config->security = dmd_option_get_info (option)->default_security;
  config->ip_version = DMD_IP_VERSION_4;
  config->timeout_seconds = DEFAULT_TIMEOUT;
  config->connect_to = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_connect_to_free);
  return config;
}

DmdDeviceConfig *
dmd_device_config_copy (const DmdDeviceConfig *config)
{
  DmdDeviceConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (DmdDeviceConfig, 1);
  *copy = *config;
  copy->server = g_strdup (config->server);
  copy->username = g_strdup (config->username);
  copy->password = g_strdup (config->password);
  copy->oauth_token = g_strdup (config->oauth_token);
  copy->tenant = g_strdup (config->tenant);
  copy->client_id = g_strdup (config->client_id);
  copy->client_secret = g_strdup (config->client_secret);
  copy->from = g_strdup (config->from);
  copy->to = g_strdup (config->to);
  copy->domain = g_strdup (config->domain);
  copy->connector_ip = g_strdup (config->connector_ip);
  copy->ca_file = g_strdup (config->ca_file);
  copy->client_cert_file = g_strdup (config->client_cert_file);
  copy->client_key_file = g_strdup (config->client_key_file);
  copy->today = config->today != NULL ? g_date_time_ref (config->today) : NULL;
  copy->connect_to = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_connect_to_free);
  for (guint i = 0; config->connect_to != NULL && i < config->connect_to->len; i++)
    g_ptr_array_add (copy->connect_to, connect_to_copy (g_ptr_array_index (config->connect_to, i)));
  return copy;
}

void
dmd_device_config_free (DmdDeviceConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->server);
  g_free (config->username);
  secret_free (config->password);
  secret_free (config->oauth_token);
  g_free (config->tenant);
  g_free (config->client_id);
  secret_free (config->client_secret);
  g_free (config->from);
  g_free (config->to);
  g_free (config->domain);
  g_free (config->connector_ip);
  g_free (config->ca_file);
  g_free (config->client_cert_file);
  g_free (config->client_key_file);
  g_clear_pointer (&config->connect_to, g_ptr_array_unref);
  g_clear_pointer (&config->today, g_date_time_unref);
  g_free (config);
}

void
dmd_device_config_set_password (DmdDeviceConfig *config,
                                const char      *password)
{
  g_return_if_fail (config != NULL);

  secret_free (config->password);
  config->password = g_strdup (password);
}

void
dmd_device_config_set_oauth_token (DmdDeviceConfig *config,
                                   const char      *token)
{
  g_return_if_fail (config != NULL);

  secret_free (config->oauth_token);
  config->oauth_token = g_strdup (token);
}

void
dmd_device_config_set_client_secret (DmdDeviceConfig *config,
                                     const char      *secret)
{
  g_return_if_fail (config != NULL);

  secret_free (config->client_secret);
  config->client_secret = g_strdup (secret);
}

guint16
dmd_device_config_default_port (DmdOption option)
{
  return dmd_option_get_info (option)->default_port;
}

const char *
dmd_device_config_get_server (const DmdDeviceConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  if (config->server != NULL && *config->server != '\0')
    return config->server;
  return dmd_option_get_info (config->option)->default_server;
}

guint16
dmd_device_config_get_port (const DmdDeviceConfig *config)
{
  g_return_val_if_fail (config != NULL, 0);

  return config->port != 0 ? config->port : dmd_device_config_default_port (config->option);
}

DmdAuthMech
dmd_device_config_get_auth_mech (const DmdDeviceConfig *config)
{
  g_return_val_if_fail (config != NULL, DMD_AUTH_NONE);

  if (!dmd_option_get_info (config->option)->signs_in)
    return DMD_AUTH_NONE;
  if (dmd_device_config_gets_token (config) ||
      (config->oauth_token != NULL && *config->oauth_token != '\0'))
    return DMD_AUTH_XOAUTH2;
  if ((config->password != NULL && *config->password != '\0') ||
      (config->username != NULL && *config->username != '\0'))
    return DMD_AUTH_LOGIN;
  return DMD_AUTH_NONE;
}

/* ------------------------------------------------------------------------------------------ */
/* Validation                                                                                  */
/* ------------------------------------------------------------------------------------------ */

void
dmd_field_error_free (DmdFieldError *error)
{
  if (error == NULL)
    return;
  g_free (error->message);
  g_free (error);
}

void
_dmd_config_add_error (GPtrArray  *errors,
           DmdField    field,
           char       *message)
{
  DmdFieldError *error = g_new0 (DmdFieldError, 1);

  error->field = field;
  error->message = message;
  g_ptr_array_add (errors, error);
}

gboolean
_dmd_config_is_set (const char *s)
{
  return s != NULL && *s != '\0';
}

gboolean
_dmd_config_has_control (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s < 0x20 || (guchar) *s == 0x7F)
      return TRUE;
  return FALSE;
}

static void
validate_address (GPtrArray  *errors,
                  DmdField    field,
                  const char *address)
{
  g_autoptr(GError) error = NULL;

  if (_dmd_config_is_set (address) && !dmd_address_validate (address, NULL, &error))
    _dmd_config_add_error (errors, field, g_strdup (error->message));
}

static void
validate_ca_file (GPtrArray  *errors,
                  const char *path)
{
  g_autofree char *what = _dmd_config_shown (path);
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      if (saved == ENOENT || saved == ENOTDIR)
        _dmd_config_add_error (errors, DMD_FIELD_CA_FILE,
                   g_strdup_printf (_("The CA file “%s” does not exist."), what));
      else
        _dmd_config_add_error (errors, DMD_FIELD_CA_FILE,
                   g_strdup_printf (_("The CA file “%s” cannot be read: %s"), what,
                                    g_strerror (saved)));
      return;
    }
  if (!S_ISREG (st.st_mode))
    {
      _dmd_config_add_error (errors, DMD_FIELD_CA_FILE,
                 g_strdup_printf (_("The CA file “%s” is not a file."), what));
      return;
    }
  /* Bad input, not the server's fault: readable, not huge, and certificates in it. */
  if (!dmd_tls_ca_file_check (path, NULL, &error))
    _dmd_config_add_error (errors, DMD_FIELD_CA_FILE, g_strdup (error->message));
}

GPtrArray *
dmd_device_config_validate (const DmdDeviceConfig *config)
{
  GPtrArray *errors;

  g_return_val_if_fail (config != NULL, NULL);

  errors = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_field_error_free);

  /* Server (or, for the MX options, a domain whose MX can be looked up). */
  if (_dmd_config_is_set (config->server))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *ascii = dmd_host_to_ascii (config->server, &error);

      if (ascii == NULL)
        _dmd_config_add_error (errors, DMD_FIELD_SERVER, g_strdup (error->message));
    }
  else if (dmd_option_get_info (config->option)->default_server == NULL &&
           !_dmd_config_is_set (config->domain))
    {
      _dmd_config_add_error (errors, DMD_FIELD_SERVER,
                 g_strdup (_("Enter the server (the MX endpoint) or the domain, so that the "
                             "MX endpoint can be looked up.")));
    }

  /* The port is a guint16: 0 means the option's default, every other value is a port. */

  /* Sign-in. */
  if (_dmd_config_is_set (config->username))
    {
      if (_dmd_config_has_control (config->username) || strpbrk (config->username, " \t") != NULL ||
          !g_utf8_validate (config->username, -1, NULL))
        _dmd_config_add_error (errors, DMD_FIELD_USERNAME,
                   g_strdup (_("The user name contains a space or a control character.")));
      else if (strchr (config->username, '@') != NULL)
        {
          g_autoptr(GError) error = NULL;

          if (!dmd_address_validate (config->username, NULL, &error))
            _dmd_config_add_error (errors, DMD_FIELD_USERNAME, g_strdup (error->message));
        }
    }
  else if (dmd_option_get_info (config->option)->signs_in &&
           (_dmd_config_is_set (config->password) || _dmd_config_is_set (config->oauth_token)))
    {
      _dmd_config_add_error (errors, DMD_FIELD_USERNAME,
                 g_strdup (_("Enter the user name that goes with the password or token.")));
    }

  if (dmd_device_config_gets_token (config) &&
      (_dmd_config_is_set (config->password) || _dmd_config_is_set (config->oauth_token)))
    _dmd_config_add_error (errors, DMD_FIELD_PASSWORD,
               g_strdup (_("The token comes from Microsoft Entra ID: leave the password and "
                           "the token empty.")));
  else if (_dmd_config_is_set (config->password) && _dmd_config_is_set (config->oauth_token))
    _dmd_config_add_error (errors, DMD_FIELD_PASSWORD,
               g_strdup (_("Give either a password or an OAuth token, not both.")));
  else if (_dmd_config_is_set (config->password) && strpbrk (config->password, "\r\n") != NULL)
    _dmd_config_add_error (errors, DMD_FIELD_PASSWORD,
               g_strdup (_("The password contains a line break. If it was read from a file, "
                           "remove the line break at its end.")));
  else if (_dmd_config_is_set (config->oauth_token) &&
           (_dmd_config_has_control (config->oauth_token) || strchr (config->oauth_token, ' ') != NULL))
    _dmd_config_add_error (errors, DMD_FIELD_PASSWORD,
               g_strdup (_("The OAuth token contains spaces or line breaks: paste only the "
                           "token.")));

  validate_address (errors, DMD_FIELD_FROM, config->from);
  validate_address (errors, DMD_FIELD_TO, config->to);

  if (_dmd_config_is_set (config->domain))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *ascii = NULL;

      if (dmd_host_is_ip_literal (config->domain))
        {
          g_autofree char *what = _dmd_config_shown (config->domain);

          _dmd_config_add_error (errors, DMD_FIELD_DOMAIN,
                     g_strdup_printf (_("“%s” is an IP address; enter the organization’s domain "
                                        "name, such as contoso.com."), what));
        }
      else if ((ascii = dmd_host_to_ascii (config->domain, &error)) == NULL)
        _dmd_config_add_error (errors, DMD_FIELD_DOMAIN, g_strdup (error->message));
    }

  if (_dmd_config_is_set (config->connector_ip))
    {
      g_autoptr(GInetAddress) address = NULL;
      g_autofree char *trimmed = g_strstrip (g_strdup (config->connector_ip));

      address = parse_ip_literal (trimmed);
      if (address == NULL)
        {
          g_autofree char *what = _dmd_config_shown (config->connector_ip);

          _dmd_config_add_error (errors, DMD_FIELD_CONNECTOR_IP,
                     g_strdup_printf (_("“%s” is not an IPv4 or IPv6 address."), what));
        }
    }

  if (_dmd_config_is_set (config->ca_file))
    validate_ca_file (errors, config->ca_file);

  for (guint i = 0; config->connect_to != NULL && i < config->connect_to->len; i++)
    {
      const DmdConnectTo *ct = g_ptr_array_index (config->connect_to, i);
      const char *hosts[2] = { ct->host, ct->to_addr };

      for (guint h = 0; h < G_N_ELEMENTS (hosts); h++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *ascii = NULL;

          if (_dmd_config_is_set (hosts[h]) && (ascii = dmd_host_to_ascii (hosts[h], &error)) == NULL)
            _dmd_config_add_error (errors, DMD_FIELD_CONNECT_TO, g_strdup (error->message));
        }
    }

  if (config->timeout_seconds < 1 || config->timeout_seconds > MAX_TIMEOUT)
    _dmd_config_add_error (errors, DMD_FIELD_TIMEOUT,
               g_strdup_printf (_("The timeout must be from 1 to %u seconds (it is %u)."),
                                (guint) MAX_TIMEOUT, config->timeout_seconds));

  if (_dmd_config_is_set (config->client_cert_file) != _dmd_config_is_set (config->client_key_file))
    _dmd_config_add_error (errors, DMD_FIELD_CLIENT_CERT,
               g_strdup (_dmd_config_is_set (config->client_cert_file)
                         ? _("A client certificate needs its private key file too.")
                         : _("A private key file needs its client certificate too.")));
  else if (_dmd_config_is_set (config->client_cert_file))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DmdTlsClientCert) cert =
        dmd_tls_client_cert_new_from_files (config->client_cert_file, config->client_key_file,
                                            &error);

      if (cert == NULL)
        _dmd_config_add_error (errors, DMD_FIELD_CLIENT_CERT, g_strdup (error->message));
    }

  _dmd_config_validate_oauth (errors, config);

  return errors;
}
