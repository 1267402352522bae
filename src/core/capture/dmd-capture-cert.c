/* dmd-capture-cert.c — the capture listener's certificate, and this computer's addresses
 *
 * The certificate is made on first use with GnuTLS (RSA 2048, which every device that does
 * TLS at all can use; self-signed; CN = this computer's name; SANs = its names and
 * addresses) and kept in the user's data directory, so that a device which imported it once
 * trusts it the next time too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "dmd-capture.h"

#define CERT_FILE "capture-cert.pem"
#define KEY_FILE "capture-key.pem"
#define VALID_DAYS 825          /* what clients that limit validity still accept */
#define RENEW_DAYS 30           /* make a new one when fewer days are left */

/* ------------------------------------------------------------------------------------------ */
/* Addresses                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static gboolean
usable_address (GInetAddress *addr)
{
  return !g_inet_address_get_is_loopback (addr) && !g_inet_address_get_is_link_local (addr) &&
         !g_inet_address_get_is_any (addr) && !g_inet_address_get_is_multicast (addr);
}

static void
add_unique (GPtrArray  *array,
            const char *text)
{
  for (guint i = 0; i < array->len; i++)
    if (g_str_equal (g_ptr_array_index (array, i), text))
      return;
  g_ptr_array_add (array, g_strdup (text));
}

GPtrArray *
dmd_capture_local_addresses (void)
{
  GPtrArray *v4 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) v6 = g_ptr_array_new_with_free_func (g_free);
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    {
      g_debug ("capture: getifaddrs: %s", g_strerror (errno));
      return v4;
    }
  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      g_autoptr(GSocketAddress) sa = NULL;
      GInetAddress *addr;
      g_autofree char *text = NULL;
      socklen_t len;

      if (ifa->ifa_addr == NULL || (ifa->ifa_flags & IFF_UP) == 0)
        continue;
      if (ifa->ifa_addr->sa_family == AF_INET)
        len = sizeof (struct sockaddr_in);
      else if (ifa->ifa_addr->sa_family == AF_INET6)
        len = sizeof (struct sockaddr_in6);
      else
        continue;
      sa = g_socket_address_new_from_native (ifa->ifa_addr, len);
      if (sa == NULL || !G_IS_INET_SOCKET_ADDRESS (sa))
        continue;
      addr = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sa));
      if (!usable_address (addr))
        continue;
      text = g_inet_address_to_string (addr);
      add_unique (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV4 ? v4 : v6, text);
    }
  freeifaddrs (list);

  for (guint i = 0; i < v6->len; i++)
    g_ptr_array_add (v4, g_strdup (g_ptr_array_index (v6, i)));
  return v4;
}

/* ------------------------------------------------------------------------------------------ */
/* Certificate                                                                                */
/* ------------------------------------------------------------------------------------------ */

static void
set_gnutls_error (GError     **error,
                  const char  *what,
                  int          ret)
{
  /* Translators: the first %s says what failed, the second is GnuTLS's reason. */
  g_set_error (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_CERTIFICATE,
               _("Could not make the test certificate (%s): %s"), what, gnutls_strerror (ret));
}

/* TRUE when cert_path holds a certificate valid for RENEW_DAYS more days. */
static gboolean
certificate_still_good (const char *cert_path)
{
  g_autofree char *pem = NULL;
  gsize len = 0;
  gnutls_x509_crt_t crt;
  gnutls_datum_t datum;
  time_t expires;
  gboolean good = FALSE;

  if (!g_file_get_contents (cert_path, &pem, &len, NULL))
    return FALSE;
  if (gnutls_x509_crt_init (&crt) < 0)
    return FALSE;
  datum.data = (unsigned char *) pem;
  datum.size = (unsigned int) len;
  if (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM) >= 0)
    {
      expires = gnutls_x509_crt_get_expiration_time (crt);
      good = expires != (time_t) -1 &&
             (gint64) expires > g_get_real_time () / G_USEC_PER_SEC + RENEW_DAYS * 86400;
    }
  gnutls_x509_crt_deinit (crt);
  return good;
}

static int
add_ip_san (gnutls_x509_crt_t  crt,
            const char        *text)
{
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (text);

  if (addr == NULL)
    return 0;
  return gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                               g_inet_address_to_bytes (addr),
                                               (unsigned int) g_inet_address_get_native_size (addr),
                                               GNUTLS_FSAN_APPEND);
}

static int
add_dns_san (gnutls_x509_crt_t  crt,
             const char        *name)
{
  return gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, name,
                                               (unsigned int) strlen (name),
                                               GNUTLS_FSAN_APPEND);
}

/* A host name fit for a certificate (letters, digits, hyphens, dots), else "localhost". */
static char *
certificate_host_name (void)
{
  const char *host = g_get_host_name ();

  if (host == NULL || *host == '\0' || strlen (host) > 253)
    return g_strdup ("localhost");
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return g_strdup ("localhost");
  return g_ascii_strdown (host, -1);
}

