/* bd-window-actions.c: the main window's actions and the "/" shortcut.
 *
 * The accelerators are set in BdApplication; the menus and header buttons
 * name these actions in bd-window.ui. Actions that need a signed-in zone
 * or a consumer on show are disabled otherwise, so their buttons, menu
 * items and shortcuts do nothing where they cannot work.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/bd-validate.h"

#include "bd-audit-window.h"
#include "bd-complaint-queue.h"
#include "bd-request-queue.h"
#include "bd-staff-window.h"
#include "bd-window-private.h"

static void
on_sign_out_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  _bd_window_sign_out (BD_WINDOW (user_data));
}

static void
on_sync_now_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  _bd_window_begin_pull (BD_WINDOW (user_data), FALSE);
}

static void
on_focus_search_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->search_panel));
  bd_search_panel_focus_search (self->search_panel);
}

static void
open_adjacent_result (BdWindow *self,
                      int       delta)
{
  if (!bd_search_panel_open_adjacent (self->search_panel, delta))
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
on_next_result_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  open_adjacent_result (BD_WINDOW (user_data), 1);
}

static void
on_previous_result_action (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  open_adjacent_result (BD_WINDOW (user_data), -1);
}

static void
on_copy_account_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  bd_consumer_page_copy_account (BD_WINDOW (user_data)->consumer_page);
}

static void
on_open_consumer_window_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  bd_window_open_consumer_window (BD_WINDOW (user_data));
}

static void
on_print_summary_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);
  BdSession *session = bd_application_get_session (_bd_window_get_app (self));

  bd_consumer_page_print_summary (self->consumer_page,
                                  session != NULL ? bd_session_get_zone_name (session) : NULL);
}

/* The 1912 flow: the caller's number typed into the search opens their
 * record, and this opens the form with that number as the contact. */
static void
on_new_complaint_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);
  g_autofree char *typed = bd_search_panel_dup_text (self->search_panel);
  g_autofree char *mobile = typed != NULL ? bd_mobile_normalize (typed, NULL) : NULL;

  if (!bd_consumer_page_file_complaint (self->consumer_page, mobile))
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
on_complaint_queue_action (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  if (self->complaint_queue == NULL)
    {
      self->complaint_queue = GTK_WINDOW (bd_complaint_queue_new (_bd_window_get_app (self), GTK_WINDOW (self)));
      g_object_add_weak_pointer (G_OBJECT (self->complaint_queue), (gpointer *) &self->complaint_queue);
    }
  gtk_window_present (self->complaint_queue);
}

static void
on_request_queue_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  if (self->request_queue == NULL)
    {
      self->request_queue = GTK_WINDOW (bd_request_queue_new (_bd_window_get_app (self), GTK_WINDOW (self)));
      g_object_add_weak_pointer (G_OBJECT (self->request_queue), (gpointer *) &self->request_queue);
    }
  gtk_window_present (self->request_queue);
}

static void
on_audit_log_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  gtk_window_present (GTK_WINDOW (bd_audit_window_new (_bd_window_get_app (self), GTK_WINDOW (self))));
}

static void
on_staff_accounts_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  gtk_window_present (GTK_WINDOW (bd_staff_window_new (_bd_window_get_app (self), GTK_WINDOW (self))));
}

static const GActionEntry win_actions[] = {
  { "audit-log", on_audit_log_action, NULL, NULL, NULL },
  { "staff-accounts", on_staff_accounts_action, NULL, NULL, NULL },
  { "new-complaint", on_new_complaint_action, NULL, NULL, NULL },
  { "complaint-queue", on_complaint_queue_action, NULL, NULL, NULL },
  { "request-queue", on_request_queue_action, NULL, NULL, NULL },
  { "sign-out", on_sign_out_action, NULL, NULL, NULL },
  { "sync-now", on_sync_now_action, NULL, NULL, NULL },
  { "focus-search", on_focus_search_action, NULL, NULL, NULL },
  { "next-result", on_next_result_action, NULL, NULL, NULL },
  { "previous-result", on_previous_result_action, NULL, NULL, NULL },
  { "copy-account", on_copy_account_action, NULL, NULL, NULL },
  { "open-consumer-window", on_open_consumer_window_action, NULL, NULL, NULL },
  { "print-summary", on_print_summary_action, NULL, NULL, NULL },
};

/* "/" focuses the search, as in many GNOME apps, but only when the focus
 * is not in a text field: there it is a character the operator typed
 * (addresses have "12/4"). */
static gboolean
on_window_key_pressed_cb (GtkEventControllerKey *controller,
                          guint                  keyval,
                          guint                  keycode,
                          GdkModifierType        state,
                          gpointer               user_data)
{
  BdWindow *self = user_data;
  GtkWidget *focus;

  if ((keyval != GDK_KEY_slash && keyval != GDK_KEY_KP_Divide) ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;
  if (!_bd_window_is_on_main (self))
    return GDK_EVENT_PROPAGATE;

  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus != NULL && (GTK_IS_EDITABLE (focus) || gtk_widget_get_ancestor (focus, GTK_TYPE_TEXT_VIEW) != NULL))
    return GDK_EVENT_PROPAGATE;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.focus-search", NULL);
  return GDK_EVENT_STOP;
}

static void
set_action_enabled (BdWindow   *self,
                    const char *name,
                    gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
_bd_window_actions_init (BdWindow *self)
{
  GtkEventController *keys;

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);

  /* Capture phase: the search entry's key capture would otherwise take
   * the "/" typed on a result row as text. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_window_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

void
_bd_window_actions_update (BdWindow *self)
{
  gboolean signed_in = bd_application_get_session (_bd_window_get_app (self)) != NULL;
  gboolean on_main = _bd_window_is_on_main (self);
  gboolean has_consumer = on_main && bd_consumer_page_get_consumer (self->consumer_page) != NULL;

  set_action_enabled (self, "sign-out", signed_in);
  set_action_enabled (self, "sync-now", signed_in && on_main && !self->syncing);
  set_action_enabled (self, "focus-search", on_main);
  set_action_enabled (self, "next-result", on_main);
  set_action_enabled (self, "previous-result", on_main);
  set_action_enabled (self, "copy-account", has_consumer);
  set_action_enabled (self, "open-consumer-window", has_consumer);
  set_action_enabled (self, "print-summary", has_consumer);
  set_action_enabled (self, "new-complaint", has_consumer);
  set_action_enabled (self, "complaint-queue", signed_in && on_main);
  set_action_enabled (self, "request-queue", signed_in && on_main);
  {
    BdSession *session = bd_application_get_session (_bd_window_get_app (self));
    BdRole role = session != NULL ? bd_session_get_role (session) : BD_ROLE_AGENT;

    /* The server answers 403 to anyone else; the menu says so first. */
    set_action_enabled (self, "audit-log", signed_in && on_main &&
                        (role == BD_ROLE_SUPERVISOR || role == BD_ROLE_ADMIN));
    set_action_enabled (self, "staff-accounts", signed_in && on_main && role == BD_ROLE_ADMIN);
  }
  gtk_widget_set_visible (self->consumer_actions, has_consumer);
}
