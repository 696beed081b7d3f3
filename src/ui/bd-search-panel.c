/* bd-search-panel.c: the search entry and its results, against the local copy.
 *
 * Search runs as the operator types (GtkSearchEntry's ::search-changed
 * waits SEARCH_DELAY_MS after the last key), except that a complete
 * account or mobile number is looked up at once. Each query cancels the
 * one before, and a serial number makes sure the answer to an older query,
 * should it arrive late, never replaces the results of a newer one.
 *
 * Phone speed: when what was typed is an exact identifier and exactly one
 * consumer has it, that record opens by itself, so a 1912 agent types the
 * caller's number and sees the record. The keyboard never has to leave the
 * entry: Down moves into the results, Enter opens, and
 * bd_search_panel_open_adjacent() (Alt+Down/Alt+Up) opens the next or
 * previous result from wherever the focus is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-consumer.h"
#include "core/bd-money.h"
#include "core/bd-validate.h"

#include "bd-consumer-format.h"
#include "bd-consumer-row.h"
#include "bd-result-slot.h"
#include "bd-search-panel.h"

#define SEARCH_LIMIT    100
#define SEARCH_DELAY_MS 100

struct _BdSearchPanel
{
  AdwBin              parent_instance;

  BdConsumerStore    *store;
  GListStore         *results;          /* (element-type BdConsumer) the answer on show */
  GListStore         *view;             /* (element-type BdResultSlot) what the list shows */
  GPtrArray          *slots;            /* every slot made so far, reused in order */
  GtkSingleSelection *selection;
  GCancellable       *cancellable;
  char               *query;            /* the text the results on show answer */
  guint               serial;
  gboolean            open_when_ready;  /* Enter was pressed before the answer came */
  gboolean            auto_open_armed;  /* the text changed: an exact match may open itself */
  gint64              last_update_us;   /* monotonic time the results were last replaced */
  gint64              consumer_count;

  GtkSearchEntry     *search_entry;
  GtkLabel           *indexing_label;
  GtkLabel           *count_label;
  GtkStack           *results_stack;
  AdwStatusPage      *hint_page;
  AdwStatusPage      *empty_page;
  GtkListView        *list_view;
};

G_DEFINE_FINAL_TYPE (BdSearchPanel, bd_search_panel, ADW_TYPE_BIN)

enum {
  SIGNAL_CONSUMER_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  BdSearchPanel *self;
  guint          serial;
} SearchCall;

static void run_search (BdSearchPanel *self);

static void
search_call_free (SearchCall *call)
{
  g_clear_object (&call->self);
  g_free (call);
}

static char *
dup_entry_text (BdSearchPanel *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
}

static void
emit_position (BdSearchPanel *self,
               guint          position,
               gboolean       open)
{
  g_autoptr(BdConsumer) consumer = g_list_model_get_item (G_LIST_MODEL (self->results), position);

  if (consumer == NULL)
    return;

  if (gtk_single_selection_get_selected (self->selection) != position)
    gtk_single_selection_set_selected (self->selection, position);
  /* Selecting already announced the consumer; opening moves on to it. */
  if (open)
    g_signal_emit (self, signals[SIGNAL_CONSUMER_ACTIVATED], 0, consumer, TRUE);
}

static void
update_hint (BdSearchPanel *self)
{
  g_autofree char *count = NULL;
  g_autofree char *description = NULL;

  if (self->consumer_count <= 0)
    {
      adw_status_page_set_description (self->hint_page,
                                       _("Type an account number, mobile number, meter serial or part of a name."));
      return;
    }

  count = bd_format_indian_integer (self->consumer_count);
  /* Translators: %s is a number with Indian digit grouping, e.g. "10,000". */
  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Type an account number, mobile number, meter serial or part of a name. %s consumer of your zone is on this desk.",
                                              "Type an account number, mobile number, meter serial or part of a name. %s consumers of your zone are on this desk.",
                                              (gulong) MIN (self->consumer_count, G_MAXLONG)),
                                 count);
  adw_status_page_set_description (self->hint_page, description);
}

/* Until a bulk first sync has built the search index, only account
 * numbers find anything: say so rather than let names find nothing. */
static void
update_indexing_notice (BdSearchPanel *self)
{
  gboolean indexing = self->store != NULL && bd_consumer_store_is_indexing (self->store);

  gtk_widget_set_visible (GTK_WIDGET (self->indexing_label), indexing);
}

