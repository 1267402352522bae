/* dmd-pem-chooser.h — a file chooser for a PEM file (a certificate or a private key)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A modal native chooser over parent's window, for opening a PEM file (*.pem, *.crt, *.cer,
 * *.key), with "All files" as the other filter. Show it with gtk_native_dialog_show(). */
GtkFileChooserNative *dmd_pem_chooser_new (GtkWidget  *parent,
                                           const char *title);

G_END_DECLS
