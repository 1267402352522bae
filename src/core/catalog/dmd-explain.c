/* dmd-explain.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-catalog.h"
#include "dmd-explain.h"
#include "dmd-options.h"

static gboolean
has_finding (GPtrArray  *findings,
             const char *id)
{
  for (guint i = 0; i < findings->len; i++)
    if (g_str_equal (((DmdFinding *) g_ptr_array_index (findings, i))->id, id))
      return TRUE;
  return FALSE;
}

/* The verdict rule of a live run, with the pasted reply as the outcome of its step: a refusal
 * (4xx or 5xx) fails the step, whatever the severity of the findings. */
static DmdVerdict
explanation_verdict (const DmdReply *reply,
                     GPtrArray      *findings)
{
  g_autoptr(DmdCheck) step = dmd_check_new ("reply");
  g_autoptr(GPtrArray) checks = g_ptr_array_new ();
  guint klass = reply->code != 0 ? reply->code / 100 : reply->enh_class;

  step->status = klass == 4 || klass == 5 ? DMD_CHECK_FAIL : DMD_CHECK_PASS;
  step->reply_code = reply->code;
  step->reply_class = reply->enh_class;
  g_ptr_array_add (checks, step);
  return dmd_verdict_derive (checks, findings, FALSE);
}

/* The options whose reading is given: the one given; without one, the option whose endpoint
 * the text names when its replies mean something of their own there (High Volume Email),
 * else every other option, in the table's order. */
static guint
options_to_read (const char      *text,
                 const DmdOption *option,
                 DmdOption        out[DMD_N_OPTIONS])
{
  DmdOption named;
  guint n = 0;

  if (option != NULL)
    out[n++] = *option;
  else if (dmd_options_named_in (text, &named) && dmd_option_get_info (named)->explain_when_named)
    out[n++] = named;
  else
    for (guint i = 0; i < DMD_N_OPTIONS; i++)
      if (!dmd_option_get_info (i)->explain_when_named)
        out[n++] = (DmdOption) i;
  return n;
}

DmdExplanation *
dmd_explain_reply (const char            *text,
                   const DmdOption       *option,
                   DmdStep                step,
                   DmdAuthMech            mech,
                   const DmdDeviceConfig *config)
{
  g_autoptr(DmdReply) reply = NULL;
  DmdExplanation *explanation;
  DmdOption options[DMD_N_OPTIONS];
  guint n_options;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (option == NULL || *option < DMD_N_OPTIONS, NULL);

  reply = dmd_catalog_parse_pasted_reply (text);
  if (reply == NULL)
    return NULL;

  explanation = g_new0 (DmdExplanation, 1);
  explanation->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_finding_free);
  n_options = options_to_read (text, option, options);
  for (guint i = 0; i < n_options; i++)
    {
      g_autoptr(DmdDeviceConfig) settings = config != NULL ? dmd_device_config_copy (config)
                                                           : dmd_device_config_new (options[i]);
      g_autoptr(GPtrArray) found = NULL;

      settings->option = options[i];
      found = dmd_catalog_reply_findings (reply, options[i], step, mech, settings, NULL);
      while (found->len > 0)
        {
          DmdFinding *finding = g_ptr_array_steal_index (found, 0);

          if (has_finding (explanation->findings, finding->id))
            {
              dmd_finding_free (finding);
              continue;
            }
          if (i > 0)
            explanation->depends_on_option = TRUE;
          g_ptr_array_add (explanation->findings, finding);
        }
    }

  explanation->verdict = explanation_verdict (reply, explanation->findings);
  explanation->reply = g_steal_pointer (&reply);
  return explanation;
}

void
dmd_explanation_free (DmdExplanation *explanation)
{
  if (explanation == NULL)
    return;
  g_clear_pointer (&explanation->reply, dmd_reply_free);
  g_clear_pointer (&explanation->findings, g_ptr_array_unref);
  g_free (explanation);
}
