/* dmd-text.h — how server text and commands are shown: never altered, easy to copy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Every GtkLabel at or below widget wraps without inserting hyphens (Pango adds them when it
 * breaks inside a word: "PROTECTION.OUTLOOK.CO-M", "MAIL Se-rvice ready"). Evidence, host
 * names, commands and reply lines are copied by eye, so no character may be added to them. */
void dmd_text_no_hyphens       (GtkWidget *widget);

/* label stays selectable with the mouse (and copyable from its context menu) but is no Tab
 * stop: keyboard users reach the Copy buttons without passing every line of evidence. A click
 * makes it focusable until focus leaves it, so that Ctrl+C works after selecting. */
void dmd_text_selectable_quietly (GtkLabel *label);

/* The name of the tag dmd_text_no_hyphens_tag() adds to a buffer. */
#define DMD_TEXT_NO_HYPHENS_TAG "dmd-no-hyphens"

/* The GtkTextTag for a GtkTextBuffer's text that must not be hyphenated either. */
GtkTextTag *dmd_text_no_hyphens_tag (GtkTextBuffer *buffer);

G_END_DECLS
