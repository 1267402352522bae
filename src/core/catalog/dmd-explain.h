/* dmd-explain.h — a reply line pasted by a person → the findings it maps to
 *
 * The one explanation both the CLI's `explain` and the wizard's explain page give: the same
 * text, option, step, sign-in method and settings give the same findings, in the same order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <glib.h>

#include "dmd-config.h"
#include "dmd-enums.h"
#include "dmd-reply.h"
#include "dmd-result.h"

G_BEGIN_DECLS

typedef struct {
  DmdReply   *reply;              /* the reply as read from the text */
  GPtrArray  *findings;           /* DmdFinding*, the most likely first; empty for a success
                                   * (2xx/3xx) */
  gboolean    depends_on_option;  /* no option was given, and the options read the reply
                                   * differently: findings of more than one are listed */
  DmdVerdict  verdict;            /* the verdict rule with the reply as its step's outcome:
                                   * FAIL or RETRY for a refusal (4xx, 5xx), whatever the
                                   * findings' severity */
} DmdExplanation;

/* Explains text (one reply line, or several of a multi-line reply, as pasted from a device's
 * log or a bounce message; read with dmd_catalog_parse_pasted_reply).
 *
 * option: the device's sending option, or NULL when it is not known: then the findings of
 * the option whose endpoint the text names, when the table says its replies mean something
 * of their own there (High Volume Email), else of every other option — each finding once,
 * the first option's first.
 * step: the SMTP step the reply answered, DMD_STEP_ANY when not known.
 * mech: how the device signed in, DMD_AUTH_NONE when not known.
 * config: what is known of the device's settings, to fill in the fixes' commands (its option
 * is not used; NULL: nothing known).
 *
 * NULL when the text holds no reply code and no well-known reply text. */
DmdExplanation *dmd_explain_reply     (const char            *text,
                                       const DmdOption       *option,
                                       DmdStep                step,
                                       DmdAuthMech            mech,
                                       const DmdDeviceConfig *config);
void            dmd_explanation_free  (DmdExplanation        *explanation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdExplanation, dmd_explanation_free)

G_END_DECLS
