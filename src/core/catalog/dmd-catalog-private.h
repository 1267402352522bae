/* dmd-catalog-private.h — shared between the catalogue's source files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include "dmd-catalog.h"

G_BEGIN_DECLS

/* Basic authentication for SMTP AUTH: off by default for existing tenants at the end of
 * December 2026 (Exchange Team blog 4489835, Jan 2026). */
#define DMD_CATALOG_BASIC_AUTH_OFF_DATE "2026-12-31"

static inline const char *
_dmd_catalog_nonempty (const char *s)
{
  return (s != NULL && *s != '\0') ? s : NULL;
}

/* The domain of an address in ASCII (A-label), lower case, as dmd_address_is_valid gives it;
 * NULL for an empty or invalid address. */
char       *_dmd_catalog_address_domain               (const char            *address);
/* The organization's domain, in the same form: config->domain, else the sender's or the
 * user's domain; NULL when none is known. */
char       *_dmd_catalog_org_domain                   (const DmdDeviceConfig *config);
char       *_dmd_catalog_fill_command                 (const char            *command,
                                                       const DmdDeviceConfig *config,
                                                       const DmdCatalogFacts *facts);
const char *_dmd_catalog_basic_auth_after_explanation (void);
/* FALSE when the fix's DmdFixCondition is known not to hold for config and facts (both may
 * be NULL: nothing known). */
gboolean    _dmd_catalog_fix_applies                  (const DmdCatalogFix   *fix,
                                                       const DmdDeviceConfig *config,
                                                       const DmdCatalogFacts *facts);
/* The OAuth entries (dmd-catalog-oauth.c), terminated by { NULL }: part of the one table
 * dmd_catalog_entries() returns. */
extern const DmdCatalogEntry _dmd_catalog_oauth_entries[];

/* Two sentences as one text, as the language joins them. */
char       *_dmd_catalog_join_sentences               (const char            *first,
                                                       const char            *second);

G_END_DECLS