/* Refills the slots, so the rows already built are reused, not rebuilt.
 * With nothing to show, the list is hidden behind a status page: its
 * slots are emptied but stay in it, so the next answer finds its rows. */
static void
fill_view (BdSearchPanel *self,
           GPtrArray     *consumers)
{
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->view));
  guint n_new = consumers != NULL ? consumers->len : 0;

  /* The slot that was selected now holds another consumer: the selection
   * belongs to the old answer. */
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);

  while (self->slots->len < n_new)
    g_ptr_array_add (self->slots, bd_result_slot_new ());
  for (guint i = 0; i < self->slots->len; i++)
    bd_result_slot_set_consumer (self->slots->pdata[i], i < n_new ? consumers->pdata[i] : NULL);

  if (n_new > 0 && n_new != n_old)
    g_list_store_splice (self->view, 0, n_old, self->slots->pdata, n_new);
}

static void
show_results (BdSearchPanel *self,
              GPtrArray     *consumers)
{
  g_autofree char *count_text = NULL;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  guint n_new = consumers != NULL ? consumers->len : 0;

  g_list_store_splice (self->results, 0, n_old,
                       consumers != NULL ? consumers->pdata : NULL, n_new);
  fill_view (self, consumers);
  self->last_update_us = g_get_monotonic_time ();

  if (n_new == 0)
    {
      g_autofree char *title = NULL;

      /* Translators: %s is what the operator typed. */
      title = g_strdup_printf (_("No consumer matches “%s”"), self->query);
      adw_status_page_set_title (self->empty_page, title);
      adw_status_page_set_description (self->empty_page,
                                       _("Check the number, or try part of the name or the meter serial."));
      gtk_stack_set_visible_child_name (self->results_stack, "empty");
      gtk_label_set_text (self->count_label, "");
      return;
    }

  if (n_new >= SEARCH_LIMIT)
    count_text = g_strdup_printf (_("Showing the first %u matches; type more to narrow them down."), n_new);
  else
    count_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u consumer found", "%u consumers found", n_new),
                                  n_new);
  gtk_label_set_text (self->count_label, count_text);
  gtk_stack_set_visible_child_name (self->results_stack, "results");
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
}

static gboolean
has_identifier (BdConsumer    *consumer,
                BdSearchQuery *query)
{
  gboolean account = g_strcmp0 (bd_consumer_get_account (consumer), query->identifier) == 0;
  gboolean mobile = g_strcmp0 (bd_consumer_get_mobile (consumer), query->identifier) == 0;

  switch (query->kind)
    {
    case BD_QUERY_KIND_ACCOUNT:
      return account;
    case BD_QUERY_KIND_MOBILE:
      return mobile;
    case BD_QUERY_KIND_ACCOUNT_OR_MOBILE:
      return account || mobile;
    case BD_QUERY_KIND_METER_SERIAL:
      return bd_consumer_get_meter_serial (consumer) != NULL &&
             g_ascii_strcasecmp (bd_consumer_get_meter_serial (consumer), query->identifier) == 0;
    case BD_QUERY_KIND_NONE:
    case BD_QUERY_KIND_NAME:
    default:
      return FALSE;
    }
}

/* The position of the one result that has exactly the identifier typed,
 * or GTK_INVALID_LIST_POSITION when none or several do (several consumers
 * can share a mobile: then the operator must choose). */
static guint
find_sole_exact_match (const char *text,
                       GPtrArray  *consumers)
{
  g_autoptr(BdSearchQuery) query = bd_search_query_parse (text);
  guint found = GTK_INVALID_LIST_POSITION;

  if (query->identifier == NULL)
    return GTK_INVALID_LIST_POSITION;

  for (guint i = 0; i < consumers->len; i++)
    {
      if (!has_identifier (consumers->pdata[i], query))
        continue;
      if (found != GTK_INVALID_LIST_POSITION)
        return GTK_INVALID_LIST_POSITION;
      found = i;
    }

  return found;
}

static gboolean
is_complete_number (const char *text)
{
  g_autoptr(BdSearchQuery) query = bd_search_query_parse (text);

  return query->kind == BD_QUERY_KIND_ACCOUNT ||
         query->kind == BD_QUERY_KIND_MOBILE ||
         query->kind == BD_QUERY_KIND_ACCOUNT_OR_MOBILE;
}

