/* dmd-tls.c — priority strings, certificate descriptions, the verdict in words, ClientHello
 * parsing and server credentials. The handshakes live in dmd-conn.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "dmd-conn.h"
#include "dmd-reply.h"
#include "dmd-tls.h"
#include "dmd-tls-private.h"

/* Bounds on what a hostile peer can make us keep. */
#define MAX_SANS           256
#define MAX_CIPHER_SUITES  512
#define MAX_VERSIONS       64

/* ------------------------------------------------------------------------------------------ */
/* Priorities                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* Checked against gnutls-serv and openssl s_server restricted to each version (GnuTLS 3.7.9):
 * each string negotiates its version and only that one. */
static const char * const version_priorities[DMD_N_TLS_VERSIONS] = {
  [DMD_TLS10] = "NORMAL:-VERS-ALL:+VERS-TLS1.0:+3DES-CBC:%COMPAT",
  [DMD_TLS11] = "NORMAL:-VERS-ALL:+VERS-TLS1.1:+3DES-CBC:%COMPAT",
  [DMD_TLS12] = "NORMAL:-VERS-ALL:+VERS-TLS1.2:%COMPAT",
  [DMD_TLS13] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:%COMPAT",
};

const char *
dmd_tls_priority_for_version (int dmd_tls_index)
{
  g_return_val_if_fail (dmd_tls_index >= 0 && dmd_tls_index < DMD_N_TLS_VERSIONS, NULL);

  return version_priorities[dmd_tls_index];
}

const char *
dmd_tls_priority_default (void)
{
  return "NORMAL:%COMPAT";
}

const char *
dmd_tls_priority_permissive_server (void)
{
  return "NORMAL:+VERS-TLS1.0:+VERS-TLS1.1:+3DES-CBC:+ARCFOUR-128:%COMPAT";
}

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

