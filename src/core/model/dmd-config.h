/* dmd-config.h — what the device is set to, and its validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <gio/gio.h>

#include "dmd-enums.h"
#include "dmd-options.h"
#include "dmd-result.h"

G_BEGIN_DECLS

/* One --connect-to mapping: HOST:PORT:ADDR:PORT (as curl). An empty HOST or PORT matches any. */
typedef struct {
  char    *host;
  guint16  port;        /* 0 = any */
  char    *to_addr;     /* host name or address to connect to instead */
  guint16  to_port;     /* 0 = same port */
} DmdConnectTo;

typedef struct {
  DmdOption     option;
  char         *server;            /* NULL/"" = default for the option */
  guint16       port;              /* 0 = default for the option */
  DmdSecurity   security;
  char         *username;
  char         *password;          /* secret: wiped on free, never written anywhere */
  char         *oauth_token;       /* secret: likewise */
  DmdAuthMethod auth_method;       /* how to sign in (default: the password, or the token) */
  char         *tenant;            /* OAuth: the organization's domain or its tenant id */
  char         *client_id;         /* OAuth: the app registration's application (client) id */
  char         *client_secret;     /* OAuth app-only: secret, wiped on free, never written */
  char         *from;
  char         *to;
  char         *domain;
  char         *connector_ip;      /* the IP the user says is on the relay connector */
  guint         server_field_length; /* 0 = unknown */
  gboolean      send;              /* send a real test message */
  gboolean      allow_insecure_auth;
  DmdIpVersion  ip_version;
  guint         timeout_seconds;   /* per network step, 1..300, default 10 */
  char         *ca_file;           /* extra trust anchors (PEM) */
  char         *client_cert_file;  /* client certificate to present (PEM), with */
  char         *client_key_file;   /* its private key (PEM); both or neither. Paths only:
                                    * the key is read when the checks run, never stored */
  gboolean      connector_trusts_certificate; /* relay: the user says the connector
                                    * recognizes the device by its certificate */
  GPtrArray    *connect_to;        /* DmdConnectTo*, owned (frees its elements); never NULL
                                    * after dmd_device_config_new() */
  GDateTime    *today;             /* "now" for date-dependent findings; NULL = real clock */
} DmdDeviceConfig;

/* Which field a validation error or a finding is about (for the wizard to put it under the
 * right row; dmd_catalog_finding_field() gives a finding's). */
typedef enum {
  DMD_FIELD_SERVER,
  DMD_FIELD_PORT,
  DMD_FIELD_USERNAME,
  DMD_FIELD_PASSWORD,
  DMD_FIELD_FROM,
  DMD_FIELD_TO,
  DMD_FIELD_DOMAIN,
  DMD_FIELD_CONNECTOR_IP,
  DMD_FIELD_CA_FILE,
  DMD_FIELD_CONNECT_TO,
  DMD_FIELD_TIMEOUT,
  DMD_FIELD_CLIENT_CERT,   /* the client certificate and its key */
  DMD_FIELD_SECURITY,      /* findings only: the connection security */
  DMD_FIELD_SERVER_FIELD_LENGTH, /* findings only: the length of the device's server field */
  DMD_FIELD_TENANT,        /* OAuth: the tenant */
  DMD_FIELD_CLIENT_ID,     /* OAuth: the application (client) id */
  DMD_FIELD_CLIENT_SECRET, /* OAuth app-only: the client secret */
  DMD_N_FIELDS
} DmdField;

typedef struct {
  DmdField  field;
  char     *message;  /* translated */
} DmdFieldError;

DmdDeviceConfig *dmd_device_config_new            (DmdOption               option);
DmdDeviceConfig *dmd_device_config_copy           (const DmdDeviceConfig  *config);
void             dmd_device_config_free           (DmdDeviceConfig        *config);
void             dmd_device_config_set_password   (DmdDeviceConfig        *config,
                                                   const char             *password);
void             dmd_device_config_set_oauth_token(DmdDeviceConfig        *config,
                                                   const char             *token);
void             dmd_device_config_set_client_secret (DmdDeviceConfig     *config,
                                                      const char          *secret);

/* dmd_device_config_new: the option's default security (dmd-options.h), IPv4, timeout 10 s,
 * no server (the option's default server, or the domain's MX) and port 0 (its default).
 * dmd_device_config_free wipes the password and token memory before freeing it;
 * set_password/set_oauth_token copy the secret (NULL clears) and wipe the old one. */

/* The effective values (defaults applied): get_server is NULL for an MX option without a
 * server (the domain's MX must be looked up). get_auth_mech: XOAUTH2 with a token, LOGIN
 * with a password or user name (Exchange Online does not offer PLAIN), NONE otherwise and
 * for an option that does not sign in. */