static void
on_search_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SearchCall *call = user_data;
  g_autoptr(BdSearchPanel) self = g_steal_pointer (&call->self);
  g_autoptr(GPtrArray) consumers = NULL;
  g_autoptr(GError) error = NULL;
  gboolean current = call->serial == self->serial;

  search_call_free (call);
  consumers = bd_consumer_store_search_finish (BD_CONSUMER_STORE (source), result, &error);

  if (!current)
    return;

  g_clear_object (&self->cancellable);

  if (consumers == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      self->open_when_ready = FALSE;
      show_results (self, NULL);
      adw_status_page_set_title (self->empty_page, _("Search failed"));
      adw_status_page_set_description (self->empty_page, error->message);
      return;
    }

  show_results (self, consumers);

  if (self->open_when_ready)
    {
      guint exact = find_sole_exact_match (self->query, consumers);

      self->open_when_ready = FALSE;
      self->auto_open_armed = FALSE;
      if (consumers->len > 0)
        emit_position (self, exact != GTK_INVALID_LIST_POSITION ? exact : 0, TRUE);
    }
  else if (self->auto_open_armed)
    {
      guint exact = find_sole_exact_match (self->query, consumers);

      /* Once per typed text: a refresh after a sync must not pull the
       * operator back to a record they moved away from. A search that
       * found nothing (typed while the first sync was still filling the
       * copy) stays armed, so the refresh after the sync opens it. */
      if (consumers->len > 0)
        self->auto_open_armed = FALSE;
      if (exact != GTK_INVALID_LIST_POSITION)
        emit_position (self, exact, TRUE);
    }
}

static void
run_search (BdSearchPanel *self)
{
  g_autofree char *text = dup_entry_text (self);
  SearchCall *call;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->serial++;
  if (g_strcmp0 (text, self->query) != 0)
    self->auto_open_armed = TRUE;
  g_free (self->query);
  self->query = g_strdup (text);

  if (self->store == NULL || *text == '\0')
    {
      self->open_when_ready = FALSE;
      /* A number typed before the copy is open (during sign-in) still
       * opens its record once the copy answers. */
      if (*text == '\0')
        self->auto_open_armed = FALSE;
      g_list_store_remove_all (self->results);
      fill_view (self, NULL);
      self->last_update_us = g_get_monotonic_time ();
      gtk_label_set_text (self->count_label, "");
      gtk_stack_set_visible_child_name (self->results_stack, "hint");
      return;
    }

  self->cancellable = g_cancellable_new ();
  call = g_new0 (SearchCall, 1);
  call->self = g_object_ref (self);
  call->serial = self->serial;
  bd_consumer_store_search_async (self->store, text, SEARCH_LIMIT, self->cancellable,
                                  on_search_done_cb, call);
}

/* Runs the query unless the results on show (or on their way) already
 * answer this very text. */
static void
run_search_if_changed (BdSearchPanel *self)
{
  g_autofree char *text = dup_entry_text (self);

  if (g_strcmp0 (text, self->query) != 0)
    run_search (self);
}

static void
on_search_changed_cb (BdSearchPanel  *self,
                      GtkSearchEntry *entry)
{
  run_search_if_changed (self);
}

static void
on_text_changed_cb (BdSearchPanel *self,
                    GtkEditable   *editable)
{
  g_autofree char *text = dup_entry_text (self);

  /* A whole account or mobile number is the common case at a phone desk
   * and cannot grow into a different query by waiting: look it up now. */
  if (is_complete_number (text))
    run_search_if_changed (self);
}

static void
on_search_activate_cb (BdSearchPanel  *self,
                       GtkSearchEntry *entry)
{
  g_autofree char *text = dup_entry_text (self);
  guint selected;

  /* Enter straight after typing: the debounced search may not have run, or
   * its answer may not be in yet. Open the first result once it is. */
  if (g_strcmp0 (text, self->query) != 0)
    {
      run_search (self);
      self->open_when_ready = TRUE;
      return;
    }
  if (self->cancellable != NULL)
    {
      self->open_when_ready = TRUE;
      return;
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0)
    return;

  selected = gtk_single_selection_get_selected (self->selection);
  emit_position (self, selected != GTK_INVALID_LIST_POSITION ? selected : 0, TRUE);
}

