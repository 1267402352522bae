/* dmd-tls-database.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "dmd-tls-database.h"
#include "dmd-tls-private.h"

#define MAX_CHAIN 16

struct _DmdTlsDatabase
{
  GTlsDatabase parent_instance;

  char      *ca_file;
  char      *server_name;
  GMutex     lock;            /* verification may run on GIO's threads */
  GPtrArray *chain;           /* DmdCertInfo*, of the last verification */
  char      *problem;
};

G_DEFINE_FINAL_TYPE (DmdTlsDatabase, dmd_tls_database, G_TYPE_TLS_DATABASE)

static GTlsCertificateFlags
flags_from_status (guint status)
{
  GTlsCertificateFlags flags = 0;

  if (status == 0)
    return 0;
  if (status & GNUTLS_CERT_REVOKED)
    flags |= G_TLS_CERTIFICATE_REVOKED;
  if (status & GNUTLS_CERT_EXPIRED)
    flags |= G_TLS_CERTIFICATE_EXPIRED;
  if (status & GNUTLS_CERT_NOT_ACTIVATED)
    flags |= G_TLS_CERTIFICATE_NOT_ACTIVATED;
  if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    flags |= G_TLS_CERTIFICATE_BAD_IDENTITY;
  if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
    flags |= G_TLS_CERTIFICATE_UNKNOWN_CA;
  if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
    flags |= G_TLS_CERTIFICATE_INSECURE;
  /* Whatever else made it invalid (a bad signature, a purpose it was not issued for). */
  if (flags == 0)
    flags = G_TLS_CERTIFICATE_GENERIC_ERROR;
  return flags;
}

static GTlsCertificateFlags
dmd_tls_database_verify_chain (GTlsDatabase             *database,
                               GTlsCertificate          *chain,
                               const char               *purpose,
                               GSocketConnectable       *identity,
                               GTlsInteraction          *interaction,
                               GTlsDatabaseVerifyFlags   flags,
                               GCancellable             *cancellable,
                               GError                  **error)
{
  DmdTlsDatabase *self = DMD_TLS_DATABASE (database);
  gnutls_certificate_credentials_t creds;
  gnutls_x509_trust_list_t trust = NULL;
  gnutls_x509_crt_t crts[MAX_CHAIN];
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_cert_info_free);
  g_autofree char *problem = NULL;
  unsigned int n = 0;
  unsigned int status = 0;
  GTlsCertificate *cert;
  int ret;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;
  creds = _dmd_tls_client_creds (self->ca_file, error);
  if (creds == NULL)
    return G_TLS_CERTIFICATE_GENERIC_ERROR;
  gnutls_certificate_get_trust_list (creds, &trust);

  for (cert = chain; cert != NULL && n < MAX_CHAIN; cert = g_tls_certificate_get_issuer (cert))
    {
      g_autoptr(GByteArray) der = NULL;
      gnutls_datum_t datum;

      g_object_get (cert, "certificate", &der, NULL);
      if (der == NULL || gnutls_x509_crt_init (&crts[n]) < 0)
        break;
      datum.data = der->data;
      datum.size = der->len;
      if (gnutls_x509_crt_import (crts[n], &datum, GNUTLS_X509_FMT_DER) < 0)
        {
          gnutls_x509_crt_deinit (crts[n]);
          break;
        }
      g_ptr_array_add (infos, dmd_tls_cert_info_from_der (der->data, der->len));
      if (g_ptr_array_index (infos, infos->len - 1) == NULL)
        g_ptr_array_remove_index (infos, infos->len - 1);
      n++;
    }

  if (n == 0)
    status = GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;
  else
    {
      gnutls_typed_vdata_st data[2] = {
        { GNUTLS_DT_DNS_HOSTNAME, (unsigned char *) self->server_name, 0 },
        { GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *) GNUTLS_KP_TLS_WWW_SERVER, 0 },
      };

      ret = gnutls_x509_trust_list_verify_crt2 (trust, crts, n, data, G_N_ELEMENTS (data),
                                                0, &status, NULL);
      if (ret < 0)
        status = GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;
    }
  for (unsigned int i = 0; i < n; i++)
    gnutls_x509_crt_deinit (crts[i]);

  problem = dmd_tls_describe_verify_status (status, infos, self->server_name);
  g_debug ("tls: identity platform certificate for %s: %s", self->server_name,
           status == 0 ? "verified" : "not verified");
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->chain, g_ptr_array_unref);
  self->chain = g_steal_pointer (&infos);
  g_free (self->problem);
  self->problem = g_steal_pointer (&problem);
  g_mutex_unlock (&self->lock);

  return flags_from_status (status);
}

static void
dmd_tls_database_finalize (GObject *object)
{
  DmdTlsDatabase *self = DMD_TLS_DATABASE (object);

  g_free (self->ca_file);
  g_free (self->server_name);
  g_clear_pointer (&self->chain, g_ptr_array_unref);
  g_free (self->problem);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (dmd_tls_database_parent_class)->finalize (object);
}

static void
dmd_tls_database_class_init (DmdTlsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = dmd_tls_database_finalize;
  database_class->verify_chain = dmd_tls_database_verify_chain;
}

static void
dmd_tls_database_init (DmdTlsDatabase *self)
{
  g_mutex_init (&self->lock);
}

DmdTlsDatabase *
dmd_tls_database_new (const char  *ca_file,
                      const char  *server_name,
                      GError     **error)
{
  DmdTlsDatabase *self;

  g_return_val_if_fail (server_name != NULL, NULL);

  /* Load (and cache) the trust now, so that a bad CA file is an error here. */
  if (_dmd_tls_client_creds (ca_file, error) == NULL)
    return NULL;
  self = g_object_new (DMD_TYPE_TLS_DATABASE, NULL);
  self->ca_file = g_strdup (ca_file);
  self->server_name = g_strdup (server_name);
  return self;
}

GPtrArray *
dmd_tls_database_dup_chain (DmdTlsDatabase *self)
{
  GPtrArray *chain;

  g_return_val_if_fail (DMD_IS_TLS_DATABASE (self), NULL);

  g_mutex_lock (&self->lock);
  chain = self->chain != NULL ? g_ptr_array_ref (self->chain) : NULL;
  g_mutex_unlock (&self->lock);
  return chain;
}

char *
dmd_tls_database_dup_problem (DmdTlsDatabase *self)
{
  char *problem;

  g_return_val_if_fail (DMD_IS_TLS_DATABASE (self), NULL);

  g_mutex_lock (&self->lock);
  problem = g_strdup (self->problem);
  g_mutex_unlock (&self->lock);
  return problem;
}
