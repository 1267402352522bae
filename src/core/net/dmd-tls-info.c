/* dmd-tls-info.c — what a handshake tells: DmdTlsInfo, the facts of a certificate (names,
 * dates, fingerprint) and the verification status in words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/x509.h>

#include "dmd-reply.h"
#include "dmd-tls.h"
#include "dmd-tls-private.h"

/* Bounds on what a hostile peer can make us keep. */
#define MAX_SANS           256

/* ------------------------------------------------------------------------------------------ */
/* DmdTlsInfo                                                                                  */
/* ------------------------------------------------------------------------------------------ */

DmdTlsInfo *
dmd_tls_info_new (void)
{
  DmdTlsInfo *info = g_new0 (DmdTlsInfo, 1);

  info->chain = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_cert_info_free);
  return info;
}

void
dmd_tls_info_free (DmdTlsInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->version);
  g_free (info->cipher);
  g_free (info->description);
  g_ptr_array_unref (info->chain);
  g_free (info->problem);
  g_free (info->sni);
  g_free (info);
}

/* ------------------------------------------------------------------------------------------ */
/* Certificates                                                                                */
/* ------------------------------------------------------------------------------------------ */

static char *
escape_datum (const gnutls_datum_t *d)
{
  return dmd_escape_bytes (d->data, d->size);
}

static char *
iso8601_utc (time_t t)
{
  g_autoptr(GDateTime) dt = NULL;

  if (t == (time_t) -1)
    return NULL;
  dt = g_date_time_new_from_unix_utc ((gint64) t);
  if (dt == NULL)
    return NULL;
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

char *
_dmd_tls_colon_hex (const guint8 *data,
                    gsize         len)
{
  GString *out = g_string_sized_new (len * 3);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", data[i]);
  return g_string_free (out, FALSE);
}

static char *
san_to_string (unsigned int  type,
               const guint8 *data,
               gsize         len)
{
  g_autofree char *escaped = NULL;

  switch (type)
    {
    case GNUTLS_SAN_IPADDRESS:
      if (len == 4 || len == 16)
        {
          g_autoptr(GInetAddress) address =
            g_inet_address_new_from_bytes (data, len == 4 ? G_SOCKET_FAMILY_IPV4
                                                            : G_SOCKET_FAMILY_IPV6);
          return g_inet_address_to_string (address);
        }
      escaped = _dmd_tls_colon_hex (data, len);
      return g_strconcat ("IP:", escaped, NULL);

    case GNUTLS_SAN_DNSNAME:
      return dmd_escape_bytes (data, len);

    case GNUTLS_SAN_RFC822NAME:
      escaped = dmd_escape_bytes (data, len);
      return g_strconcat ("email:", escaped, NULL);

    case GNUTLS_SAN_URI:
      escaped = dmd_escape_bytes (data, len);
      return g_strconcat ("URI:", escaped, NULL);

    default:
      return NULL;
    }
}

static void
add_sans (gnutls_x509_crt_t  crt,
          GPtrArray         *sans)
{
  for (unsigned int i = 0; i < MAX_SANS; i++)
    {
      g_autofree guint8 *san = NULL;
      size_t size = 0;
      int type;

      /* First ask for the size, then fetch (GnuTLS NUL-terminates text names, out of size). */
      type = gnutls_x509_crt_get_subject_alt_name (crt, i, NULL, &size, NULL);
      if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (type != GNUTLS_E_SHORT_MEMORY_BUFFER || size == 0 || size > 65536)
        continue;
      san = g_malloc (size + 1);
      type = gnutls_x509_crt_get_subject_alt_name (crt, i, san, &size, NULL);
      if (type >= 0)
        {
          char *text = san_to_string ((unsigned int) type, san, size);

          if (text != NULL)
            g_ptr_array_add (sans, text);
        }
    }
}

DmdCertInfo *
dmd_tls_cert_info_from_der (const guint8 *der,
                            gsize         len)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum = { (unsigned char *) der, (unsigned int) len };
  gnutls_datum_t dn = { NULL, 0 };
  guint8 digest[32];
  size_t digest_size = sizeof digest;
  DmdCertInfo *info;

  g_return_val_if_fail (der != NULL || len == 0, NULL);

  if (len == 0 || len > G_MAXUINT || gnutls_x509_crt_init (&crt) < 0)
    return NULL;
  if (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) < 0)
    {
      gnutls_x509_crt_deinit (crt);
      return NULL;
    }

  info = dmd_cert_info_new ();
  if (gnutls_x509_crt_get_dn3 (crt, &dn, 0) >= 0)
    {
      info->subject = escape_datum (&dn);
      gnutls_free (dn.data);
      dn.data = NULL;
    }
  if (gnutls_x509_crt_get_issuer_dn3 (crt, &dn, 0) >= 0)
    {
      info->issuer = escape_datum (&dn);
      gnutls_free (dn.data);
      dn.data = NULL;
    }
  add_sans (crt, info->sans);
  info->not_before = iso8601_utc (gnutls_x509_crt_get_activation_time (crt));
  info->not_after = iso8601_utc (gnutls_x509_crt_get_expiration_time (crt));
  if (gnutls_fingerprint (GNUTLS_DIG_SHA256, &datum, digest, &digest_size) >= 0)
    info->sha256 = _dmd_tls_colon_hex (digest, digest_size);

  gnutls_x509_crt_deinit (crt);
  return info;
}