static gboolean
make_certificate (const char  *cert_path,
                  const char  *key_path,
                  GError     **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t key_pem = { NULL, 0 };
  gnutls_datum_t crt_pem = { NULL, 0 };
  g_autofree char *host = certificate_host_name ();
  g_autoptr(GPtrArray) addresses = dmd_capture_local_addresses ();
  g_autofree char *org = NULL;
  guint8 serial[16];
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  time_t now = (time_t) (g_get_real_time () / G_USEC_PER_SEC);
  g_autoptr(GError) save_error = NULL;
  gboolean ok = FALSE;
  const char *what = "";
  int ret;

#define TRY(step, call) G_STMT_START { what = step; ret = (call); if (ret < 0) goto out; } G_STMT_END

  TRY ("key", gnutls_x509_privkey_init (&key));
  TRY ("key", gnutls_x509_privkey_generate (key, GNUTLS_PK_RSA, 2048, 0));
  TRY ("certificate", gnutls_x509_crt_init (&crt));
  TRY ("certificate", gnutls_x509_crt_set_version (crt, 3));
  TRY ("serial", gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial));
  serial[0] &= 0x7f;   /* a positive number */
  serial[0] |= 0x01;
  TRY ("serial", gnutls_x509_crt_set_serial (crt, serial, sizeof serial));
  TRY ("validity", gnutls_x509_crt_set_activation_time (crt, now - 86400));
  TRY ("validity", gnutls_x509_crt_set_expiration_time (crt, now + (time_t) VALID_DAYS * 86400));
  TRY ("name", gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, host,
                                              (unsigned int) strlen (host)));
  org = g_strdup ("Device Mail Doctor capture test certificate");
  TRY ("name", gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, org,
                                              (unsigned int) strlen (org)));
  TRY ("names", add_dns_san (crt, host));
  if (!g_str_equal (host, "localhost"))
    TRY ("names", add_dns_san (crt, "localhost"));
  for (guint i = 0; i < addresses->len; i++)
    TRY ("addresses", add_ip_san (crt, g_ptr_array_index (addresses, i)));
  TRY ("addresses", add_ip_san (crt, "127.0.0.1"));
  TRY ("addresses", add_ip_san (crt, "::1"));
  TRY ("key", gnutls_x509_crt_set_key (crt, key));
  TRY ("extensions", gnutls_x509_crt_set_basic_constraints (crt, 0, -1));
  TRY ("extensions", gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
                                                          GNUTLS_KEY_KEY_ENCIPHERMENT));
  TRY ("extensions", gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0));
  TRY ("extensions", gnutls_x509_crt_get_key_id (crt, 0, key_id, &key_id_size));
  TRY ("extensions", gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size));
  TRY ("signature", gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0));
  TRY ("export", gnutls_x509_privkey_export2 (key, GNUTLS_X509_FMT_PEM, &key_pem));
  TRY ("export", gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem));
#undef TRY

  /* The key first, created with mode 0600 (never readable by others, not even briefly). */
  if (!g_file_set_contents_full (key_path, (const char *) key_pem.data, key_pem.size,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &save_error) ||
      !g_file_set_contents_full (cert_path, (const char *) crt_pem.data, crt_pem.size,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &save_error))
    {
      /* Translators: %s is the system's reason, with the file name. */
      g_set_error (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_CERTIFICATE,
                   _("Could not save the test certificate: %s"), save_error->message);
      goto done;
    }
  g_debug ("capture: made a new certificate for %s in %s", host, cert_path);
  ok = TRUE;
  goto done;

out:
  set_gnutls_error (error, what, ret);
done:
  if (key_pem.data != NULL)
    {
      memset (key_pem.data, 0, key_pem.size);
      gnutls_free (key_pem.data);
    }
  gnutls_free (crt_pem.data);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return ok;
}

DmdTlsServerCreds *
dmd_capture_ensure_certificate (const char  *data_dir,
                                char       **cert_path,
                                char       **key_path,
                                GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) local_error = NULL;
  DmdTlsServerCreds *creds = NULL;

  dir = data_dir != NULL ? g_strdup (data_dir)
                         : g_build_filename (g_get_user_data_dir (), "device-mail-doctor", NULL);
  cert = g_build_filename (dir, CERT_FILE, NULL);
  key = g_build_filename (dir, KEY_FILE, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      /* Translators: the first %s is a directory, the second the system's reason. */
      g_set_error (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_CERTIFICATE,
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return NULL;
    }

  if (certificate_still_good (cert))
    {
      creds = dmd_tls_server_creds_new_from_files (cert, key, &local_error);
      if (creds == NULL)
        g_debug ("capture: the saved certificate is unusable, making a new one: %s",
                 local_error->message);
      g_clear_error (&local_error);
    }
  if (creds == NULL)
    {
      if (!make_certificate (cert, key, error))
        return NULL;
      creds = dmd_tls_server_creds_new_from_files (cert, key, &local_error);
      if (creds == NULL)
        {
          g_set_error (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_CERTIFICATE,
                       _("Could not load the test certificate: %s"), local_error->message);
          return NULL;
        }
    }

  if (cert_path != NULL)
    *cert_path = g_steal_pointer (&cert);
  if (key_path != NULL)
    *key_path = g_steal_pointer (&key);
  return creds;
}
