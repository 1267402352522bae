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

/* The row's own button: the one that shows a reveal or conceal icon. */
static GtkWidget *
find_reveal_button (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child))
        {
          const char *icon = gtk_button_get_icon_name (GTK_BUTTON (child));

          if (g_strcmp0 (icon, "view-reveal-symbolic") == 0 ||
              g_strcmp0 (icon, "view-conceal-symbolic") == 0)
            return child;
        }
      found = find_reveal_button (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
update_reveal_name (GtkWidget  *button,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  gboolean shown = g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (button)),
                              "view-conceal-symbolic") == 0;
  const char *name = g_object_get_data (G_OBJECT (button),
                                        shown ? "dmd-a11y-hide-name" : "dmd-a11y-show-name");

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  name, -1);
}

void
dmd_a11y_name_reveal_button (GtkWidget  *password_row,
                             const char *show_name,
                             const char *hide_name)
{
  GtkWidget *button;

  g_return_if_fail (GTK_IS_WIDGET (password_row));
  g_return_if_fail (show_name != NULL && hide_name != NULL);

  button = find_reveal_button (password_row);
  /* A libadwaita that names the button itself, or has none, needs nothing from us. */
  if (button == NULL)
    return;
  g_object_set_data_full (G_OBJECT (button), "dmd-a11y-show-name", g_strdup (show_name), g_free);
  g_object_set_data_full (G_OBJECT (button), "dmd-a11y-hide-name", g_strdup (hide_name), g_free);
  g_signal_connect (button, "notify::icon-name", G_CALLBACK (update_reveal_name), NULL);
  update_reveal_name (button, NULL, NULL);
}
