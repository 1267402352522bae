/* dmd-host.h — which Microsoft 365 endpoint a host name is
 *
 * One classifier for every place that asks: the pre-flight checks (is the typed server the
 * SMTP AUTH endpoint, an MX endpoint, High Volume Email?), the options' "Not sure?" answers
 * and the MX lookup (is the domain's MX Microsoft's?).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DMD_HOST_OTHER,             /* none of the below (another server, an IP address, not a name) */
  DMD_HOST_SMTP_AUTH,         /* smtp.office365.com: SMTP AUTH client submission */
  DMD_HOST_SMTP_AUTH_LEGACY,  /* smtp-legacy.office365.com: SMTP AUTH for legacy TLS (opt-in) */
  DMD_HOST_HVE,               /* smtp.hve.mx.microsoft, smtp-hve.office365.com: High Volume
                               * Email (AUTH on 587; not an MX endpoint) */
  DMD_HOST_MX_LEGACY,         /* <tenant>.mail.protection.outlook.com */
  DMD_HOST_MX,                /* <tenant>.<x>-v<n>.mx.microsoft, e.g. contoso-com.o-v1.mx.microsoft
                               * (DNSSEC-signed, since 2024) */
} DmdHostKind;

/* Case-insensitive, surrounding white space and a trailing dot allowed, U-labels (IDN)
 * normalised; NULL or an invalid name is DMD_HOST_OTHER. */
DmdHostKind dmd_host_classify              (const char  *host);

/* An MX endpoint (either form): no AUTH, port 25; Direct Send and relay go there. */
gboolean    dmd_host_kind_is_mx            (DmdHostKind  kind);
/* An endpoint that takes AUTH on 587: SMTP AUTH, its legacy name, High Volume Email. */
gboolean    dmd_host_kind_is_smtp_auth     (DmdHostKind  kind);

/* dmd_host_kind_is_smtp_auth / _is_mx of dmd_host_classify (host). */
gboolean    dmd_host_is_smtp_auth_endpoint (const char  *host);
gboolean    dmd_host_is_mx_endpoint        (const char  *host);
/* dmd_host_classify (host) == DMD_HOST_HVE */
gboolean    dmd_host_is_hve_endpoint       (const char  *host);
/* Any of the above, or a name under office365.com, outlook.com, microsoft.com, office.com,
 * office365.us, partner.outlook.cn or the .microsoft top-level domain. */
gboolean    dmd_host_is_microsoft          (const char  *host);

G_END_DECLS
