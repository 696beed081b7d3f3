/* bd-consumer-window.c: one consumer's record in a window of its own.
 *
 * An operator keeps a record open beside the main window (a caller on
 * hold, a case to finish) while searching for the next one. The main
 * window reloads the record here after each sync; its history section
 * says when the copy on show was synced.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-consumer-window.h"

struct _BdConsumerWindow
{
  AdwApplicationWindow  parent_instance;

  AdwWindowTitle       *window_title;
  BdConsumerPage       *consumer_page;
};

G_DEFINE_FINAL_TYPE (BdConsumerWindow, bd_consumer_window, ADW_TYPE_APPLICATION_WINDOW)

static const char *
zone_name (BdConsumerWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  BdSession *session = app != NULL ? bd_application_get_session (BD_APPLICATION (app)) : NULL;

  return session != NULL ? bd_session_get_zone_name (session) : NULL;
}

static void
on_consumer_changed_cb (BdConsumerWindow *self,
                        GParamSpec       *pspec,
                        BdConsumerPage   *page)
{
  BdConsumer *consumer = bd_consumer_page_get_consumer (page);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *name;

  if (consumer == NULL)
    return;

  name = bd_consumer_get_display_name (consumer, FALSE);
  /* Translators: %s is a 10- or 12-digit account number. */
  subtitle = g_strdup_printf (_("Account %s"), bd_consumer_get_account (consumer));
  adw_window_title_set_title (self->window_title, name != NULL && *name != '\0' ? name : subtitle);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  /* Translators: the title of a consumer's own window, e.g. "Asha Verma — Account 1000000001". */
  title = g_strdup_printf (_("%s — %s"), name != NULL ? name : "", subtitle);
  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
on_copy_account_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  BdConsumerWindow *self = user_data;

  bd_consumer_page_copy_account (self->consumer_page);
}

static void
on_print_summary_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  BdConsumerWindow *self = user_data;

  bd_consumer_page_print_summary (self->consumer_page, zone_name (self));
}

static const GActionEntry win_actions[] = {
  { "copy-account", on_copy_account_action, NULL, NULL, NULL },
  { "print-summary", on_print_summary_action, NULL, NULL, NULL },
};

static void
bd_consumer_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BD_TYPE_CONSUMER_WINDOW);

  G_OBJECT_CLASS (bd_consumer_window_parent_class)->dispose (object);
}

static void
bd_consumer_window_class_init (BdConsumerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_consumer_window_dispose;

  g_type_ensure (BD_TYPE_CONSUMER_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-consumer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BdConsumerWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerWindow, consumer_page);
  gtk_widget_class_bind_template_callback (widget_class, on_consumer_changed_cb);
}

static void
bd_consumer_window_init (BdConsumerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
}

BdConsumerWindow *
bd_consumer_window_new (BdApplication *application,
                        BdConsumer    *consumer,
                        gint64         last_sync)
{
  BdConsumerWindow *self;

  g_return_val_if_fail (BD_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  self = g_object_new (BD_TYPE_CONSUMER_WINDOW,
                       "application", application,
                       NULL);

  bd_consumer_page_set_last_sync (self->consumer_page, last_sync);
  bd_consumer_page_set_consumer (self->consumer_page, consumer);

  return self;
}

BdConsumerPage *
bd_consumer_window_get_page (BdConsumerWindow *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER_WINDOW (self), NULL);

  return self->consumer_page;
}