static char *
colon_hex (const guint8 *data,
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
      escaped = colon_hex (data, len);
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
    info->sha256 = colon_hex (digest, digest_size);

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

/* ------------------------------------------------------------------------------------------ */
/* ClientHello                                                                                 */
/* ------------------------------------------------------------------------------------------ */

static gboolean
is_grease (guint16 value)
{
  return (value & 0x0F0F) == 0x0A0A && (value >> 8) == (value & 0xFF);
}

static char *
version_string (guint16 version)
{
  switch (version)
    {
    case 0x0300: return g_strdup ("SSL3.0");
    case 0x0301: return g_strdup (dmd_tls_version_name (DMD_TLS10));
    case 0x0302: return g_strdup (dmd_tls_version_name (DMD_TLS11));
    case 0x0303: return g_strdup (dmd_tls_version_name (DMD_TLS12));
    case 0x0304: return g_strdup (dmd_tls_version_name (DMD_TLS13));
    default:     return g_strdup_printf ("0x%04X", version);
    }
}

static int
version_rank (guint16 version)
{
  return version >= 0x0300 && version <= 0x0304 ? version - 0x0300 + 1 : 0;
}

static char *
cipher_suite_string (guint8 hi,
                     guint8 lo)
{
  const char *name;
  unsigned char id[2];

  if (hi == 0x00 && lo == 0xFF)
    return g_strdup ("TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
  if (hi == 0x56 && lo == 0x00)
    return g_strdup ("TLS_FALLBACK_SCSV");
  for (size_t i = 0; (name = gnutls_cipher_suite_info (i, id, NULL, NULL, NULL, NULL)) != NULL;
       i++)
    if (id[0] == hi && id[1] == lo)
      return g_strdup (name);
  return g_strdup_printf ("0x%02X%02X", hi, lo);
}

/* A cursor over untrusted bytes: every read is checked. */
typedef struct {
  const guint8 *p;
  gsize         left;
} Reader;

static gboolean
read_u8 (Reader *r,
         guint  *value)
{
  if (r->left < 1)
    return FALSE;
  *value = r->p[0];
  r->p++;
  r->left--;
  return TRUE;
}

static gboolean
read_u16 (Reader *r,
          guint  *value)
{
  if (r->left < 2)
    return FALSE;
  *value = ((guint) r->p[0] << 8) | r->p[1];
  r->p += 2;
  r->left -= 2;
  return TRUE;
}

static gboolean
read_block (Reader *r,
            gsize   len,
            Reader *block)
{
  if (r->left < len)
    return FALSE;
  block->p = r->p;
  block->left = len;
  r->p += len;
  r->left -= len;
  return TRUE;
}

static void
parse_supported_versions (DmdClientHello *hello,
                          Reader          ext)
{
  Reader list;
  guint list_len;
  int best = -1;

  if (!read_u8 (&ext, &list_len) || !read_block (&ext, list_len, &list))
    return;
  while (list.left >= 2 && hello->supported_versions->len < MAX_VERSIONS)
    {
      guint v;

      read_u16 (&list, &v);
      if (is_grease ((guint16) v))
        continue;
      g_ptr_array_add (hello->supported_versions, version_string ((guint16) v));
      if (version_rank ((guint16) v) > best)
        {
          best = version_rank ((guint16) v);
          g_free (hello->max_version);
          hello->max_version = version_string ((guint16) v);
        }
    }
}

static void
parse_server_name (DmdClientHello *hello,
                   Reader          ext)
{
  Reader list;
  guint list_len;

  if (!read_u16 (&ext, &list_len) || !read_block (&ext, list_len, &list))
    return;
  while (list.left > 0)
    {
      Reader name;
      guint type;
      guint name_len;

      if (!read_u8 (&list, &type) || !read_u16 (&list, &name_len) ||
          !read_block (&list, name_len, &name))
        return;
      if (type == 0 && hello->sni == NULL)
        hello->sni = dmd_escape_bytes (name.p, name.left);
    }
}

DmdClientHello *
dmd_client_hello_parse (const guint8 *data,
                        gsize         len)
{
  g_autoptr(DmdClientHello) hello = NULL;
  Reader r = { data, len };
  Reader block;
  guint version;
  guint n;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  /* Handshake header: type 1 (client_hello) and a 24-bit length. A bare body starts with the
   * version's 0x03 instead. */
  if (len >= 4 && data[0] == 0x01)
    {
      gsize body = ((gsize) data[1] << 16) | ((gsize) data[2] << 8) | data[3];

      if (body > len - 4)
        return NULL;
      r.p = data + 4;
      r.left = body;
    }

  hello = g_new0 (DmdClientHello, 1);
  hello->supported_versions = g_ptr_array_new_with_free_func (g_free);
  hello->cipher_suites = g_ptr_array_new_with_free_func (g_free);

  if (!read_u16 (&r, &version) || (version >> 8) != 0x03)
    return NULL;
  hello->legacy_version = version_string ((guint16) version);
  hello->max_version = g_strdup (hello->legacy_version);

  /* random[32], session_id<0..32> */
  if (!read_block (&r, 32, &block) || !read_u8 (&r, &n) || n > 32 || !read_block (&r, n, &block))
    return NULL;

  /* cipher_suites<2..2^16-2> */
  if (!read_u16 (&r, &n) || n % 2 != 0 || !read_block (&r, n, &block))
    return NULL;
  while (block.left >= 2 && hello->cipher_suites->len < MAX_CIPHER_SUITES)
    {
      guint suite;

      read_u16 (&block, &suite);
      if (is_grease ((guint16) suite))
        continue;
      g_ptr_array_add (hello->cipher_suites, cipher_suite_string (suite >> 8, suite & 0xFF));
    }

  /* compression_methods<1..2^8-1> */
  if (!read_u8 (&r, &n) || !read_block (&r, n, &block))
    return NULL;

  /* extensions<0..2^16-1>, absent in old hellos */
  if (r.left == 0)
    return g_steal_pointer (&hello);
  if (!read_u16 (&r, &n) || !read_block (&r, n, &block))
    return NULL;
  while (block.left > 0)
    {
      Reader ext;
      guint type;
      guint ext_len;

      if (!read_u16 (&block, &type) || !read_u16 (&block, &ext_len) ||
          !read_block (&block, ext_len, &ext))
        return NULL;
      if (type == 0)
        parse_server_name (hello, ext);
      else if (type == 43)
        parse_supported_versions (hello, ext);
    }

  return g_steal_pointer (&hello);
}

DmdClientHello *
dmd_client_hello_copy (const DmdClientHello *hello)
{
  DmdClientHello *copy;

  if (hello == NULL)
    return NULL;

  copy = g_new0 (DmdClientHello, 1);
  copy->legacy_version = g_strdup (hello->legacy_version);
  copy->max_version = g_strdup (hello->max_version);
  copy->supported_versions = g_ptr_array_copy (hello->supported_versions,
                                               (GCopyFunc) (void (*) (void)) g_strdup, NULL);
  g_ptr_array_set_free_func (copy->supported_versions, g_free);
  copy->cipher_suites = g_ptr_array_copy (hello->cipher_suites,
                                          (GCopyFunc) (void (*) (void)) g_strdup, NULL);
  g_ptr_array_set_free_func (copy->cipher_suites, g_free);
  copy->sni = g_strdup (hello->sni);
  return copy;
}

void
dmd_client_hello_free (DmdClientHello *hello)
{
  if (hello == NULL)
    return;
  g_free (hello->legacy_version);
  g_free (hello->max_version);
  g_clear_pointer (&hello->supported_versions, g_ptr_array_unref);
  g_clear_pointer (&hello->cipher_suites, g_ptr_array_unref);
  g_free (hello->sni);
  g_free (hello);
}

/* ------------------------------------------------------------------------------------------ */
/* Server credentials                                                                          */
/* ------------------------------------------------------------------------------------------ */

struct _DmdTlsServerCreds {
  gint                              ref_count;
  gnutls_certificate_credentials_t  creds;
  char                             *sha256;
};

DmdTlsServerCreds *
dmd_tls_server_creds_new_from_files (const char  *cert_file,
                                     const char  *key_file,
                                     GError     **error)
{
  g_autoptr(DmdTlsServerCreds) self = NULL;
  gnutls_x509_crt_t *certs = NULL;
  unsigned int n_certs = 0;
  int ret;

  g_return_val_if_fail (cert_file != NULL, NULL);
  g_return_val_if_fail (key_file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (DmdTlsServerCreds, 1);
  self->ref_count = 1;
  if (gnutls_certificate_allocate_credentials (&self->creds) < 0)
    {
      g_set_error_literal (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS,
                           _("Could not set up TLS"));
      return NULL;
    }

  ret = gnutls_certificate_set_x509_key_file (self->creds, cert_file, key_file,
                                              GNUTLS_X509_FMT_PEM);
  if (ret < 0)
    {
      /* Translators: the first %s is a file name, the second GnuTLS's reason. */
      g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS,
                   _("Could not load the certificate %s and its key: %s"), cert_file,
                   gnutls_strerror (ret));
      return NULL;
    }
  /* Old devices may only know DHE-RSA key exchange. */
  gnutls_certificate_set_known_dh_params (self->creds, GNUTLS_SEC_PARAM_MEDIUM);

  if (gnutls_certificate_get_x509_crt (self->creds, 0, &certs, &n_certs) >= 0 && n_certs > 0)
    {
      gnutls_datum_t der = { NULL, 0 };

      if (gnutls_x509_crt_export2 (certs[0], GNUTLS_X509_FMT_DER, &der) >= 0)
        {
          guint8 digest[32];
          size_t size = sizeof digest;

          if (gnutls_fingerprint (GNUTLS_DIG_SHA256, &der, digest, &size) >= 0)
            self->sha256 = colon_hex (digest, size);
          gnutls_free (der.data);
        }
      for (unsigned int i = 0; i < n_certs; i++)
        gnutls_x509_crt_deinit (certs[i]);
      gnutls_free (certs);
    }

  return g_steal_pointer (&self);
}

DmdTlsServerCreds *
dmd_tls_server_creds_ref (DmdTlsServerCreds *creds)
{
  g_return_val_if_fail (creds != NULL, NULL);

  g_atomic_int_inc (&creds->ref_count);
  return creds;
}

void
dmd_tls_server_creds_unref (DmdTlsServerCreds *creds)
{
  if (creds == NULL || !g_atomic_int_dec_and_test (&creds->ref_count))
    return;
  if (creds->creds != NULL)
    gnutls_certificate_free_credentials (creds->creds);
  g_free (creds->sha256);
  g_free (creds);
}

const char *
dmd_tls_server_creds_get_sha256 (DmdTlsServerCreds *creds)
{
  g_return_val_if_fail (creds != NULL, NULL);

  return creds->sha256;
}

gnutls_certificate_credentials_t
dmd_tls_server_creds_get_gnutls (DmdTlsServerCreds *creds)
{
  g_return_val_if_fail (creds != NULL, NULL);

  return creds->creds;
}

/* ------------------------------------------------------------------------------------------ */
/* Client certificates                                                                         */
/* ------------------------------------------------------------------------------------------ */

#define MAX_CLIENT_CHAIN 16

struct _DmdTlsClientCert {
  gint              ref_count;
  gnutls_pcert_st  *pcerts;
  unsigned int      n_pcerts;
  gnutls_privkey_t  key;
  DmdCertInfo      *info;
};

/* A file name for a message: escaped (valid UTF-8, no control characters). */
static char *
shown_path (const char *path)
{
  return dmd_escape_bytes ((const guint8 *) path, strlen (path));
}

static void
wipe_free (guint8 *data,
           gsize   len)
{
  if (data == NULL)
    return;
  explicit_bzero (data, len);
  g_free (data);
}

/* Read a small regular file whole (NUL-terminated), refusing anything larger than `max`.
 * `is_key` only picks the messages' wording. */
static guint8 *
read_small_file (const char  *path,
                 gsize        max,
                 gboolean     is_key,
                 gsize       *len,
                 GError     **error)
{
  g_autofree char *what = shown_path (path);
  guint8 *data;
  GStatBuf st;
  gsize got = 0;
  int fd;

  fd = g_open (path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ENOENT || saved == ENOTDIR)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     is_key ? _("The client key file “%s” does not exist.")
                            : _("The client certificate file “%s” does not exist."), what);
      else
        /* Translators: the first %s is a file name, the second the system's reason. */
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     is_key ? _("The client key file “%s” cannot be read: %s")
                            : _("The client certificate file “%s” cannot be read: %s"),
                     what, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   is_key ? _("The client key file “%s” is not a file.")
                          : _("The client certificate file “%s” is not a file."), what);
      close (fd);
      return NULL;
    }
  if (st.st_size < 0 || (guint64) st.st_size > max)
    {
      /* Translators: %s is a file name, %u a size in KiB. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   is_key ? _("The client key file “%s” is larger than %u KiB: it is not a key.")
                          : _("The client certificate file “%s” is larger than %u KiB: it is not a certificate."),
                   what, (guint) (max / 1024));
      close (fd);
      return NULL;
    }

  /* The size may change under us: never read more than max. */
  data = g_malloc (max + 1);
  for (;;)
    {
      gssize n = read (fd, data + got, max + 1 - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       is_key ? _("The client key file “%s” cannot be read: %s")
                              : _("The client certificate file “%s” cannot be read: %s"),
                       what, g_strerror (saved));
          close (fd);
          wipe_free (data, max + 1);
          return NULL;
        }
      if (n == 0 || got + (gsize) n > max)
        {
          got += (gsize) n;
          break;
        }
      got += (gsize) n;
    }
  close (fd);
  if (got > max)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   is_key ? _("The client key file “%s” is larger than %u KiB: it is not a key.")
                          : _("The client certificate file “%s” is larger than %u KiB: it is not a certificate."),
                   what, (guint) (max / 1024));
      wipe_free (data, max + 1);
      return NULL;
    }
  data[got] = '\0';
  *len = got;
  return data;
}