static void
on_stop_search_cb (BdSearchPanel  *self,
                   GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static gboolean
on_entry_key_pressed_cb (GtkEventControllerKey *controller,
                         guint                  keyval,
                         guint                  keycode,
                         GdkModifierType        state,
                         gpointer               user_data)
{
  BdSearchPanel *self = user_data;
  guint selected;

  if ((keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down) ||
      (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0 ||
      !gtk_widget_get_mapped (GTK_WIDGET (self->list_view)))
    return GDK_EVENT_PROPAGATE;

  selected = gtk_single_selection_get_selected (self->selection);
  if (selected == GTK_INVALID_LIST_POSITION)
    selected = 0;
  gtk_single_selection_set_selected (self->selection, selected);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", selected);
  gtk_widget_child_focus (GTK_WIDGET (self->list_view), GTK_DIR_TAB_FORWARD);

  return GDK_EVENT_STOP;
}

static gboolean
on_list_key_pressed_cb (GtkEventControllerKey *controller,
                        guint                  keyval,
                        guint                  keycode,
                        GdkModifierType        state,
                        gpointer               user_data)
{
  BdSearchPanel *self = user_data;

  if ((keyval != GDK_KEY_Up && keyval != GDK_KEY_KP_Up) ||
      (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;

  /* Up from the first result goes back to typing. */
  if (gtk_single_selection_get_selected (self->selection) != 0)
    return GDK_EVENT_PROPAGATE;

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);

  return GDK_EVENT_STOP;
}

static void
on_list_activate_cb (BdSearchPanel *self,
                     guint          position,
                     GtkListView   *list_view)
{
  emit_position (self, position, TRUE);
}

static void
on_selected_item_changed_cb (BdSearchPanel      *self,
                             GParamSpec         *pspec,
                             GtkSingleSelection *selection)
{
  BdResultSlot *slot = gtk_single_selection_get_selected_item (selection);
  BdConsumer *consumer = slot != NULL ? bd_result_slot_get_consumer (slot) : NULL;

  if (consumer != NULL)
    g_signal_emit (self, signals[SIGNAL_CONSUMER_ACTIVATED], 0, consumer, FALSE);
}

static void
on_setup_item_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  gtk_list_item_set_child (item, bd_consumer_row_new ());
}

static void
on_slot_consumer_changed_cb (BdResultSlot  *slot,
                             GParamSpec    *pspec,
                             BdConsumerRow *row)
{
  bd_consumer_row_set_consumer (row, bd_result_slot_get_consumer (slot));
}

static void
on_bind_item_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  BdResultSlot *slot = gtk_list_item_get_item (item);
  BdConsumerRow *row = BD_CONSUMER_ROW (gtk_list_item_get_child (item));

  bd_consumer_row_set_consumer (row, bd_result_slot_get_consumer (slot));
  g_signal_connect_object (slot, "notify::consumer", G_CALLBACK (on_slot_consumer_changed_cb), row, 0);
}

static void
on_unbind_item_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  BdResultSlot *slot = gtk_list_item_get_item (item);
  BdConsumerRow *row = BD_CONSUMER_ROW (gtk_list_item_get_child (item));

  g_signal_handlers_disconnect_by_func (slot, on_slot_consumer_changed_cb, row);
  bd_consumer_row_set_consumer (row, NULL);
}

