/* dmd-tls.c — priority strings and version names, ClientHello parsing and server
 * credentials. What a handshake tells (DmdTlsInfo, certificate facts, the verdict in words)
 * is in dmd-tls-info.c, client certificates in dmd-tls-client-cert.c, the CA file and the
 * shared client credentials in dmd-tls-trust.c; the handshakes live in dmd-conn-tls.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/x509.h>

#include "dmd-conn.h"
#include "dmd-reply.h"
#include "dmd-tls.h"
#include "dmd-tls-private.h"

/* Bounds on what a hostile peer can make us keep. */
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
            self->sha256 = _dmd_tls_colon_hex (digest, size);
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