static gboolean
same_public_key (gnutls_pubkey_t  a,
                 gnutls_pubkey_t  b)
{
  guint8 id_a[64], id_b[64];
  size_t len_a = sizeof id_a, len_b = sizeof id_b;

  return gnutls_pubkey_get_key_id (a, GNUTLS_KEYID_USE_SHA256, id_a, &len_a) >= 0 &&
         gnutls_pubkey_get_key_id (b, GNUTLS_KEYID_USE_SHA256, id_b, &len_b) >= 0 &&
         len_a == len_b && memcmp (id_a, id_b, len_a) == 0;
}

static void
client_cert_free (DmdTlsClientCert *cert)
{
  for (unsigned int i = 0; i < cert->n_pcerts; i++)
    gnutls_pcert_deinit (&cert->pcerts[i]);
  g_free (cert->pcerts);
  if (cert->key != NULL)
    gnutls_privkey_deinit (cert->key);
  g_clear_pointer (&cert->info, dmd_cert_info_free);
  g_free (cert);
}

static gboolean
load_client_certs (DmdTlsClientCert  *self,
                   const char        *cert_file,
                   GError           **error)
{
  g_autofree char *what = shown_path (cert_file);
  gnutls_x509_crt_t *crts = NULL;
  unsigned int n_crts = 0;
  unsigned int n_all;
  gnutls_datum_t datum;
  gnutls_datum_t der = { NULL, 0 };
  guint8 *pem;
  gsize len = 0;
  int ret;

  pem = read_small_file (cert_file, DMD_TLS_CLIENT_CERT_MAX_FILE, FALSE, &len, error);
  if (pem == NULL)
    return FALSE;
  if (strstr ((const char *) pem, "-----BEGIN CERTIFICATE-----") == NULL &&
      strstr ((const char *) pem, "-----BEGIN X509 CERTIFICATE-----") == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The client certificate file “%s” holds no certificate in PEM form "
                     "(“-----BEGIN CERTIFICATE-----”)."), what);
      g_free (pem);
      return FALSE;
    }
  datum.data = pem;
  datum.size = (unsigned int) len;
  ret = gnutls_x509_crt_list_import2 (&crts, &n_crts, &datum, GNUTLS_X509_FMT_PEM, 0);
  g_free (pem);
  if (ret < 0 || n_crts == 0)
    {
      gnutls_free (crts);
      /* Translators: the first %s is a file name, the second GnuTLS's reason. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The client certificate file “%s” could not be read as a certificate: %s"),
                   what, ret < 0 ? gnutls_strerror (ret) : _("no certificate in the file"));
      return FALSE;
    }

  n_all = n_crts;
  n_crts = MIN (n_crts, MAX_CLIENT_CHAIN);
  self->pcerts = g_new0 (gnutls_pcert_st, n_crts);
  for (unsigned int i = 0; i < n_crts; i++)
    {
      if (gnutls_pcert_import_x509 (&self->pcerts[i], crts[i], 0) < 0)
        break;
      self->n_pcerts++;
    }
  if (self->n_pcerts > 0 && gnutls_x509_crt_export2 (crts[0], GNUTLS_X509_FMT_DER, &der) >= 0)
    {
      self->info = dmd_tls_cert_info_from_der (der.data, der.size);
      gnutls_free (der.data);
    }
  for (unsigned int i = 0; i < n_all; i++)
    gnutls_x509_crt_deinit (crts[i]);
  gnutls_free (crts);

  if (self->n_pcerts == 0 || self->info == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The client certificate file “%s” could not be read as a certificate: %s"),
                   what, _("no certificate in the file"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_client_key (DmdTlsClientCert  *self,
                 const char        *key_file,
                 GError           **error)
{
  g_autofree char *what = shown_path (key_file);
  gnutls_datum_t datum;
  guint8 *pem;
  gsize len = 0;
  int ret;

  pem = read_small_file (key_file, DMD_TLS_CLIENT_CERT_MAX_FILE, TRUE, &len, error);
  if (pem == NULL)
    return FALSE;
  if (strstr ((const char *) pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL ||
      strstr ((const char *) pem, "Proc-Type: 4,ENCRYPTED") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The client key in “%s” is protected by a passphrase: export a copy "
                     "without one for this test (and delete it afterwards)."), what);
      wipe_free (pem, len + 1);
      return FALSE;
    }
  if (strstr ((const char *) pem, "PRIVATE KEY-----") == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The client key file “%s” holds no private key in PEM form "
                     "(“-----BEGIN PRIVATE KEY-----”)."), what);
      wipe_free (pem, len + 1);
      return FALSE;
    }

  datum.data = pem;
  datum.size = (unsigned int) len;
  ret = gnutls_privkey_init (&self->key);
  if (ret >= 0)
    ret = gnutls_privkey_import_x509_raw (self->key, &datum, GNUTLS_X509_FMT_PEM, NULL, 0);
  wipe_free (pem, len + 1);
  if (ret < 0)
    {
      /* Translators: the first %s is a file name, the second GnuTLS's reason. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The client key file “%s” could not be read as a private key: %s"),
                   what, gnutls_strerror (ret));
      return FALSE;
    }
  return TRUE;
}

DmdTlsClientCert *
dmd_tls_client_cert_new_from_files (const char  *cert_file,
                                    const char  *key_file,
                                    GError     **error)
{
  DmdTlsClientCert *self;
  gnutls_pubkey_t pub = NULL;
  gboolean match;

  g_return_val_if_fail (cert_file != NULL, NULL);
  g_return_val_if_fail (key_file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (DmdTlsClientCert, 1);
  self->ref_count = 1;
  if (!load_client_certs (self, cert_file, error) || !load_client_key (self, key_file, error))
    {
      client_cert_free (self);
      return NULL;
    }

  match = gnutls_pubkey_init (&pub) >= 0 &&
          gnutls_pubkey_import_privkey (pub, self->key, 0, 0) >= 0 &&
          same_public_key (pub, self->pcerts[0].pubkey);
  if (pub != NULL)
    gnutls_pubkey_deinit (pub);
  if (!match)
    {
      g_autofree char *key_what = shown_path (key_file);
      g_autofree char *cert_what = shown_path (cert_file);

      /* Translators: the first %s is the key file, the second the certificate file. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The key in “%s” does not belong to the certificate in “%s”."),
                   key_what, cert_what);
      client_cert_free (self);
      return NULL;
    }
  return self;
}

DmdTlsClientCert *
dmd_tls_client_cert_ref (DmdTlsClientCert *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);

  g_atomic_int_inc (&cert->ref_count);
  return cert;
}

void
dmd_tls_client_cert_unref (DmdTlsClientCert *cert)
{
  if (cert == NULL || !g_atomic_int_dec_and_test (&cert->ref_count))
    return;
  client_cert_free (cert);
}

const DmdCertInfo *
dmd_tls_client_cert_get_info (DmdTlsClientCert *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);

  return cert->info;
}

void
_dmd_tls_client_cert_get_gnutls (DmdTlsClientCert  *cert,
                                 gnutls_pcert_st  **pcert,
                                 unsigned int      *n_pcert,
                                 gnutls_privkey_t  *privkey)
{
  *pcert = cert->pcerts;
  *n_pcert = cert->n_pcerts;
  *privkey = cert->key;
}

/* ------------------------------------------------------------------------------------------ */
/* The CA file                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* Reads at most DMD_TLS_CA_FILE_MAX bytes (never a whole 300 MB file) and parses the PEM
 * certificates in it; *certs (may be NULL) gets them, else they are freed. */
static gboolean
read_ca_file (const char         *path,
              gnutls_x509_crt_t **certs,
              unsigned int       *n_certs,
              GError            **error)
{
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *data = NULL;
  gnutls_x509_crt_t *list = NULL;
  unsigned int n = 0;
  gnutls_datum_t datum;
  gsize len = 0;
  int fd, ret;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved = errno;

      /* Translators: the first %s is a file name, the second the system's reason. */
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("The CA file “%s” cannot be read: %s"), name, g_strerror (saved));
      return FALSE;
    }
  data = g_malloc (DMD_TLS_CA_FILE_MAX + 2);
  while (len <= DMD_TLS_CA_FILE_MAX)
    {
      gssize got = read (fd, data + len, DMD_TLS_CA_FILE_MAX + 1 - len);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved = errno;

          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("The CA file “%s” cannot be read: %s"), name, g_strerror (saved));
          return FALSE;
        }
      if (got == 0)
        break;
      len += (gsize) got;
    }
  close (fd);
  if (len > DMD_TLS_CA_FILE_MAX)
    {
      /* Translators: %s is a file name, %u a size in MiB. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("The CA file “%s” is larger than %u MiB: give a file with only the "
                     "certificate authorities to trust (PEM)."),
                   name, (guint) (DMD_TLS_CA_FILE_MAX / (1024 * 1024)));
      return FALSE;
    }
  data[len] = '\0';

  datum.data = (unsigned char *) data;
  datum.size = (unsigned int) len;
  ret = len > 0 ? gnutls_x509_crt_list_import2 (&list, &n, &datum, GNUTLS_X509_FMT_PEM, 0)
                : GNUTLS_E_NO_CERTIFICATE_FOUND;
  if (ret < 0 || n == 0)
    {
      /* Translators: %s is a file name. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The CA file “%s” holds no certificate: it must contain certificates in "
                     "PEM form (“-----BEGIN CERTIFICATE-----”)."), name);
      return FALSE;
    }
  if (certs != NULL)
    *certs = list;
  else
    {
      for (unsigned int i = 0; i < n; i++)
        gnutls_x509_crt_deinit (list[i]);
      gnutls_free (list);
    }
  *n_certs = n;
  return TRUE;
}

gboolean
dmd_tls_ca_file_check (const char  *path,
                       guint       *n_certs,
                       GError     **error)
{
  unsigned int n = 0;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!read_ca_file (path, NULL, &n, error))
    return FALSE;
  if (n_certs != NULL)
    *n_certs = n;
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Shared client credentials                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* Loading the system store takes ~15 ms (over 300 ms under AddressSanitizer), and the version
 * probes start five handshakes at once: load each trust set once. Keyed by the CA file's
 * path, size and modification time, so an edited file is read again. */
static GMutex      client_creds_lock;
static GHashTable *client_creds_cache;  /* key → gnutls_certificate_credentials_t */

static char *
ca_file_key (const char *ca_file)
{
  GStatBuf st;

  if (ca_file == NULL)
    return g_strdup ("");
  if (g_stat (ca_file, &st) != 0)
    return g_strdup_printf ("%s\n?", ca_file);
  return g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT, ca_file,
                          (gint64) st.st_size, (gint64) st.st_mtime);
}

