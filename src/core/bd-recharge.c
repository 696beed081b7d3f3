/* bd-recharge.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-recharge.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "bd-codec.h"
#include "bd-codec-private.h"
#include "bd-money.h"
#include "bd-validate.h"

const char *
bd_payment_mode_to_string (BdPaymentMode mode)
{
  switch (mode)
    {
    case BD_PAYMENT_UPI:  return "upi";
    case BD_PAYMENT_CARD: return "card";
    case BD_PAYMENT_CASH:
    default:              return "cash";
    }
}

gboolean
bd_payment_mode_from_string (const char    *text,
                             BdPaymentMode *out)
{
  if (g_strcmp0 (text, "cash") == 0)
    *out = BD_PAYMENT_CASH;
  else if (g_strcmp0 (text, "upi") == 0)
    *out = BD_PAYMENT_UPI;
  else if (g_strcmp0 (text, "card") == 0)
    *out = BD_PAYMENT_CARD;
  else
    return FALSE;
  return TRUE;
}

const char *
bd_payment_mode_to_label (BdPaymentMode mode)
{
  switch (mode)
    {
    case BD_PAYMENT_UPI:  return _("UPI");
    case BD_PAYMENT_CARD: return _("Card");
    case BD_PAYMENT_CASH:
    default:              return _("Cash");
    }
}

gboolean
bd_rupees_parse (const char  *input,
                 gint64      *out_paise,
                 GError     **error)
{
  gint64 rupees = 0;
  int decimals = -1;
  int paise = 0;
  gboolean any_digit = FALSE;
  const char *p = input != NULL ? input : "";

  /* The rupee sign, "Rs" and spaces around are what people type. */
  while (g_unichar_isspace (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  if (g_str_has_prefix (p, "₹"))
    p += strlen ("₹");
  else if (g_ascii_strncasecmp (p, "rs", 2) == 0)
    p += p[2] == '.' ? 3 : 2;

  if (*p == '\0' && !any_digit)
    {
      for (const char *q = input != NULL ? input : ""; *q != '\0'; q++)
        if (!g_ascii_isspace (*q))
          goto bad;
      g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                   _("Enter an amount in rupees."));
      return FALSE;
    }
  for (; *p != '\0'; p++)
    {
      if (*p == ' ' && decimals < 0)
        continue;
      if (*p == ',' && decimals < 0 && any_digit)
        continue;
      if (*p == '.' && decimals < 0)
        {
          decimals = 0;
          continue;
        }
      if (!g_ascii_isdigit (*p))
        goto bad;
      any_digit = TRUE;
      if (decimals < 0)
        {
          if (rupees > G_GINT64_CONSTANT (100000000000))
            goto bad;
          rupees = rupees * 10 + (*p - '0');
        }
      else if (++decimals <= 2)
        paise = paise * 10 + (*p - '0');
      else
        {
          g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE,
                       _("An amount has at most two digits after the decimal point."));
          return FALSE;
        }
    }
  if (!any_digit)
    goto bad;
  if (decimals == 1)
    paise *= 10;
  *out_paise = rupees * 100 + paise;
  return TRUE;

bad:
  g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE,
               _("Enter the amount in rupees, like 500 or 1,250.50."));
  return FALSE;
}

gboolean
bd_recharge_amount_check (gint64   amount_paise,
                          GError **error)
{
  if (amount_paise < BD_RECHARGE_MIN_PAISE || amount_paise > BD_RECHARGE_MAX_PAISE)
    {
      g_autofree char *min = bd_format_paise (BD_RECHARGE_MIN_PAISE);
      g_autofree char *max = bd_format_paise (BD_RECHARGE_MAX_PAISE);

      /* Translators: the limits of one recharge at the counter, e.g.
       * "A recharge must be between ₹10.00 and ₹2,00,000.00." */
      g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE,
                   _("A recharge must be between %s and %s."), min, max);
      return FALSE;
    }
  return TRUE;
}