const char      *dmd_device_config_get_server     (const DmdDeviceConfig  *config);
guint16          dmd_device_config_get_port       (const DmdDeviceConfig  *config);
guint16          dmd_device_config_default_port   (DmdOption               option);
DmdAuthMech      dmd_device_config_get_auth_mech  (const DmdDeviceConfig  *config);
/* TRUE when the checkup first gets a token from the Microsoft identity platform (SMTP AUTH
 * with auth_method oauth-device or oauth-app), then signs in with it (XOAUTH2). */
gboolean         dmd_device_config_gets_token     (const DmdDeviceConfig  *config);
/* The report's settings.auth_method: "oauth-device" / "oauth-app" when the token is fetched,
 * else the mechanism ("login", "xoauth2", "none", …). */
const char      *dmd_device_config_auth_method_name (const DmdDeviceConfig *config);
/* An application (client) id: a GUID, 8-4-4-4-12 hexadecimal digits (surrounding blanks
 * allowed). */
gboolean         dmd_client_id_is_valid           (const char             *text);

/* Validates every field; returns a GPtrArray of DmdFieldError* (empty when valid), in field
 * order, with a free func. Syntax and consistency only: what is valid but unwise (an IP
 * literal as server, port 465, From ≠ login…) is a pre-flight finding of the catalog. */
GPtrArray       *dmd_device_config_validate       (const DmdDeviceConfig  *config);
void             dmd_field_error_free             (DmdFieldError          *error);

/* Errors of dmd_connect_to_parse, dmd_host_to_ascii, dmd_address_validate, dmd_port_parse;
 * messages are translated and quote the (escaped) input. */
typedef enum {
  DMD_CONFIG_ERROR_INVALID_HOST,
  DMD_CONFIG_ERROR_INVALID_ADDRESS,
  DMD_CONFIG_ERROR_INVALID_PORT,
  DMD_CONFIG_ERROR_INVALID_CONNECT_TO,
} DmdConfigError;
#define DMD_CONFIG_ERROR (dmd_config_error_quark ())
GQuark           dmd_config_error_quark           (void);

/* Parse "HOST:PORT:ADDR:PORT" (IPv6 in brackets). As curl: an empty HOST or first PORT
 * matches any (host NULL, port 0), an empty ADDR means the same host (to_addr NULL), an empty
 * last PORT the same port (to_port 0). Host names are stored in their ASCII (A-label) form,
 * IP addresses in canonical form without brackets. */
DmdConnectTo    *dmd_connect_to_parse             (const char             *spec,
                                                   GError                **error);
void             dmd_connect_to_free              (DmdConnectTo           *ct);
/* Apply the mappings to host:port; returns TRUE and fills out_* when one matched (the first
 * that matches wins, as in curl). *out_host is newly allocated, *out_port is the effective
 * port (the original one when the mapping leaves it empty). Host names match
 * case-insensitively, with or without a trailing dot, U-label or A-label; IP addresses by
 * value. */
gboolean         dmd_device_config_map_connect_to (const DmdDeviceConfig  *config,
                                                   const char             *host,
                                                   guint16                 port,
                                                   char                  **out_host,
                                                   guint16                *out_port);

/* Host name checks. Converts an IDN (U-label) name to its ASCII (A-label) form; returns NULL
 * and sets a translated error when the name is not a valid host name. Surrounding white space
 * and a trailing dot are dropped, the result is lower case; UTS #46 mapping applies (full-width
 * letters and the ideographic full stop "。" become ASCII). IP literals (IPv6 also in
 * brackets) are accepted and returned in canonical form without brackets. */
char            *dmd_host_to_ascii                (const char             *host,
                                                   GError                **error);
/* IPv4 or IPv6 address, IPv6 also in brackets ("[2001:db8::1]"); white space around it is
 * ignored. */
gboolean         dmd_host_is_ip_literal           (const char             *host);
/* local@domain: dot-atom or quoted local part (UTF-8 allowed: SMTPUTF8), at most 64 bytes,
 * domain a valid host name (IDN allowed; no IP literal), 254 bytes in all. *out_domain (may
 * be NULL) gets the domain in ASCII (A-label), lower case: compare domains with it. */
gboolean         dmd_address_is_valid             (const char             *address,
                                                   char                  **out_domain);
/* The same, with a translated reason. */
gboolean         dmd_address_validate             (const char             *address,
                                                   char                  **out_domain,
                                                   GError                **error);
/* A port typed by a person: 1-65535, surrounding white space allowed. */
gboolean         dmd_port_parse                   (const char             *text,
                                                   guint16                *out_port,
                                                   GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdDeviceConfig, dmd_device_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdConnectTo, dmd_connect_to_free)

G_END_DECLS