/* "2021-01-01T00:00:00Z" → "2021-01-01 00:00 UTC" for sentences. */
static char *
readable_date (const char *iso)
{
  if (iso == NULL || strlen (iso) < 16)
    return g_strdup (iso ? iso : "?");
  return g_strdup_printf ("%.10s %.5s UTC", iso, iso + 11);
}

static gboolean
iso_before_now (const char *iso)
{
  g_autoptr(GDateTime) t = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return t != NULL && g_date_time_compare (t, now) < 0;
}

/* The CN out of an RFC 4514 subject, for a certificate without SANs. */
static char *
subject_cn (const char *subject)
{
  const char *p;
  const char *end;

  if (subject == NULL)
    return NULL;
  for (p = subject; (p = strstr (p, "CN=")) != NULL; p += 3)
    if (p == subject || p[-1] == ',')
      break;
  if (p == NULL)
    return NULL;
  p += 3;
  for (end = p; *end != '\0' && !(*end == ',' && end[-1] != '\\'); end++)
    ;
  return g_strndup (p, (gsize) (end - p));
}

static char *
names_of (const DmdCertInfo *leaf)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < leaf->sans->len && i < 8; i++)
    {
      const char *san = g_ptr_array_index (leaf->sans, i);

      if (g_str_has_prefix (san, "email:") || g_str_has_prefix (san, "URI:"))
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, san);
    }
  if (leaf->sans->len > 8)
    g_string_append (names, ", …");
  if (names->len == 0)
    {
      g_autofree char *cn = subject_cn (leaf->subject);

      if (cn == NULL)
        return NULL;
      g_string_append (names, cn);
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
add_sentence (GString    *out,
              const char *sentence)
{
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, sentence);
}