gnutls_certificate_credentials_t
_dmd_tls_client_creds (const char  *ca_file,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&client_creds_lock);
  g_autofree char *key = ca_file_key (ca_file);
  gnutls_certificate_credentials_t creds;
  int ret;

  if (client_creds_cache == NULL)
    client_creds_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  creds = g_hash_table_lookup (client_creds_cache, key);
  if (creds != NULL)
    return creds;

  if (gnutls_certificate_allocate_credentials (&creds) < 0)
    {
      g_set_error_literal (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS, _("Could not set up TLS"));
      return NULL;
    }
  /* A client certificate, when a connection has one, is chosen per session. */
  gnutls_certificate_set_retrieve_function2 (creds, _dmd_conn_retrieve_client_cert);
  ret = gnutls_certificate_set_x509_system_trust (creds);
  if (ret < 0)
    g_debug ("tls: no system trust store: %s", gnutls_strerror (ret));
  if (ca_file != NULL)
    {
      gnutls_x509_crt_t *certs = NULL;
      unsigned int n = 0;

      g_autoptr(GError) read_error = NULL;

      if (!read_ca_file (ca_file, &certs, &n, &read_error))
        {
          g_set_error_literal (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS, read_error->message);
          gnutls_certificate_free_credentials (creds);
          return NULL;
        }
      ret = gnutls_certificate_set_x509_trust (creds, certs, (int) n);
      for (unsigned int i = 0; i < n; i++)
        gnutls_x509_crt_deinit (certs[i]);
      gnutls_free (certs);
      if (ret <= 0)
        {
          /* Translators: the first %s is a file name, the second GnuTLS's reason. */
          g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS,
                       _("Could not load certificate authorities from %s: %s"), ca_file,
                       ret == 0 ? _("no certificate in the file") : gnutls_strerror (ret));
          gnutls_certificate_free_credentials (creds);
          return NULL;
        }
    }

  g_hash_table_insert (client_creds_cache, g_steal_pointer (&key), creds);
  return creds;
}
