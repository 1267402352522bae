/* dmd-tls-client-cert.c — the client certificate and key a device presents: read from PEM
 * files with bounds, checked to belong together, handed to GnuTLS.
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
