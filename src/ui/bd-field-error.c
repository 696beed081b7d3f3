/* bd-field-error.c: a validation message in a row of its own under a form
 * row.
 *
 * AdwEntryRow has no place for a message, and a message elsewhere on the
 * page is easy to miss and hard to tie to its field. The message row is
 * created on first use, right under the field in the same boxed list, and
 * is an alert so a screen reader says it when it appears; the field itself
 * is marked invalid and described by the message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-field-error.h"

#define ERROR_ROW_KEY "bd-field-error-row"

static GtkWidget *
ensure_error_row (GtkWidget *row)
{
  GtkWidget *error_row = g_object_get_data (G_OBJECT (row), ERROR_ROW_KEY);
  GtkWidget *list = gtk_widget_get_parent (row);
  GtkWidget *label;

  if (error_row != NULL || !GTK_IS_LIST_BOX (list) || !GTK_IS_LIST_BOX_ROW (row))
    return error_row;

  label = g_object_new (GTK_TYPE_LABEL,
                        "accessible-role", GTK_ACCESSIBLE_ROLE_ALERT,
                        "wrap", TRUE,
                        "wrap-mode", PANGO_WRAP_WORD_CHAR,
                        "xalign", 0.0f,
                        NULL);
  gtk_widget_add_css_class (label, "error");

  error_row = g_object_new (ADW_TYPE_PREFERENCES_ROW,
                            "activatable", FALSE,
                            "selectable", FALSE,
                            "focusable", FALSE,
                            "visible", FALSE,
                            "child", label,
                            NULL);
  gtk_widget_add_css_class (error_row, "field-error");
  gtk_list_box_insert (GTK_LIST_BOX (list), error_row,
                       gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) + 1);
  /* The list owns the row; this is only a way back to it. */
  g_object_set_data (G_OBJECT (row), ERROR_ROW_KEY, error_row);

  return error_row;
}

void
bd_field_error_set (GtkWidget  *row,
                    const char *message)
{
  gboolean show = message != NULL && *message != '\0';
  GtkWidget *error_row;
  GtkWidget *label;

  g_return_if_fail (GTK_IS_WIDGET (row));

  error_row = show ? ensure_error_row (row) : g_object_get_data (G_OBJECT (row), ERROR_ROW_KEY);

  if (show)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               show ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);

  if (error_row == NULL)
    {
      if (show)
        gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                        GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                        -1);
      else
        gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      return;
    }

  label = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (error_row));
  if (show)
    {
      /* Unchanged text: no new alert for the same message at every keystroke. */
      if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), message) != 0)
        gtk_label_set_text (GTK_LABEL (label), message);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, label, NULL,
                                      -1);
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (label), "");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY);
    }
  gtk_widget_set_visible (error_row, show);
}

const char *
bd_field_error_get (GtkWidget *row)
{
  GtkWidget *error_row;
  GtkWidget *label;

  g_return_val_if_fail (GTK_IS_WIDGET (row), NULL);

  error_row = g_object_get_data (G_OBJECT (row), ERROR_ROW_KEY);
  if (error_row == NULL || !gtk_widget_get_visible (error_row))
    return NULL;

  label = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (error_row));
  return gtk_label_get_text (GTK_LABEL (label));
}