char *
bd_payment_reference_normalize (BdPaymentMode  mode,
                                const char    *input,
                                GError       **error)
{
  g_autoptr(GString) clean = g_string_new (NULL);

  for (const char *p = input != NULL ? input : ""; *p != '\0'; p++)
    if (*p != ' ' && *p != '-')
      g_string_append_c (clean, g_ascii_toupper (*p));

  switch (mode)
    {
    case BD_PAYMENT_CASH:
      return g_strdup ("");
    case BD_PAYMENT_UPI:
      if (clean->len == 0)
        {
          g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                       _("Enter the 12-digit UTR from the consumer's UPI app."));
          return NULL;
        }
      if (clean->len != 12 || strspn (clean->str, "0123456789") != 12)
        {
          g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE,
                       _("A UPI transaction reference (UTR) is 12 digits."));
          return NULL;
        }
      return g_string_free (g_steal_pointer (&clean), FALSE);
    case BD_PAYMENT_CARD:
    default:
      if (clean->len == 0)
        {
          g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                       _("Enter the approval code printed on the card slip."));
          return NULL;
        }
      if (clean->len != 6 || strspn (clean->str, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 6)
        {
          g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE,
                       _("A card approval code is 6 letters or digits."));
          return NULL;
        }
      return g_string_free (g_steal_pointer (&clean), FALSE);
    }
}

static void
append_param (GString    *uri,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_printf (uri, "%s%s=%s", uri->str[uri->len - 1] == '?' ? "" : "&", name, escaped);
}

char *
bd_upi_payment_uri (const char *payee_vpa,
                    const char *payee_name,
                    gint64      amount_paise,
                    const char *transaction_ref,
                    const char *note)
{
  GString *uri = g_string_new ("upi://pay?");
  g_autofree char *amount = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d",
                                             amount_paise / 100, (int) (amount_paise % 100));

  append_param (uri, "pa", payee_vpa);
  append_param (uri, "pn", payee_name);
  append_param (uri, "am", amount);
  append_param (uri, "cu", "INR");
  if (transaction_ref != NULL && *transaction_ref != '\0')
    append_param (uri, "tr", transaction_ref);
  if (note != NULL && *note != '\0')
    append_param (uri, "tn", note);
  return g_string_free (uri, FALSE);
}

BdRecharge *
bd_recharge_new (const char *local_id,
                 const char *account)
{
  BdRecharge *recharge = g_new0 (BdRecharge, 1);

  recharge->local_id = g_strdup (local_id);
  recharge->account = g_strdup (account);
  recharge->reference = g_strdup ("");
  recharge->created_by = g_strdup ("");
  return recharge;
}

BdRecharge *
bd_recharge_copy (const BdRecharge *recharge)
{
  BdRecharge *copy = g_memdup2 (recharge, sizeof *recharge);

  copy->local_id = g_strdup (recharge->local_id);
  copy->receipt = g_strdup (recharge->receipt);
  copy->account = g_strdup (recharge->account);
  copy->reference = g_strdup (recharge->reference);
  copy->created_by = g_strdup (recharge->created_by);
  return copy;
}

void
bd_recharge_free (BdRecharge *recharge)
{
  if (recharge == NULL)
    return;
  g_free (recharge->local_id);
  g_free (recharge->receipt);
  g_free (recharge->account);
  g_free (recharge->reference);
  g_free (recharge->created_by);
  g_free (recharge);
}