char *
dmd_tls_describe_verify_status (guint       status,
                                GPtrArray  *chain,
                                const char *server_name)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const DmdCertInfo *leaf = NULL;
  guint handled = GNUTLS_CERT_INVALID;

  if (status == 0)
    return NULL;

  if (chain != NULL && chain->len > 0)
    leaf = g_ptr_array_index (chain, 0);

  if (leaf == NULL)
    return g_strdup (_("The server sent no certificate."));

  if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
    {
      gboolean self_signed = leaf->subject != NULL && leaf->issuer != NULL &&
                             g_str_equal (leaf->subject, leaf->issuer);

      if (self_signed)
        add_sentence (out, _("The certificate is self-signed: no certificate authority vouches "
                             "for it."));
      else
        {
          const DmdCertInfo *top = g_ptr_array_index (chain, chain->len - 1);
          g_autofree char *text = NULL;

          /* Translators: %s is the issuer's name, e.g. "CN=Contoso CA,O=Contoso". */
          text = g_strdup_printf (_("The certificate was issued by an authority this computer "
                                    "does not trust (%s)."),
                                  top->issuer ? top->issuer : "?");
          add_sentence (out, text);
        }
      handled |= GNUTLS_CERT_SIGNER_NOT_FOUND;
    }

  if (status & GNUTLS_CERT_EXPIRED)
    {
      if (iso_before_now (leaf->not_after))
        {
          g_autofree char *date = readable_date (leaf->not_after);
          g_autofree char *text = NULL;

          /* Translators: %s is a date and time, e.g. "2021-01-01 00:00 UTC". */
          text = g_strdup_printf (_("The certificate expired on %s."), date);
          add_sentence (out, text);
        }
      else
        add_sentence (out, _("A certificate in the server's chain has expired."));
      handled |= GNUTLS_CERT_EXPIRED;
    }

  if (status & GNUTLS_CERT_NOT_ACTIVATED)
    {
      if (!iso_before_now (leaf->not_before))
        {
          g_autofree char *date = readable_date (leaf->not_before);
          g_autofree char *text = NULL;

          /* Translators: %s is a date and time, e.g. "2099-01-01 00:00 UTC". */
          text = g_strdup_printf (_("The certificate is not valid yet: it becomes valid on %s "
                                    "(or this computer's clock is wrong)."), date);
          add_sentence (out, text);
        }
      else
        add_sentence (out, _("A certificate in the server's chain is not valid yet (or this "
                             "computer's clock is wrong)."));
      handled |= GNUTLS_CERT_NOT_ACTIVATED;
    }

  if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    {
      g_autofree char *names = names_of (leaf);
      g_autofree char *text = NULL;

      if (names != NULL)
        /* Translators: the first %s lists names ("a.example, b.example"), the second is the
         * server name the user entered. */
        text = g_strdup_printf (_("The certificate is for %s, not for %s."), names,
                                server_name ? server_name : "?");
      else
        text = g_strdup_printf (_("The certificate is not for %s."),
                                server_name ? server_name : "?");
      add_sentence (out, text);
      handled |= GNUTLS_CERT_UNEXPECTED_OWNER;
    }

  if (status & GNUTLS_CERT_REVOKED)
    {
      add_sentence (out, _("The certificate has been revoked."));
      handled |= GNUTLS_CERT_REVOKED;
    }
  if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
    {
      add_sentence (out, _("The certificate is signed with an insecure algorithm (such as "
                           "SHA-1)."));
      handled |= GNUTLS_CERT_INSECURE_ALGORITHM;
    }
  if (status & GNUTLS_CERT_SIGNER_NOT_CA)
    {
      add_sentence (out, _("The certificate's issuer is not a certificate authority."));
      handled |= GNUTLS_CERT_SIGNER_NOT_CA;
    }
  if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
    {
      add_sentence (out, _("A signature in the certificate chain is invalid."));
      handled |= GNUTLS_CERT_SIGNATURE_FAILURE;
    }
  if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
    {
      add_sentence (out, _("The certificate is not meant for a TLS server."));
      handled |= GNUTLS_CERT_PURPOSE_MISMATCH;
    }

  if ((status & ~handled) != 0 || out->len == 0)
    {
      gnutls_datum_t words = { NULL, 0 };

      /* Rare problems: GnuTLS's own (untranslated) words. */
      if (gnutls_certificate_verification_status_print (status & ~handled, GNUTLS_CRT_X509,
                                                        &words, 0) >= 0 && words.size > 0)
        {
          g_autofree char *escaped = escape_datum (&words);
          g_autofree char *text = g_strdup_printf (_("Certificate problem: %s"), escaped);

          add_sentence (out, text);
        }
      gnutls_free (words.data);
      if (out->len == 0)
        add_sentence (out, _("The certificate could not be verified."));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
