/* bd-complaint.c: the complaint record and its wire codec.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bd-codec.h"
#include "bd-codec-private.h"
#include "bd-complaint.h"

#define MAX_TEXT_CHARS        1024
#define MAX_DESCRIPTION_CHARS 2000
#define MAX_EVENTS            1000

static const char *const category_names[] = {
  "no_supply_single", "no_supply_area", "meter_faulty", "meter_burnt", "meter_fast",
  "recharge_not_credited", "wrong_deduction", "voltage", "transformer", "cable",
  "street_light", "theft", "load_change", "other",
};
G_STATIC_ASSERT (G_N_ELEMENTS (category_names) == BD_COMPLAINT_N_CATEGORIES);

static const char *const status_names[] = {
  "new", "assigned", "in_progress", "resolved", "closed", "reopened", "escalated", "rejected",
};

static const char *const action_names[] = {
  "file", "assign", "start", "pause", "resume", "resolve", "close", "reopen", "escalate",
  "reject", "add_caller",
};

static const char *const channel_names[] = {
  "counter", "phone", "app", "walk_in",
};

static gboolean
lookup_name (const char *const *names,
             guint              n_names,
             const char        *text,
             int               *out)
{
  for (guint i = 0; text != NULL && i < n_names; i++)
    if (g_str_equal (names[i], text))
      {
        *out = (int) i;
        return TRUE;
      }
  return FALSE;
}

#define NAMED_ENUM(Type, prefix, names)                                          \
  const char *prefix##_to_string (Type value)                                    \
  {                                                                              \
    g_return_val_if_fail ((guint) value < G_N_ELEMENTS (names), NULL);           \
    return names[value];                                                         \
  }                                                                              \
  gboolean prefix##_from_string (const char *text, Type *out)                    \
  {                                                                              \
    int value;                                                                   \
    if (!lookup_name (names, G_N_ELEMENTS (names), text, &value))                \
      return FALSE;                                                              \
    *out = (Type) value;                                                         \
    return TRUE;                                                                 \
  }                                                                              \
  static gboolean parse_##prefix (const char *text, int *out)                    \
  {                                                                              \
    return lookup_name (names, G_N_ELEMENTS (names), text, out);                 \
  }

NAMED_ENUM (BdComplaintCategory, bd_complaint_category, category_names)
NAMED_ENUM (BdComplaintStatus, bd_complaint_status, status_names)
NAMED_ENUM (BdComplaintAction, bd_complaint_action, action_names)
NAMED_ENUM (BdComplaintChannel, bd_complaint_channel, channel_names)

const char *
bd_complaint_category_label (BdComplaintCategory category)
{
  switch (category)
    {
    case BD_COMPLAINT_NO_SUPPLY_SINGLE: return _("No supply — this premises");
    case BD_COMPLAINT_NO_SUPPLY_AREA: return _("No supply — whole area");
    case BD_COMPLAINT_METER_FAULTY: return _("Meter faulty or stopped");
    case BD_COMPLAINT_METER_BURNT: return _("Meter burnt");
    case BD_COMPLAINT_METER_FAST: return _("Meter running fast or jumping");
    case BD_COMPLAINT_RECHARGE_NOT_CREDITED: return _("Recharge not credited");
    case BD_COMPLAINT_WRONG_DEDUCTION: return _("Wrong deduction or bill");
    case BD_COMPLAINT_VOLTAGE: return _("Low or high voltage");
    case BD_COMPLAINT_TRANSFORMER: return _("Transformer failure");
    case BD_COMPLAINT_CABLE: return _("Cable or line fault");
    case BD_COMPLAINT_STREET_LIGHT: return _("Street light");
    case BD_COMPLAINT_THEFT: return _("Theft or unauthorised use");
    case BD_COMPLAINT_LOAD_CHANGE: return _("New connection or load change");
    case BD_COMPLAINT_OTHER: return _("Other");
    case BD_COMPLAINT_N_CATEGORIES:
    default: break;
    }
  g_return_val_if_reached (NULL);
}

const char *
bd_complaint_status_label (BdComplaintStatus status)
{
  switch (status)
    {
    case BD_COMPLAINT_STATUS_NEW: return _("New");
    case BD_COMPLAINT_STATUS_ASSIGNED: return _("Assigned");
    case BD_COMPLAINT_STATUS_IN_PROGRESS: return _("In progress");
    case BD_COMPLAINT_STATUS_RESOLVED: return _("Resolved — awaiting confirmation");
    case BD_COMPLAINT_STATUS_CLOSED: return _("Closed");
    case BD_COMPLAINT_STATUS_REOPENED: return _("Reopened");
    case BD_COMPLAINT_STATUS_ESCALATED: return _("Escalated");
    case BD_COMPLAINT_STATUS_REJECTED: return _("Rejected");
    default: break;
    }
  g_return_val_if_reached (NULL);
}

const char *
bd_complaint_action_label (BdComplaintAction action)
{
  switch (action)
    {
    case BD_COMPLAINT_ACTION_FILE: return _("Filed");
    case BD_COMPLAINT_ACTION_ASSIGN: return _("Assigned");
    case BD_COMPLAINT_ACTION_START: return _("Work started");
    case BD_COMPLAINT_ACTION_PAUSE: return _("Paused");
    case BD_COMPLAINT_ACTION_RESUME: return _("Resumed");
    case BD_COMPLAINT_ACTION_RESOLVE: return _("Resolved");
    case BD_COMPLAINT_ACTION_CLOSE: return _("Closed");
    case BD_COMPLAINT_ACTION_REOPEN: return _("Reopened");
    case BD_COMPLAINT_ACTION_ESCALATE: return _("Escalated");
    case BD_COMPLAINT_ACTION_REJECT: return _("Rejected");
    case BD_COMPLAINT_ACTION_ADD_CALLER: return _("Another caller");
    default: break;
    }
  g_return_val_if_reached (NULL);
}

const char *
bd_complaint_channel_label (BdComplaintChannel channel)
{
  switch (channel)
    {
    case BD_COMPLAINT_CHANNEL_COUNTER: return _("Counter");
    case BD_COMPLAINT_CHANNEL_PHONE: return _("1912 phone");
    case BD_COMPLAINT_CHANNEL_APP: return _("App");
    case BD_COMPLAINT_CHANNEL_WALK_IN: return _("Walk-in");
    default: break;
    }
  g_return_val_if_reached (NULL);
}

gboolean
bd_complaint_status_is_open (BdComplaintStatus status)
{
  return status == BD_COMPLAINT_STATUS_NEW || status == BD_COMPLAINT_STATUS_ASSIGNED ||
         status == BD_COMPLAINT_STATUS_IN_PROGRESS || status == BD_COMPLAINT_STATUS_REOPENED ||
         status == BD_COMPLAINT_STATUS_ESCALATED;
}

/* ---- events -------------------------------------------------------------- */

