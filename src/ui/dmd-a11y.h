/* dmd-a11y.h — small accessibility helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* GTK 4.8 names a button with a mnemonic label after both the raw label and its text
 * ("_Start Start"). Keep the widget's accessible label equal to the text of property (a
 * string with mnemonics, such as a button's "label" or a row's "title"), now and whenever
 * it changes. */
void  dmd_a11y_label_from_mnemonic (GtkWidget  *widget,
                                    const char *property);
/* libadwaita 1.2's AdwPasswordEntryRow reveals its text with a button that shows only an
 * icon, which GTK 4.8 announces by its child's class name ("GtkImage"). Name that button
 * show_name while the text is hidden and hide_name while it shows (both copied). */
void  dmd_a11y_name_reveal_button  (GtkWidget  *password_row,
                                    const char *show_name,
                                    const char *hide_name);
/* "_Run Checks" → "Run Checks" ("__" stays one "_"). */
char *dmd_a11y_strip_mnemonic      (const char *text);

G_END_DECLS
