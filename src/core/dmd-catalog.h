/* dmd-catalog.h — the knowledge base: every finding id, its texts and fixes, and the rules
 * that turn replies and facts into findings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "dmd-config.h"
#include "dmd-enums.h"
#include "dmd-reply.h"
#include "dmd-result.h"

G_BEGIN_DECLS

#define DMD_CATALOG_MAX_FIXES 8

typedef struct {
  const char  *text;      /* N_() — translated at render time */
  const char  *command;   /* not translated; placeholders {user} {from} {to} {domain} {ip}
                           * {server} are replaced by PowerShell-quoted values */
  const char  *url;       /* Microsoft documentation, or NULL */
  DmdAudience  audience;
} DmdCatalogFix;

typedef struct {
  const char    *id;
  DmdSeverity    severity;
  const char    *check;        /* default check id */
  const char    *title;        /* N_() */
  const char    *explanation;  /* N_() */
  DmdCatalogFix  fixes[DMD_CATALOG_MAX_FIXES]; /* terminated by an entry with text == NULL */
} DmdCatalogEntry;

/* Every entry, terminated by { NULL }. */
const DmdCatalogEntry *dmd_catalog_entries   (void);
const DmdCatalogEntry *dmd_catalog_lookup    (const char             *id);

/* Build a finding for id: translated title/explanation, fixes with commands filled in from
 * config (may be NULL), the given evidence. */
DmdFinding            *dmd_catalog_make_finding (const char             *id,
                                                 const DmdDeviceConfig  *config,
                                                 const char             *evidence);

/* Map a reply to finding ids (most specific first; a reply nobody claims gives
 * "server-unexpected-reply"; a 2xx/3xx success gives an empty array).
 * Returns char* ids (owned by the array). */
GPtrArray             *dmd_catalog_match_reply  (const DmdReply         *reply,
                                                 DmdOption               option,
                                                 DmdStep                 step,
                                                 DmdAuthMech             mech);

/* RFC 3463 meaning of an enhanced status code (translated), e.g. 5.7.1 "Delivery not
 * authorized, message refused"; never NULL. */
const char            *dmd_catalog_enhanced_code_meaning (guint klass,
                                                          guint subject,
                                                          guint detail);

/* PowerShell single-quoted literal: '…' with ' and U+2018–U+201B doubled. */
char                  *dmd_powershell_quote     (const char             *value);

/* Pre-flight findings that need no network; `today` decides the Basic-auth text. */
void                   dmd_catalog_preflight    (const DmdDeviceConfig  *config,
                                                 DmdResult              *result);

/* The recommended device settings for the config's option, compared with what was entered. */
GPtrArray             *dmd_catalog_recommended_settings (const DmdDeviceConfig *config); /* DmdSettingRow* */

G_END_DECLS
