/* bd-about.c: the About window.
 *
 * The release notes come from the AppStream metainfo, bundled in the
 * resources, so software centres and the About window tell the same
 * story. AdwAboutWindow can read metainfo itself only from libadwaita
 * 1.5; on 1.2 we take the newest release's description with GMarkup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-about.h"

#define METAINFO_RESOURCE "/io/github/bijlidesk/BijliDesk/metainfo.xml"
#define WEBSITE "https://github.com/bijlidesk/bijli-desk"
#define ISSUES "https://github.com/bijlidesk/bijli-desk/issues"

typedef struct {
  GString  *notes;
  char     *version;
  gboolean  in_release;     /* inside the first <release> */
  gboolean  in_description; /* inside its <description> */
  gboolean  done;           /* the first release has been read */
} NotesParser;

static const char *markup_tags[] = { "p", "ul", "ol", "li", "em", "code", NULL };

static gboolean
is_markup_tag (const char *name)
{
  return g_strv_contains (markup_tags, name);
}

static void
on_start_element (GMarkupParseContext  *context,
                  const char           *element_name,
                  const char          **attribute_names,
                  const char          **attribute_values,
                  gpointer              user_data,
                  GError              **error)
{
  NotesParser *parser = user_data;

  if (parser->done)
    return;

  if (!parser->in_release && g_str_equal (element_name, "release"))
    {
      for (guint i = 0; attribute_names[i] != NULL; i++)
        if (g_str_equal (attribute_names[i], "version"))
          parser->version = g_strdup (attribute_values[i]);
      parser->in_release = TRUE;
      return;
    }

  if (parser->in_release && g_str_equal (element_name, "description"))
    {
      parser->in_description = TRUE;
      return;
    }

  if (parser->in_description && is_markup_tag (element_name))
    g_string_append_printf (parser->notes, "<%s>", element_name);
}

static void
on_end_element (GMarkupParseContext  *context,
                const char           *element_name,
                gpointer              user_data,
                GError              **error)
{
  NotesParser *parser = user_data;

  if (parser->done)
    return;

  if (parser->in_description && g_str_equal (element_name, "description"))
    parser->in_description = FALSE;
  else if (parser->in_description && is_markup_tag (element_name))
    g_string_append_printf (parser->notes, "</%s>", element_name);
  else if (parser->in_release && g_str_equal (element_name, "release"))
    parser->done = TRUE;
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 text_len,
         gpointer              user_data,
         GError              **error)
{
  NotesParser *parser = user_data;
  g_autofree char *escaped = NULL;

  if (parser->done || !parser->in_description)
    return;

  escaped = g_markup_escape_text (text, (gssize) text_len);
  g_string_append (parser->notes, escaped);
}

static const GMarkupParser notes_parser_funcs = {
  on_start_element, on_end_element, on_text, NULL, NULL,
};

static char *
dup_release_notes (char **out_version)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize size = 0;
  char *notes;

  bytes = g_resources_lookup_data (METAINFO_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    {
      g_warning ("Could not read the bundled metainfo: %s", error->message);
      return NULL;
    }

  data = g_bytes_get_data (bytes, &size);
  notes = bd_about_release_notes_from_metainfo (data, (gssize) size, out_version, &error);
  if (notes == NULL)
    g_warning ("Could not read the release notes from the metainfo: %s", error->message);

  return notes;
}

char *
bd_about_release_notes_from_metainfo (const char  *xml,
                                      gssize       length,
                                      char       **out_version,
                                      GError     **error)
{
  g_autoptr(GMarkupParseContext) context = NULL;
  NotesParser parser = { 0 };
  g_autofree char *version = NULL;
  g_autofree char *notes = NULL;

  g_return_val_if_fail (xml != NULL, NULL);

  parser.notes = g_string_new (NULL);
  context = g_markup_parse_context_new (&notes_parser_funcs, G_MARKUP_DEFAULT_FLAGS, &parser, NULL);
  if (!g_markup_parse_context_parse (context, xml, length, error) ||
      !g_markup_parse_context_end_parse (context, error))
    {
      g_string_free (parser.notes, TRUE);
      g_free (parser.version);
      return NULL;
    }

  version = parser.version;
  notes = g_strstrip (g_string_free (parser.notes, FALSE));
  if (!parser.done || *notes == '\0')
    {
      g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                           "The metainfo has no release with a description");
      return NULL;
    }

  if (out_version != NULL)
    *out_version = g_steal_pointer (&version);

  return g_steal_pointer (&notes);
}

/* GTK 4.8 leaves a dialog pointing at its parent once the parent is gone
 * (quitting with the About window open), and the dialog's disposal then
 * touches freed memory: let go of the parent while it is still alive. */
static void
on_parent_destroyed_cb (GtkWindow *about,
                        GtkWidget *parent)
{
  gtk_window_set_transient_for (about, NULL);
  gtk_window_destroy (about);
}

void
bd_about_show (GtkWindow *parent)
{
  static const char *developers[] = { "The Bijli Desk developers", NULL };
  g_autofree char *notes = NULL;
  g_autofree char *notes_version = NULL;
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  adw_about_window_set_application_name (about, _("Bijli Desk"));
  adw_about_window_set_application_icon (about, APPLICATION_ID);
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_developer_name (about, _("The Bijli Desk developers"));
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_comments (about,
                                 _("Find electricity consumers and their prepaid balance at the customer-service desk, even when the central server cannot be reached."));
  adw_about_window_set_website (about, WEBSITE);
  adw_about_window_set_issue_url (about, ISSUES);
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  adw_about_window_set_copyright (about, _("© The Bijli Desk developers"));
  /* Translators: put your name here so it appears in the About window. */
  adw_about_window_set_translator_credits (about, _("translator-credits"));

  notes = dup_release_notes (&notes_version);
  if (notes != NULL)
    {
      adw_about_window_set_release_notes (about, notes);
      adw_about_window_set_release_notes_version (about, notes_version);
    }

  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (about), parent);
      g_signal_connect_object (parent, "destroy", G_CALLBACK (on_parent_destroyed_cb),
                               about, G_CONNECT_SWAPPED);
    }
  gtk_window_present (GTK_WINDOW (about));
}
