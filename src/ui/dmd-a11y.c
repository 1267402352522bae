/* dmd-a11y.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-a11y.h"

char *
dmd_a11y_strip_mnemonic (const char *text)
{
  GString *out;

  if (text == NULL)
    return NULL;
  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '_')
        {
          if (p[1] == '_')
            {
              g_string_append_c (out, '_');
              p++;
            }
          continue;
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static void
update_label (GtkWidget  *widget,
              GParamSpec *pspec)
{
  g_autofree char *text = NULL;
  g_autofree char *stripped = NULL;

  g_object_get (widget, pspec->name, &text, NULL);
  stripped = dmd_a11y_strip_mnemonic (text);
  if (stripped != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    stripped, -1);
}

void
dmd_a11y_label_from_mnemonic (GtkWidget  *widget,
                              const char *property)
{
  g_autofree char *signal = NULL;
  GParamSpec *pspec;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (widget), property);
  g_return_if_fail (pspec != NULL);

  signal = g_strconcat ("notify::", property, NULL);
  g_signal_connect (widget, signal, G_CALLBACK (update_label), NULL);
  update_label (widget, pspec);
}
