/* dmd-settings-page-private.h — what the settings page's files share
 *
 * dmd-settings-page.c lays the fields out, validates them and builds the engine's config;
 * dmd-settings-memory.c remembers them (GSettings), forgets them with Undo, and fills them
 * in from what a device showed. Both read the one table of fields.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "dmd-core.h"
#include "dmd-note-row.h"
#include "dmd-settings-page.h"

G_BEGIN_DECLS

/* The fields, in reading order (the first one with a problem is the one Run Checks shows). */
typedef enum {
  ROW_NONE,
  ROW_SERVER,
  ROW_DOMAIN,
  ROW_PORT,
  ROW_SECURITY,
  ROW_METHOD,
  ROW_USERNAME,
  ROW_PASSWORD,
  ROW_TOKEN,
  ROW_TENANT,
  ROW_CLIENT_ID,
  ROW_CLIENT_SECRET,
  ROW_SENDER,
  ROW_RECIPIENT,
  ROW_CONNECTOR,
  ROW_CONNECTOR_IP,
  ROW_CLIENT_CERT,
  ROW_CLIENT_KEY,
  ROW_FIELD_LENGTH,
  ROW_SEND,
  N_ROWS
} RowId;

typedef enum {
  KIND_TEXT,    /* an entry row; remembered as a string */
  KIND_NUMBER,  /* an entry row for a whole number in [min, max]; remembered as a uint, 0: none */
  KIND_SECRET,  /* a password entry row; never remembered */
  KIND_CHOICE,  /* a combo row over `choices`; remembered by the chosen value's id */
  KIND_FILE,    /* an action row showing a chosen file; never remembered */
  KIND_SWITCH,  /* an action row with a switch; never remembered (a real message is sent
                 * only when ticked for this run) */
} RowKind;

/* One value of a combo row: its id (the machine name, also the GSettings enum nick) and what
 * the row says. The row's model is made from these, so a value is known by its id, never by
 * its position in a list. */
typedef struct {
  const char *id;
  const char *label;  /* N_() */
} Choice;

/* Which options show a field, or need it: a column of the options table (dmd-options.h). */
typedef enum {
  FOR_NONE,
  FOR_ALL,
  FOR_SIGN_IN,    /* the options that sign in */
  FOR_MX,         /* those that send to the organization's MX endpoint */
  FOR_DOMAIN,     /* those that look up the MX, or tell inside recipients from outside ones */
  FOR_CONNECTOR,  /* those whose inbound connector recognizes the device */
} ForOptions;

typedef struct {
  const char   *row;            /* the row's id in the .ui */
  const char   *note;           /* the note row under it (rows shown in turn share one);
                                 * NULL: its messages go to the page's general note */
  RowKind       kind;
  const char   *key;            /* GSettings key; NULL: never remembered */
  ForOptions    shown;          /* the options that show the field */
  RowId         when_row;       /* ... only while that choice row */
  const char   *when_id;        /* ... has this value (NULL: always) */
  const char   *when_also;      /* ... or this one (NULL: none) */
  DmdField      field;          /* the engine's field: its validation errors, and the
                                 * findings the catalogue says are about it */
  ForOptions    required;       /* the options that need it filled in */
  const char   *missing;        /* N_(): what to enter when it is empty and required */
  const char   *missing_name;   /* N_(): its name in "fill in: …"; NULL: the row's title */
  const char   *invalid;        /* N_(): KIND_NUMBER, what to enter when it is not a number */
  guint         min, max;       /* KIND_NUMBER */
  const Choice *choices;        /* KIND_CHOICE, terminated by { NULL } */
  const char   *placeholder;    /* N_(): KIND_FILE, what the row says when none is chosen */
  const char   *hint;           /* N_(): shown under the field */
  gsize         option_hint;    /* ... or the option's, this text column of its row (an
                                 * offset into DmdOptionInfo; 0: none) */
  char       *(*default_value) (const DmdOptionInfo *info); /* the option's default, or NULL */
} FieldRow;

struct _DmdSettingsPage
{
  DmdPage               parent_instance;

  GtkWidget            *rows[N_ROWS];   /* field_rows[i].row */
  DmdNoteRow           *notes[N_ROWS];  /* field_rows[i].note */
  char                 *files[N_ROWS];  /* KIND_FILE: the chosen file (a path only, never
                                         * remembered: the key is read when the checks run) */

  GtkButton            *client_cert_clear;
  GtkButton            *forget_button;
  AdwPreferencesGroup  *general_group;
  DmdNoteRow           *general_note;
  GtkScrolledWindow    *scroller;
  AdwPreferencesGroup  *signin_group;
  GtkFileChooserNative *chooser;

  DmdOption             option;         /* the option the fields are laid out for */
  guint                 touched;        /* bit per RowId */
  RowId                 first_problem;  /* the first field that keeps the page incomplete */
  gboolean              loading;
};

extern const FieldRow _dmd_settings_fields[N_ROWS];

/* dmd-settings-page.c */
char *_dmd_settings_text_of (gpointer editable);
gboolean _dmd_settings_parse_number (const char *text,
                       guint       min,
                       guint       max,
                       guint      *out);
const char *_dmd_settings_chosen (DmdSettingsPage *self,
                    RowId            r);
void _dmd_settings_choose (DmdSettingsPage *self,
             RowId            r,
             const char      *id);
const char *_dmd_settings_secret (DmdSettingsPage *self,
                    RowId            r);
void _dmd_settings_refresh (DmdSettingsPage *self);
void _dmd_settings_update_layout (DmdSettingsPage *self);
void _dmd_settings_show_files (DmdSettingsPage *self);

/* dmd-settings-memory.c */
void _dmd_settings_set_option (DmdSettingsPage *self,
                 DmdOption        option);
void _dmd_settings_load_settings (DmdSettingsPage *self);
void _dmd_settings_save_settings (DmdSettingsPage *self);
void _dmd_settings_forget_clicked_cb (DmdSettingsPage *self);

G_END_DECLS
