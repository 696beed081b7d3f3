/* bd-recharge.h: money a consumer paid at the counter, and the payment
 * request a UPI app scans. The desk creates one with a local id and queues
 * it; bijli-central credits it once per idempotency key and returns it with
 * the receipt number and the balance after.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  BD_PAYMENT_CASH,
  BD_PAYMENT_UPI,
  BD_PAYMENT_CARD,
} BdPaymentMode;

const char *bd_payment_mode_to_string   (BdPaymentMode  mode);   /* "cash", "upi", "card" */
gboolean    bd_payment_mode_from_string (const char    *text,
                                         BdPaymentMode *out);
/* Translated: "Cash", "UPI", "Card". */
const char *bd_payment_mode_to_label    (BdPaymentMode  mode);

/* The counter takes ₹10 to ₹2,00,000 in one recharge. */
#define BD_RECHARGE_MIN_PAISE G_GINT64_CONSTANT (1000)
#define BD_RECHARGE_MAX_PAISE G_GINT64_CONSTANT (20000000)

/* "500", "1,000", "₹ 1,23,456.50", "250.5": rupees with at most two decimals
 * and any grouping, to paise; a translated BD_VALIDATION_ERROR otherwise. */
gboolean  bd_rupees_parse               (const char  *input,
                                         gint64      *out_paise,
                                         GError     **error);
/* Within the counter's limits, with a translated error naming them. */
gboolean  bd_recharge_amount_check      (gint64       amount_paise,
                                         GError     **error);
/* UPI: the 12-digit UTR the payer's app shows; card: the terminal's 6
 * letter-or-digit approval code; cash: none (input must be empty). Returns
 * the normalised reference ("" for cash) or NULL with a translated error. */
char     *bd_payment_reference_normalize (BdPaymentMode  mode,
                                          const char    *input,
                                          GError       **error);

/* upi://pay?pa=…&pn=…&am=500.00&cu=INR&tr=…&tn=… (NPCI's deep-link form),
 * every value percent-encoded. */
char     *bd_upi_payment_uri            (const char  *payee_vpa,
                                         const char  *payee_name,
                                         gint64       amount_paise,
                                         const char  *transaction_ref,
                                         const char  *note);

typedef struct {
  char          *local_id;             /* the desk's id, also the idempotency key */
  char          *receipt;              /* server's receipt number; NULL until confirmed */
  char          *account;
  gint64         amount_paise;
  BdPaymentMode  mode;
  char          *reference;            /* "" for cash */
  gint64         created_at;           /* taken at the counter */
  char          *created_by;
  gint64         credited_at;          /* 0 until credited */
  gint64         balance_after_paise;
  gboolean       reconnected;
} BdRecharge;

BdRecharge *bd_recharge_new   (const char       *local_id,
                               const char       *account);
BdRecharge *bd_recharge_copy  (const BdRecharge *recharge);
void        bd_recharge_free  (BdRecharge       *recharge);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdRecharge, bd_recharge_free)

/* The request body: {"local_id","amount_paise","mode","reference","created_at"}. */
JsonNode   *bd_recharge_request_to_json   (const BdRecharge *recharge);
BdRecharge *bd_recharge_request_from_json (const char       *account,
                                           JsonNode         *node,
                                           GError          **error);
/* The full record, as the server returns it. */
JsonNode   *bd_recharge_to_json   (const BdRecharge *recharge);
BdRecharge *bd_recharge_from_json (JsonNode         *node,
                                   GError          **error);

G_END_DECLS
