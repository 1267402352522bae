/* dmd-config.h — what the device is set to, and its validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "dmd-enums.h"
#include "dmd-result.h"

G_BEGIN_DECLS

#define DMD_DEFAULT_SMTP_AUTH_SERVER "smtp.office365.com"

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
  char         *from;
  char         *to;
  char         *domain;
  char         *connector_ip;      /* the IP the user says is on the relay connector */
  guint         server_field_length; /* 0 = unknown */
  gboolean      send;              /* send a real test message */
  gboolean      allow_insecure_auth;
  DmdIpVersion  ip_version;
  guint         timeout_seconds;   /* per network step */
  char         *ca_file;           /* extra trust anchors (PEM) */
  GPtrArray    *connect_to;        /* DmdConnectTo* */
  GDateTime    *today;             /* "now" for date-dependent findings; NULL = real clock */
} DmdDeviceConfig;

/* Which field a validation error is about (for the wizard to put it under the right row). */
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

/* The effective values (defaults applied). */
const char      *dmd_device_config_get_server     (const DmdDeviceConfig  *config);
guint16          dmd_device_config_get_port       (const DmdDeviceConfig  *config);
guint16          dmd_device_config_default_port   (DmdOption               option);
DmdAuthMech      dmd_device_config_get_auth_mech  (const DmdDeviceConfig  *config);

/* Validates every field; returns a GPtrArray of DmdFieldError* (empty when valid). */
GPtrArray       *dmd_device_config_validate       (const DmdDeviceConfig  *config);
void             dmd_field_error_free             (DmdFieldError          *error);

/* Parse "HOST:PORT:ADDR:PORT" (IPv6 in brackets). */
DmdConnectTo    *dmd_connect_to_parse             (const char             *spec,
                                                   GError                **error);
void             dmd_connect_to_free              (DmdConnectTo           *ct);
/* Apply the mappings to host:port; returns TRUE and fills out_* when one matched. */
gboolean         dmd_device_config_map_connect_to (const DmdDeviceConfig  *config,
                                                   const char             *host,
                                                   guint16                 port,
                                                   char                  **out_host,
                                                   guint16                *out_port);

/* Host name checks. Converts an IDN (U-label) name to its ASCII (A-label) form; returns NULL
 * and sets a translated error when the name is not a valid host name. */
char            *dmd_host_to_ascii                (const char             *host,
                                                   GError                **error);
gboolean         dmd_host_is_ip_literal           (const char             *host);
gboolean         dmd_address_is_valid             (const char             *address,
                                                   char                  **out_domain);

/* Known Microsoft endpoints. */
gboolean         dmd_host_is_smtp_auth_endpoint   (const char             *host); /* smtp.office365.com, legacy, hve */
gboolean         dmd_host_is_mx_endpoint          (const char             *host); /* *.mail.protection.outlook.com, *.X-v1.mx.microsoft */
gboolean         dmd_host_is_microsoft            (const char             *host);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdDeviceConfig, dmd_device_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdConnectTo, dmd_connect_to_free)

G_END_DECLS
