/* dmd-config-private.h — shared between the configuration's source files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include "dmd-config.h"

G_BEGIN_DECLS

/* User input quoted in a message: escaped (valid UTF-8, no controls) and cut to 60
 * characters. */
char *_dmd_config_shown           (const char            *value);
/* Validation helpers: a string with text; one with a control character (U+0000–U+001F,
 * U+007F); a DmdFieldError for `field` (takes `message`) added to errors. */
gboolean _dmd_config_is_set       (const char            *s);
gboolean _dmd_config_has_control  (const char            *s);
void     _dmd_config_add_error    (GPtrArray             *errors,
                                   DmdField               field,
                                   char                  *message);
/* The OAuth sign-in's fields (dmd-config-oauth.c): DmdFieldError* added to errors. */
void  _dmd_config_validate_oauth  (GPtrArray             *errors,
                                   const DmdDeviceConfig *config);

G_END_DECLS
