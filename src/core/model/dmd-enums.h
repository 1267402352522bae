/* dmd-enums.h — shared enumerations of the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* The Microsoft 365 sending options; what each one is lives in its row of dmd-options.c. */
typedef enum {
  DMD_OPTION_SMTP_AUTH,
  DMD_OPTION_DIRECT_SEND,
  DMD_OPTION_RELAY,
  DMD_OPTION_HVE,
  DMD_N_OPTIONS,
} DmdOption;

typedef enum {
  DMD_SECURITY_STARTTLS,
  DMD_SECURITY_NONE,
  DMD_SECURITY_IMPLICIT_TLS,
} DmdSecurity;

/* The SMTP dialogue step a reply (or a failure) belongs to. */
typedef enum {
  DMD_STEP_ANY,
  DMD_STEP_CONNECT,
  DMD_STEP_BANNER,
  DMD_STEP_EHLO,
  DMD_STEP_STARTTLS,
  DMD_STEP_AUTH,
  DMD_STEP_MAIL,
  DMD_STEP_RCPT,
  DMD_STEP_DATA,
  DMD_STEP_QUIT,
} DmdStep;

typedef enum {
  DMD_AUTH_NONE,
  DMD_AUTH_LOGIN,
  DMD_AUTH_PLAIN,
  DMD_AUTH_XOAUTH2,
} DmdAuthMech;

/* How the tool signs in for SMTP AUTH (--auth): with the password typed (or a token given:
 * OAUTH_TOKEN), or with a token it gets from the Microsoft identity platform first — by the
 * device code flow (a person signs in; delegated) or by client credentials (the application
 * itself; app-only). The last two sign in with XOAUTH2. */
typedef enum {
  DMD_AUTH_METHOD_PASSWORD,
  DMD_AUTH_METHOD_OAUTH_DEVICE,
  DMD_AUTH_METHOD_OAUTH_APP,
  DMD_AUTH_METHOD_OAUTH_TOKEN,
} DmdAuthMethod;

typedef enum {
  DMD_SEVERITY_INFO,
  DMD_SEVERITY_WARNING,
  DMD_SEVERITY_ERROR,
} DmdSeverity;

typedef enum {
  DMD_CHECK_PENDING,
  DMD_CHECK_RUNNING,
  DMD_CHECK_PASS,
  DMD_CHECK_WARN,
  DMD_CHECK_FAIL,
  DMD_CHECK_SKIP,
} DmdCheckStatus;

typedef enum {
  DMD_IP_VERSION_4,
  DMD_IP_VERSION_6,
  DMD_IP_VERSION_ANY,
} DmdIpVersion;

/* The outcome of a run, from its checks and findings together (dmd_result_get_verdict()). */
typedef enum {
  DMD_VERDICT_PASS,   /* every check passed (or was skipped on purpose), nothing to warn of */
  DMD_VERDICT_WARN,   /* it works, and a warning stands (or the run did not finish) */
  DMD_VERDICT_FAIL,   /* a check failed, or an error stands: mail does not flow */
  DMD_VERDICT_RETRY,  /* a check failed only on a temporary (4xx) refusal: try again later */
} DmdVerdict;

/* Who has to act on a fix step. */
typedef enum {
  DMD_AUDIENCE_TECHNICIAN,
  DMD_AUDIENCE_ADMIN,
  DMD_AUDIENCE_ANYONE,
} DmdAudience;

/* Machine names (the JSON/CLI contract), and back. The options' names: dmd-options.h. */
const char *dmd_security_to_string     (DmdSecurity     security);
gboolean    dmd_security_from_string   (const char     *str,
                                        DmdSecurity    *out);
const char *dmd_step_to_string         (DmdStep         step);
gboolean    dmd_step_from_string       (const char     *str,
                                        DmdStep        *out);
const char *dmd_auth_mech_to_string    (DmdAuthMech     mech);
const char *dmd_auth_method_to_string  (DmdAuthMethod   method);   /* "password", "oauth-device", … */
gboolean    dmd_auth_method_from_string (const char    *str,
                                         DmdAuthMethod *out);
const char *dmd_severity_to_string     (DmdSeverity     severity);
const char *dmd_check_status_to_string (DmdCheckStatus  status);
const char *dmd_ip_version_to_string   (DmdIpVersion    version);
gboolean    dmd_ip_version_from_string (const char     *str,
                                        DmdIpVersion   *out);
const char *dmd_audience_to_string     (DmdAudience     audience);
const char *dmd_verdict_to_string      (DmdVerdict      verdict);

G_END_DECLS