static void
bd_search_panel_dispose (GObject *object)
{
  BdSearchPanel *self = BD_SEARCH_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  /* AdwBin unparents its child itself; let it, before the template
   * drops its references, so the child is not unparented twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BD_TYPE_SEARCH_PANEL);
  g_clear_object (&self->selection);
  g_clear_object (&self->view);
  g_clear_object (&self->results);
  g_clear_pointer (&self->slots, g_ptr_array_unref);

  G_OBJECT_CLASS (bd_search_panel_parent_class)->dispose (object);
}

static void
bd_search_panel_finalize (GObject *object)
{
  BdSearchPanel *self = BD_SEARCH_PANEL (object);

  g_free (self->query);

  G_OBJECT_CLASS (bd_search_panel_parent_class)->finalize (object);
}

static void
bd_search_panel_class_init (BdSearchPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_search_panel_dispose;
  object_class->finalize = bd_search_panel_finalize;

  /**
   * BdSearchPanel::consumer-activated:
   * @consumer: the consumer
   * @open: TRUE when the operator opened the result (Enter, double click),
   *   FALSE when the selection merely moved to it
   */
  signals[SIGNAL_CONSUMER_ACTIVATED] =
    g_signal_new ("consumer-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, BD_TYPE_CONSUMER, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-search-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, BdSearchPanel, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BdSearchPanel, indexing_label);
  gtk_widget_class_bind_template_child (widget_class, BdSearchPanel, count_label);
  gtk_widget_class_bind_template_child (widget_class, BdSearchPanel, results_stack);
  gtk_widget_class_bind_template_child (widget_class, BdSearchPanel, hint_page);
  gtk_widget_class_bind_template_child (widget_class, BdSearchPanel, empty_page);
  gtk_widget_class_bind_template_child (widget_class, BdSearchPanel, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate_cb);
}

static void
bd_search_panel_init (BdSearchPanel *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->results = g_list_store_new (BD_TYPE_CONSUMER);
  self->view = g_list_store_new (BD_TYPE_RESULT_SLOT);
  self->slots = g_ptr_array_new_with_free_func (g_object_unref);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->view)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selected_item_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect (factory, "setup", G_CALLBACK (on_setup_item_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind_item_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_unbind_item_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_entry_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_list_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), keys);

  gtk_search_entry_set_search_delay (self->search_entry, SEARCH_DELAY_MS);
  g_signal_connect_object (self->search_entry, "changed",
                           G_CALLBACK (on_text_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_stack_set_visible_child_name (self->results_stack, "hint");
}

GtkWidget *
bd_search_panel_new (void)
{
  return g_object_new (BD_TYPE_SEARCH_PANEL, NULL);
}

void
bd_search_panel_set_store (BdSearchPanel   *self,
                           BdConsumerStore *store)
{
  g_return_if_fail (BD_IS_SEARCH_PANEL (self));
  g_return_if_fail (store == NULL || BD_IS_CONSUMER_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  if (store == NULL)
    {
      self->consumer_count = 0;
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      update_hint (self);
    }
  update_indexing_notice (self);
  run_search (self);
}

void
bd_search_panel_set_consumer_count (BdSearchPanel *self,
                                    gint64         count)
{
  g_return_if_fail (BD_IS_SEARCH_PANEL (self));

  self->consumer_count = count;
  update_hint (self);
  update_indexing_notice (self);
}

void
bd_search_panel_set_text (BdSearchPanel *self,
                          const char    *text)
{
  g_return_if_fail (BD_IS_SEARCH_PANEL (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
  /* Programmatic text skips the typing delay. */
  run_search_if_changed (self);
}

char *
bd_search_panel_dup_text (BdSearchPanel *self)
{
  g_return_val_if_fail (BD_IS_SEARCH_PANEL (self), NULL);

  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

void
bd_search_panel_refresh (BdSearchPanel *self)
{
  g_return_if_fail (BD_IS_SEARCH_PANEL (self));

  update_indexing_notice (self);
  run_search (self);
}

void
bd_search_panel_focus_search (BdSearchPanel *self)
{
  g_return_if_fail (BD_IS_SEARCH_PANEL (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

void
bd_search_panel_set_key_capture_widget (BdSearchPanel *self,
                                        GtkWidget     *widget)
{
  g_return_if_fail (BD_IS_SEARCH_PANEL (self));

  gtk_search_entry_set_key_capture_widget (self->search_entry, widget);
}

GListModel *
bd_search_panel_get_results (BdSearchPanel *self)
{
  g_return_val_if_fail (BD_IS_SEARCH_PANEL (self), NULL);

  return G_LIST_MODEL (self->results);
}

gboolean
bd_search_panel_open_adjacent (BdSearchPanel *self,
                               int            delta)
{
  guint n_items;
  guint selected;
  gint64 target;

  g_return_val_if_fail (BD_IS_SEARCH_PANEL (self), FALSE);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  if (n_items == 0 || delta == 0)
    return FALSE;

  selected = gtk_single_selection_get_selected (self->selection);
  if (selected == GTK_INVALID_LIST_POSITION)
    target = delta > 0 ? 0 : (gint64) n_items - 1;
  else
    target = (gint64) selected + delta;
  if (target < 0 || target >= n_items)
    return FALSE;

  emit_position (self, (guint) target, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", (guint) target);

  return TRUE;
}

guint
bd_search_panel_get_selected (BdSearchPanel *self)
{
  g_return_val_if_fail (BD_IS_SEARCH_PANEL (self), GTK_INVALID_LIST_POSITION);

  return gtk_single_selection_get_selected (self->selection);
}

gint64
bd_search_panel_get_last_update_time (BdSearchPanel *self)
{
  g_return_val_if_fail (BD_IS_SEARCH_PANEL (self), 0);

  return self->last_update_us;
}

GtkWidget *
bd_search_panel_get_entry (BdSearchPanel *self)
{
  g_return_val_if_fail (BD_IS_SEARCH_PANEL (self), NULL);

  return GTK_WIDGET (self->search_entry);
}
