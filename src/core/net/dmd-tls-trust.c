/* dmd-tls-trust.c — whom a client trusts: the CA file (read with bounds and checked) and
 * the client credentials built from the system store plus that file, shared by every
 * connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/x509.h>

#include "dmd-conn.h"
#include "dmd-tls.h"
#include "dmd-tls-private.h"

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
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&client_creds_lock);
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