BdComplaintEvent *
bd_complaint_event_new (gint64             at,
                        const char        *by,
                        BdRole             role,
                        BdComplaintAction  action,
                        BdComplaintStatus  from_status,
                        BdComplaintStatus  to_status,
                        const char        *note)
{
  BdComplaintEvent *event = g_new0 (BdComplaintEvent, 1);

  event->at = at;
  event->by = g_strdup (by);
  event->role = role;
  event->action = action;
  event->from_status = from_status;
  event->to_status = to_status;
  event->note = g_strdup (note);
  return event;
}

BdComplaintEvent *
bd_complaint_event_copy (const BdComplaintEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return bd_complaint_event_new (event->at, event->by, event->role, event->action,
                                 event->from_status, event->to_status, event->note);
}

void
bd_complaint_event_free (BdComplaintEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->by);
  g_free (event->note);
  g_free (event);
}

/* ---- the complaint ------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (BdComplaint, bd_complaint, bd_complaint_copy, bd_complaint_free)

BdComplaint *
bd_complaint_new (void)
{
  BdComplaint *complaint = g_new0 (BdComplaint, 1);

  complaint->pauses = g_array_new (FALSE, TRUE, sizeof (BdComplaintPause));
  complaint->events = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_complaint_event_free);
  complaint->callers = 1;
  return complaint;
}

BdComplaint *
bd_complaint_copy (const BdComplaint *complaint)
{
  BdComplaint *copy;

  g_return_val_if_fail (complaint != NULL, NULL);

  copy = bd_complaint_new ();
  copy->id = g_strdup (complaint->id);
  copy->number = g_strdup (complaint->number);
  copy->account = g_strdup (complaint->account);
  copy->zone = g_strdup (complaint->zone);
  copy->category = complaint->category;
  copy->description = g_strdup (complaint->description);
  copy->contact_mobile = g_strdup (complaint->contact_mobile);
  copy->channel = complaint->channel;
  copy->feeder = g_strdup (complaint->feeder);
  copy->dt = g_strdup (complaint->dt);
  copy->pole = g_strdup (complaint->pole);
  copy->area_type = complaint->area_type;
  copy->status = complaint->status;
  copy->assigned_to = g_strdup (complaint->assigned_to);
  copy->escalation_level = complaint->escalation_level;
  copy->callers = complaint->callers;
  copy->created_at = complaint->created_at;
  copy->created_by = g_strdup (complaint->created_by);
  copy->resolved_at = complaint->resolved_at;
  copy->closed_at = complaint->closed_at;
  g_array_append_vals (copy->pauses, complaint->pauses->data, complaint->pauses->len);
  copy->sla_allowed_s = complaint->sla_allowed_s;
  copy->compensation_per_day_paise = complaint->compensation_per_day_paise;
  copy->version = complaint->version;
  copy->updated_at = complaint->updated_at;
  for (guint i = 0; i < complaint->events->len; i++)
    g_ptr_array_add (copy->events, bd_complaint_event_copy (g_ptr_array_index (complaint->events, i)));
  return copy;
}

void
bd_complaint_free (BdComplaint *complaint)
{
  if (complaint == NULL)
    return;
  g_free (complaint->id);
  g_free (complaint->number);
  g_free (complaint->account);
  g_free (complaint->zone);
  g_free (complaint->description);
  g_free (complaint->contact_mobile);
  g_free (complaint->feeder);
  g_free (complaint->dt);
  g_free (complaint->pole);
  g_free (complaint->assigned_to);
  g_free (complaint->created_by);
  g_array_unref (complaint->pauses);
  g_ptr_array_unref (complaint->events);
  g_free (complaint);
}

gboolean
bd_complaint_is_paused (const BdComplaint *complaint)
{
  g_return_val_if_fail (complaint != NULL, FALSE);

  return complaint->pauses->len > 0 &&
         g_array_index (complaint->pauses, BdComplaintPause, complaint->pauses->len - 1).end == 0;
}

/* ---- codec ---------------------------------------------------------------- */