JsonNode *
bd_recharge_request_to_json (const BdRecharge *recharge)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "local_id", recharge->local_id);
  _bd_codec_add_int (builder, "amount_paise", recharge->amount_paise);
  _bd_codec_add_string (builder, "mode", bd_payment_mode_to_string (recharge->mode));
  _bd_codec_add_string (builder, "reference", recharge->reference);
  _bd_codec_add_time (builder, "created_at", recharge->created_at, FALSE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
parse_mode (const char *text,
            int        *out)
{
  BdPaymentMode mode;

  if (!bd_payment_mode_from_string (text, &mode))
    return FALSE;
  *out = (int) mode;
  return TRUE;
}

static gboolean
read_request_fields (JsonObject  *object,
                     BdRecharge  *recharge,
                     GError     **error)
{
  int mode = 0;
  g_autofree char *reference = NULL;
  g_autofree char *normal = NULL;

  if (!_bd_codec_read_int (object, "amount_paise", BD_RECHARGE_MIN_PAISE, BD_RECHARGE_MAX_PAISE,
                           &recharge->amount_paise, error) ||
      !_bd_codec_read_enum (object, "mode", parse_mode, &mode, error) ||
      !_bd_codec_read_string (object, "reference", FALSE, 32, &reference, error) ||
      !_bd_codec_read_time (object, "created_at", FALSE, &recharge->created_at, error))
    return FALSE;
  recharge->mode = (BdPaymentMode) mode;
  normal = bd_payment_reference_normalize (recharge->mode, reference, NULL);
  if (normal == NULL || (recharge->mode == BD_PAYMENT_CASH && *reference != '\0') ||
      g_strcmp0 (normal, reference) != 0)
    return _bd_codec_invalid (error, "reference");
  g_free (recharge->reference);
  recharge->reference = g_steal_pointer (&normal);
  return TRUE;
}

static gboolean
valid_local_id (const char *id)
{
  /* The desk's ids are UUIDs; anything printable up to 64 bytes is fine. */
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

BdRecharge *
bd_recharge_request_from_json (const char  *account,
                               JsonNode    *node,
                               GError     **error)
{
  JsonObject *object = _bd_codec_expect_object (node, "recharge", error);
  g_autofree char *local_id = NULL;
  g_autoptr(BdRecharge) recharge = NULL;

  if (object == NULL ||
      !_bd_codec_read_string (object, "local_id", FALSE, 64, &local_id, error))
    return NULL;
  if (!valid_local_id (local_id))
    {
      _bd_codec_invalid (error, "local_id");
      return NULL;
    }
  recharge = bd_recharge_new (local_id, account);
  if (!read_request_fields (object, recharge, error))
    return NULL;
  return g_steal_pointer (&recharge);
}

JsonNode *
bd_recharge_to_json (const BdRecharge *recharge)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "local_id", recharge->local_id);
  _bd_codec_add_string_or_null (builder, "receipt", recharge->receipt);
  _bd_codec_add_string (builder, "account", recharge->account);
  _bd_codec_add_int (builder, "amount_paise", recharge->amount_paise);
  _bd_codec_add_string (builder, "mode", bd_payment_mode_to_string (recharge->mode));
  _bd_codec_add_string (builder, "reference", recharge->reference);
  _bd_codec_add_time (builder, "created_at", recharge->created_at, FALSE);
  _bd_codec_add_string (builder, "created_by", recharge->created_by);
  _bd_codec_add_time (builder, "credited_at", recharge->credited_at, TRUE);
  _bd_codec_add_int (builder, "balance_after_paise", recharge->balance_after_paise);
  json_builder_set_member_name (builder, "reconnected");
  json_builder_add_boolean_value (builder, recharge->reconnected);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

BdRecharge *
bd_recharge_from_json (JsonNode  *node,
                       GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, "recharge", error);
  g_autofree char *local_id = NULL;
  g_autofree char *account = NULL;
  g_autoptr(BdRecharge) recharge = NULL;

  if (object == NULL ||
      !_bd_codec_read_string (object, "local_id", FALSE, 64, &local_id, error) ||
      !_bd_codec_read_string (object, "account", FALSE, 12, &account, error))
    return NULL;
  if (!valid_local_id (local_id))
    {
      _bd_codec_invalid (error, "local_id");
      return NULL;
    }
  recharge = bd_recharge_new (local_id, account);
  g_clear_pointer (&recharge->created_by, g_free);
  if (!read_request_fields (object, recharge, error) ||
      !_bd_codec_read_string (object, "receipt", TRUE, 40, &recharge->receipt, error) ||
      !_bd_codec_read_string (object, "created_by", FALSE, 64, &recharge->created_by, error) ||
      !_bd_codec_read_time (object, "credited_at", TRUE, &recharge->credited_at, error) ||
      !_bd_codec_read_int (object, "balance_after_paise", -G_GINT64_CONSTANT (100000000000),
                           G_GINT64_CONSTANT (100000000000), &recharge->balance_after_paise, error) ||
      !_bd_codec_read_bool (object, "reconnected", &recharge->reconnected, error))
    return NULL;
  return g_steal_pointer (&recharge);
}