JsonNode *
bd_complaint_to_json (const BdComplaint *complaint)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (complaint != NULL, NULL);

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "id", complaint->id);
  _bd_codec_add_string (builder, "number", complaint->number);
  _bd_codec_add_string_or_null (builder, "account", complaint->account);
  _bd_codec_add_string (builder, "zone", complaint->zone);
  _bd_codec_add_string (builder, "category", bd_complaint_category_to_string (complaint->category));
  _bd_codec_add_string (builder, "description", complaint->description);
  _bd_codec_add_string_or_null (builder, "contact_mobile", complaint->contact_mobile);
  _bd_codec_add_string (builder, "channel", bd_complaint_channel_to_string (complaint->channel));
  _bd_codec_add_string_or_null (builder, "feeder", complaint->feeder);
  _bd_codec_add_string_or_null (builder, "dt", complaint->dt);
  _bd_codec_add_string_or_null (builder, "pole", complaint->pole);
  _bd_codec_add_string (builder, "area_type", bd_area_type_to_string (complaint->area_type));
  _bd_codec_add_string (builder, "status", bd_complaint_status_to_string (complaint->status));
  _bd_codec_add_string_or_null (builder, "assigned_to", complaint->assigned_to);
  _bd_codec_add_int (builder, "escalation_level", complaint->escalation_level);
  _bd_codec_add_int (builder, "callers", complaint->callers);
  _bd_codec_add_time (builder, "created_at", complaint->created_at, FALSE);
  _bd_codec_add_string (builder, "created_by", complaint->created_by);
  _bd_codec_add_time (builder, "resolved_at", complaint->resolved_at, TRUE);
  _bd_codec_add_time (builder, "closed_at", complaint->closed_at, TRUE);
  _bd_codec_add_int (builder, "sla_allowed_s", complaint->sla_allowed_s);
  _bd_codec_add_int (builder, "compensation_per_day_paise", complaint->compensation_per_day_paise);

  json_builder_set_member_name (builder, "pauses");
  json_builder_begin_array (builder);
  for (guint i = 0; i < complaint->pauses->len; i++)
    {
      const BdComplaintPause *pause = &g_array_index (complaint->pauses, BdComplaintPause, i);

      json_builder_begin_object (builder);
      _bd_codec_add_time (builder, "start", pause->start, FALSE);
      _bd_codec_add_time (builder, "end", pause->end, TRUE);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < complaint->events->len; i++)
    {
      const BdComplaintEvent *event = g_ptr_array_index (complaint->events, i);

      json_builder_begin_object (builder);
      _bd_codec_add_time (builder, "at", event->at, FALSE);
      _bd_codec_add_string (builder, "by", event->by);
      _bd_codec_add_string (builder, "role", bd_role_to_string (event->role));
      _bd_codec_add_string (builder, "action", bd_complaint_action_to_string (event->action));
      _bd_codec_add_string (builder, "from_status", bd_complaint_status_to_string (event->from_status));
      _bd_codec_add_string (builder, "to_status", bd_complaint_status_to_string (event->to_status));
      _bd_codec_add_string_or_null (builder, "note", event->note);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  _bd_codec_add_int (builder, "version", complaint->version);
  _bd_codec_add_time (builder, "updated_at", complaint->updated_at, FALSE);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* 10 digits from 6 to 9 first, as bd_mobile_normalize() gives them. */
static gboolean
is_mobile (const char *text)
{
  if (strlen (text) != 10 || text[0] < '6' || text[0] > '9')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
parse_role (const char *text,
            int        *out)
{
  BdRole role;

  if (!bd_role_from_string (text, &role))
    return FALSE;
  *out = (int) role;
  return TRUE;
}

static gboolean
parse_area_type (const char *text,
                 int        *out)
{
  BdAreaType area;

  if (!bd_area_type_from_string (text, &area))
    return FALSE;
  *out = (int) area;
  return TRUE;
}

static BdComplaintEvent *
event_from_json (JsonNode  *node,
                 GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, "a complaint event", error);
  g_autoptr(BdComplaintEvent) event = NULL;
  int role, action, from_status, to_status;

  if (object == NULL)
    return NULL;
  event = g_new0 (BdComplaintEvent, 1);
  if (!_bd_codec_read_time (object, "at", FALSE, &event->at, error) ||
      !_bd_codec_read_string (object, "by", FALSE, 64, &event->by, error) ||
      !_bd_codec_read_enum (object, "role", parse_role, &role, error) ||
      !_bd_codec_read_enum (object, "action", parse_bd_complaint_action, &action, error) ||
      !_bd_codec_read_enum (object, "from_status", parse_bd_complaint_status, &from_status, error) ||
      !_bd_codec_read_enum (object, "to_status", parse_bd_complaint_status, &to_status, error) ||
      !_bd_codec_read_string (object, "note", TRUE, MAX_TEXT_CHARS, &event->note, error))
    return NULL;
  event->role = role;
  event->action = action;
  event->from_status = from_status;
  event->to_status = to_status;
  return g_steal_pointer (&event);
}

BdComplaint *
bd_complaint_from_json (JsonNode  *node,
                        GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, "a complaint", error);
  g_autoptr(BdComplaint) complaint = NULL;
  JsonArray *pauses;
  JsonArray *events;
  gint64 escalation, callers;
  int category, channel, area, status;

  if (object == NULL)
    return NULL;

  complaint = bd_complaint_new ();
  if (!_bd_codec_read_string (object, "id", FALSE, 64, &complaint->id, error) ||
      !_bd_codec_read_string (object, "number", FALSE, 32, &complaint->number, error) ||
      !_bd_codec_read_string (object, "account", TRUE, 32, &complaint->account, error) ||
      !_bd_codec_read_string (object, "zone", FALSE, 32, &complaint->zone, error) ||
      !_bd_codec_read_enum (object, "category", parse_bd_complaint_category, &category, error) ||
      !_bd_codec_read_string (object, "description", FALSE, MAX_DESCRIPTION_CHARS, &complaint->description, error) ||
      !_bd_codec_read_string (object, "contact_mobile", TRUE, 16, &complaint->contact_mobile, error) ||
      !_bd_codec_read_enum (object, "channel", parse_bd_complaint_channel, &channel, error) ||
      !_bd_codec_read_string (object, "feeder", TRUE, 64, &complaint->feeder, error) ||
      !_bd_codec_read_string (object, "dt", TRUE, 64, &complaint->dt, error) ||
      !_bd_codec_read_string (object, "pole", TRUE, 64, &complaint->pole, error) ||
      !_bd_codec_read_enum (object, "area_type", parse_area_type, &area, error) ||
      !_bd_codec_read_enum (object, "status", parse_bd_complaint_status, &status, error) ||
      !_bd_codec_read_string (object, "assigned_to", TRUE, 128, &complaint->assigned_to, error) ||
      !_bd_codec_read_int (object, "escalation_level", 0, 2, &escalation, error) ||
      !_bd_codec_read_int (object, "callers", 1, G_MAXINT32, &callers, error) ||
      !_bd_codec_read_time (object, "created_at", FALSE, &complaint->created_at, error) ||
      !_bd_codec_read_string (object, "created_by", FALSE, 64, &complaint->created_by, error) ||
      !_bd_codec_read_time (object, "resolved_at", TRUE, &complaint->resolved_at, error) ||
      !_bd_codec_read_time (object, "closed_at", TRUE, &complaint->closed_at, error) ||
      !_bd_codec_read_int (object, "sla_allowed_s", 0, G_MAXINT32, &complaint->sla_allowed_s, error) ||
      !_bd_codec_read_int (object, "compensation_per_day_paise", 0, G_MAXINT32,
                           &complaint->compensation_per_day_paise, error) ||
      !_bd_codec_read_int (object, "version", 1, G_MAXINT64, &complaint->version, error) ||
      !_bd_codec_read_time (object, "updated_at", FALSE, &complaint->updated_at, error))
    return NULL;

  complaint->category = category;
  complaint->channel = channel;
  complaint->area_type = area;
  complaint->status = status;
  complaint->escalation_level = (gint) escalation;
  complaint->callers = (gint) callers;

  if (complaint->contact_mobile != NULL && !is_mobile (complaint->contact_mobile))
    {
      _bd_codec_invalid (error, "contact_mobile");
      return NULL;
    }

  pauses = _bd_codec_read_array (object, "pauses", error);
  if (pauses == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (pauses); i++)
    {
      JsonObject *item = _bd_codec_expect_object (json_array_get_element (pauses, i), "a pause", error);
      BdComplaintPause pause;

      if (item == NULL ||
          !_bd_codec_read_time (item, "start", FALSE, &pause.start, error) ||
          !_bd_codec_read_time (item, "end", TRUE, &pause.end, error))
        return NULL;
      if (pause.end != 0 && pause.end < pause.start)
        {
          _bd_codec_invalid (error, "pauses");
          return NULL;
        }
      g_array_append_val (complaint->pauses, pause);
    }

  events = _bd_codec_read_array (object, "events", error);
  if (events == NULL)
    return NULL;
  if (json_array_get_length (events) > MAX_EVENTS)
    {
      _bd_codec_invalid (error, "events");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      BdComplaintEvent *event = event_from_json (json_array_get_element (events, i), error);

      if (event == NULL)
        return NULL;
      g_ptr_array_add (complaint->events, event);
    }

  return g_steal_pointer (&complaint);
}
