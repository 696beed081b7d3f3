/* bd-demo-generator.c: deterministic demo consumers of two Lucknow zones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "bd-demo-generator.h"
#include "bd-password.h"

typedef struct {
  const char *en;
  const char *hi;
} Name;

/* Surnames as records really carry them: the same family spelt more than
 * one way in English, one way in Devanagari. */
typedef struct {
  const char *en[3];
  const char *hi;
} Surname;

typedef struct {
  const char *name;
  const char *pin;
  const char *code;   /* substation code prefixing feeders */
} Locality;

typedef struct {
  const char *code;
  const char *name;
  const Locality *urban;
  gsize n_urban;
  const Locality *rural;
  gsize n_rural;
  const char *account_prefix;  /* first two digits of 10-digit accounts */
  const char *legacy_prefix;   /* first four digits of 12-digit rural accounts */
  double rural_share;
} Zone;

struct _BdDemoGenerator
{
  GObject  parent_instance;

  GRand   *rand;
  gint64   now;
  /* Running counters keep accounts and serials unique without lookups. */
  gint64   next_account[2];
  gint64   next_legacy_account[2];
  gint64   next_serial;
  guint    password_iterations;
};

G_DEFINE_TYPE (BdDemoGenerator, bd_demo_generator, G_TYPE_OBJECT)

static const BdDemoUser demo_users[] = {
  { "operator",      "bijli-operator",   "Neha Srivastava", BD_ROLE_OPERATOR,   "LKO-C", "Lucknow Central" },
  { "agent",         "bijli-agent",      "Arjun Yadav",     BD_ROLE_AGENT,      "LKO-C", "Lucknow Central" },
  { "supervisor",    "bijli-supervisor", "R. K. Tiwari",    BD_ROLE_SUPERVISOR, "LKO-C", "Lucknow Central" },
  { "operator.east", "bijli-operator",   "Sana Khan",       BD_ROLE_OPERATOR,   "LKO-E", "Lucknow East" },
  { "admin",         "bijli-admin",      "Meera Dixit",     BD_ROLE_ADMIN,      "LKO-C", "Lucknow Central" },
};

static const Name male_names[] = {
  { "Ramesh", "रमेश" }, { "Suresh", "सुरेश" }, { "Rajesh", "राजेश" }, { "Mahesh", "महेश" },
  { "Dinesh", "दिनेश" }, { "Rakesh", "राकेश" }, { "Mukesh", "मुकेश" }, { "Anil", "अनिल" },
  { "Sunil", "सुनील" }, { "Vijay", "विजय" }, { "Sanjay", "संजय" }, { "Ajay", "अजय" },
  { "Manoj", "मनोज" }, { "Pramod", "प्रमोद" }, { "Vinod", "विनोद" }, { "Ashok", "अशोक" },
  { "Alok", "आलोक" }, { "Amit", "अमित" }, { "Sumit", "सुमित" }, { "Rahul", "राहुल" },
  { "Rohit", "रोहित" }, { "Deepak", "दीपक" }, { "Pankaj", "पंकज" }, { "Neeraj", "नीरज" },
  { "Santosh", "संतोष" }, { "Ram Prakash", "राम प्रकाश" }, { "Shiv Kumar", "शिव कुमार" },
  { "Ravi Shankar", "रवि शंकर" }, { "Om Prakash", "ओम प्रकाश" }, { "Krishna Kumar", "कृष्ण कुमार" },
  { "Arvind", "अरविंद" }, { "Abhishek", "अभिषेक" }, { "Vivek", "विवेक" }, { "Gaurav", "गौरव" },
  { "Saurabh", "सौरभ" }, { "Harish", "हरीश" }, { "Brijesh", "बृजेश" }, { "Shailendra", "शैलेन्द्र" },
  { "Devendra", "देवेन्द्र" }, { "Jitendra", "जितेन्द्र" }, { "Rajendra", "राजेन्द्र" },
  { "Narendra", "नरेन्द्र" }, { "Ramesh Chandra", "रमेश चन्द्र" }, { "Kailash", "कैलाश" },
  { "Anand", "आनंद" }, { "Ankit", "अंकित" }, { "Ashish", "आशीष" }, { "Yogesh", "योगेश" },
  { "Umesh", "उमेश" }, { "Ram Naresh", "राम नरेश" }, { "Shyam Sundar", "श्याम सुंदर" },
  { "Jagdish", "जगदीश" }, { "Hari Om", "हरि ओम" }, { "Prem Shankar", "प्रेम शंकर" },
};

static const Name female_names[] = {
  { "Sunita", "सुनीता" }, { "Anita", "अनीता" }, { "Geeta", "गीता" }, { "Sita", "सीता" },
  { "Savitri", "सावित्री" }, { "Kamla", "कमला" }, { "Usha", "उषा" }, { "Asha", "आशा" },
  { "Meena", "मीना" }, { "Rekha", "रेखा" }, { "Suman", "सुमन" }, { "Neelam", "नीलम" },
  { "Pooja", "पूजा" }, { "Priya", "प्रिया" }, { "Shalini", "शालिनी" }, { "Anjali", "अंजलि" },
  { "Kiran", "किरन" }, { "Manju", "मंजू" }, { "Poonam", "पूनम" }, { "Renu", "रेनू" },
  { "Sarita", "सरिता" }, { "Kusum", "कुसुम" }, { "Shanti", "शांति" }, { "Pushpa", "पुष्पा" },
  { "Madhu", "मधु" }, { "Archana", "अर्चना" }, { "Vandana", "वंदना" }, { "Nidhi", "निधि" },
  { "Shweta", "श्वेता" }, { "Ritu", "रितु" }, { "Ram Dulari", "राम दुलारी" }, { "Urmila", "उर्मिला" },
};

static const Surname surnames[] = {
  { { "Srivastava", "Shrivastava", "Srivastav" }, "श्रीवास्तव" },
  { { "Verma", NULL, NULL }, "वर्मा" },
  { { "Sharma", NULL, NULL }, "शर्मा" },
  { { "Mishra", "Misra", NULL }, "मिश्रा" },
  { { "Tiwari", "Tewari", NULL }, "तिवारी" },
  { { "Pandey", "Pande", NULL }, "पाण्डेय" },
  { { "Shukla", NULL, NULL }, "शुक्ला" },
  { { "Dwivedi", NULL, NULL }, "द्विवेदी" },
  { { "Tripathi", NULL, NULL }, "त्रिपाठी" },
  { { "Yadav", NULL, NULL }, "यादव" },
  { { "Gupta", NULL, NULL }, "गुप्ता" },
  { { "Agarwal", "Agrawal", NULL }, "अग्रवाल" },
  { { "Singh", NULL, NULL }, "सिंह" },
  { { "Chauhan", NULL, NULL }, "चौहान" },
  { { "Rastogi", NULL, NULL }, "रस्तोगी" },
  { { "Nigam", NULL, NULL }, "निगम" },
  { { "Saxena", "Saksena", NULL }, "सक्सेना" },
  { { "Kushwaha", NULL, NULL }, "कुशवाहा" },
  { { "Maurya", NULL, NULL }, "मौर्य" },
  { { "Rawat", NULL, NULL }, "रावत" },
  { { "Pal", NULL, NULL }, "पाल" },
  { { "Gautam", NULL, NULL }, "गौतम" },
  { { "Bajpai", "Vajpayee", NULL }, "बाजपेयी" },
  { { "Awasthi", NULL, NULL }, "अवस्थी" },
  { { "Dixit", "Dikshit", NULL }, "दीक्षित" },
  { { "Kanaujia", "Kannaujia", NULL }, "कनौजिया" },
  { { "Jaiswal", "Jayaswal", NULL }, "जायसवाल" },
  { { "Chaurasia", NULL, NULL }, "चौरसिया" },
  { { "Sonkar", NULL, NULL }, "सोनकर" },
  { { "Prajapati", NULL, NULL }, "प्रजापति" },
  { { "Nishad", NULL, NULL }, "निषाद" },
  { { "Kashyap", NULL, NULL }, "कश्यप" },
  { { "Upadhyay", "Upadhyaya", NULL }, "उपाध्याय" },
  { { "Rai", NULL, NULL }, "राय" },
};

static const Name muslim_male_names[] = {
  { "Mohd. Irfan", "मो. इरफ़ान" }, { "Mohd. Salim", "मो. सलीम" }, { "Mohammad Arif", "मोहम्मद आरिफ़" },
  { "Abdul Rehman", "अब्दुल रहमान" }, { "Imran", "इमरान" }, { "Shahid", "शाहिद" },
  { "Javed", "जावेद" }, { "Rashid", "राशिद" }, { "Aslam", "असलम" }, { "Nadeem", "नदीम" },
  { "Faizan", "फ़ैज़ान" }, { "Zubair", "ज़ुबैर" }, { "Anwar", "अनवर" }, { "Iqbal", "इक़बाल" },
  { "Shakeel", "शकील" }, { "Mohd. Yusuf", "मो. यूसुफ़" }, { "Abdul Kalam", "अब्दुल कलाम" },
};

static const Name muslim_female_names[] = {
  { "Shabana", "शबाना" }, { "Rukhsana", "रुख़साना" }, { "Nazia", "नाज़िया" }, { "Farhana", "फ़रहाना" },
  { "Shaheen", "शाहीन" }, { "Ayesha", "आयशा" }, { "Parveen", "परवीन" }, { "Gulnaz", "गुलनाज़" },
  { "Zainab", "ज़ैनब" }, { "Nasreen", "नसरीन" },
};

static const Surname muslim_surnames[] = {
  { { "Khan", NULL, NULL }, "ख़ान" },
  { { "Ansari", NULL, NULL }, "अंसारी" },
  { { "Siddiqui", "Siddiqi", NULL }, "सिद्दीक़ी" },
  { { "Qureshi", "Kureshi", NULL }, "क़ुरैशी" },
  { { "Rizvi", NULL, NULL }, "रिज़वी" },
  { { "Naqvi", NULL, NULL }, "नक़वी" },
  { { "Zaidi", NULL, NULL }, "ज़ैदी" },
  { { "Abbasi", NULL, NULL }, "अब्बासी" },
  { { "Usmani", NULL, NULL }, "उस्मानी" },
  { { "Farooqui", "Faruqui", NULL }, "फ़ारूक़ी" },
};

static const Name muslim_female_suffixes[] = {
  { "Bano", "बानो" }, { "Begum", "बेगम" }, { "Khatoon", "ख़ातून" },
};

static const Name businesses[] = {
  { "General Store", "जनरल स्टोर" }, { "Medical Store", "मेडिकल स्टोर" },
  { "Electronics", "इलेक्ट्रॉनिक्स" }, { "Sweets", "स्वीट्स" }, { "Kirana Store", "किराना स्टोर" },
  { "Hardware", "हार्डवेयर" }, { "Tent House", "टेंट हाउस" }, { "Dairy", "डेयरी" },
  { "Cold Storage", "कोल्ड स्टोरेज" }, { "Flour Mill", "आटा चक्की" },
};

static const Locality lko_c_urban[] = {
  { "Hazratganj", "226001", "HZG" }, { "Aminabad", "226018", "AMB" }, { "Chowk", "226003", "CHK" },
  { "Aliganj", "226024", "ALG" }, { "Mahanagar", "226006", "MHN" }, { "Rajajipuram", "226017", "RJP" },
  { "Alambagh", "226005", "ALB" }, { "Charbagh", "226004", "CBG" }, { "Daliganj", "226020", "DLG" },
  { "Thakurganj", "226003", "TKG" }, { "Kaiserbagh", "226001", "KSB" }, { "Nishatganj", "226006", "NSG" },
  { "Vikas Nagar", "226022", "VKN" }, { "Jankipuram", "226021", "JKP" }, { "Sadar Bazar", "226002", "SDR" },
  { "Aashiana", "226012", "ASN" }, { "Kapoorthala", "226024", "KPT" }, { "Naka Hindola", "226004", "NKH" },
};

static const Locality lko_c_rural[] = {
  { "Itaunja", "226203", "ITJ" }, { "Bakshi Ka Talab", "226201", "BKT" }, { "Malihabad", "226102", "MLB" },
  { "Kakori", "226101", "KKR" }, { "Mal", "226104", "MAL" },
};

static const Locality lko_e_urban[] = {
  { "Gomti Nagar", "226010", "GMN" }, { "Indira Nagar", "226016", "IDN" }, { "Vibhuti Khand", "226010", "VBK" },
  { "Chinhat", "226028", "CHT" }, { "Faizabad Road", "226016", "FZR" }, { "Kamta", "226028", "KMT" },
  { "Gomti Nagar Extension", "226010", "GNX" }, { "Tedhi Puliya", "226022", "TDP" },
};

static const Locality lko_e_rural[] = {
  { "Gosainganj", "226501", "GSJ" }, { "Mohanlalganj", "226301", "MLG" }, { "Nagram", "226302", "NGR" },
  { "Juggaur", "226028", "JGR" },
};

static const Zone zones[] = {
  { "LKO-C", "Lucknow Central", lko_c_urban, G_N_ELEMENTS (lko_c_urban),
    lko_c_rural, G_N_ELEMENTS (lko_c_rural), "21", "4812", 0.08 },
  { "LKO-E", "Lucknow East", lko_e_urban, G_N_ELEMENTS (lko_e_urban),
    lko_e_rural, G_N_ELEMENTS (lko_e_rural), "23", "4813", 0.25 },
};

typedef struct {
  const char *make;
  const char *prefix;
  double      weight;
} MeterMake;

static const MeterMake smart_makes[] = {
  { "Genus", "GNS", 0.35 }, { "HPL", "HPL", 0.2 }, { "Secure", "SEC", 0.2 },
  { "L&T", "LNT", 0.1 }, { "Landis+Gyr", "LGY", 0.1 }, { "Schneider", "SCH", 0.05 },
};

static const MeterMake ct_makes[] = {
  { "Secure", "SEC", 0.5 }, { "L&T", "LNT", 0.3 }, { "Landis+Gyr", "LGY", 0.2 },
};

static const MeterMake non_smart_makes[] = {
  { "HPL", "HPL", 0.4 }, { "Genus", "GNS", 0.3 }, { "Havells", "HVL", 0.3 },
};

static guint
pick (BdDemoGenerator *self,
      gsize            n)
{
  return (guint) g_rand_int_range (self->rand, 0, (gint32) n);
}

static gboolean
chance (BdDemoGenerator *self,
        double           probability)
{
  return g_rand_double (self->rand) < probability;
}

static gint64
between (BdDemoGenerator *self,
         gint64           lo,
         gint64           hi)
{
  /* Inclusive; g_rand_int_range is 32-bit, enough for every range here. */
  return lo + g_rand_int_range (self->rand, 0, (gint32) (hi - lo + 1));
}

static const MeterMake *
pick_make (BdDemoGenerator  *self,
           const MeterMake  *makes,
           gsize             n)
{
  double r = g_rand_double (self->rand);

  for (gsize i = 0; i < n; i++)
    {
      if (r < makes[i].weight)
        return &makes[i];
      r -= makes[i].weight;
    }
  return &makes[n - 1];
}

static const char *
surname_spelling (BdDemoGenerator *self,
                  const Surname   *surname)
{
  guint n = 1;

  while (n < G_N_ELEMENTS (surname->en) && surname->en[n] != NULL)
    n++;

  return surname->en[pick (self, n)];
}

static const Name *
pick_male_name (BdDemoGenerator *self,
                gboolean         muslim)
{
  return muslim
    ? &muslim_male_names[pick (self, G_N_ELEMENTS (muslim_male_names))]
    : &male_names[pick (self, G_N_ELEMENTS (male_names))];
}

static void
generate_names (BdDemoGenerator *self,
                BdConsumer      *consumer,
                gboolean         business)
{
  gboolean muslim = chance (self, 0.18);
  gboolean female = chance (self, 0.3);
  const Surname *surname = muslim
    ? &muslim_surnames[pick (self, G_N_ELEMENTS (muslim_surnames))]
    : &surnames[pick (self, G_N_ELEMENTS (surnames))];
  const char *surname_en = surname_spelling (self, surname);
  const Name *given;
  const Name *relation;
  g_autofree char *name_en = NULL;
  g_autofree char *name_hi = NULL;
  g_autofree char *relation_en = NULL;
  g_autofree char *relation_hi = NULL;

  relation = pick_male_name (self, muslim);

  if (business)
    {
      const Name *kind = &businesses[pick (self, G_N_ELEMENTS (businesses))];

      name_en = g_strdup_printf ("M/s %s %s", surname_en, kind->en);
      name_hi = g_strdup_printf ("मे. %s %s", surname->hi, kind->hi);
      /* A firm's record names its proprietor rather than a father. */
      given = pick_male_name (self, muslim);
      relation_en = g_strdup_printf ("%s %s", given->en, surname_en);
      relation_hi = g_strdup_printf ("%s %s", given->hi, surname->hi);
    }
  else if (female)
    {
      given = muslim
        ? &muslim_female_names[pick (self, G_N_ELEMENTS (muslim_female_names))]
        : &female_names[pick (self, G_N_ELEMENTS (female_names))];

      if (muslim && chance (self, 0.4))
        {
          const Name *suffix = &muslim_female_suffixes[pick (self, G_N_ELEMENTS (muslim_female_suffixes))];

          name_en = g_strdup_printf ("%s %s", given->en, suffix->en);
          name_hi = g_strdup_printf ("%s %s", given->hi, suffix->hi);
        }
      else if (!muslim && chance (self, 0.4))
        {
          name_en = g_strdup_printf ("%s Devi", given->en);
          name_hi = g_strdup_printf ("%s देवी", given->hi);
        }
      else
        {
          name_en = g_strdup_printf ("%s %s", given->en, surname_en);
          name_hi = g_strdup_printf ("%s %s", given->hi, surname->hi);
        }
      relation_en = g_strdup_printf ("%s %s", relation->en, surname_spelling (self, surname));
      relation_hi = g_strdup_printf ("%s %s", relation->hi, surname->hi);
    }
  else
    {
      given = pick_male_name (self, muslim);

      /* A son is rarely named after his father on these records. */
      for (guint tries = 0; given == relation && tries < 4; tries++)
        given = pick_male_name (self, muslim);

      if (!muslim && strchr (given->en, ' ') == NULL && chance (self, 0.15))
        {
          /* "Ramesh Kumar Srivastava": the middle name many records carry. */
          name_en = g_strdup_printf ("%s Kumar %s", given->en, surname_en);
          name_hi = g_strdup_printf ("%s कुमार %s", given->hi, surname->hi);
        }
      else
        {
          name_en = g_strdup_printf ("%s %s", given->en, surname_en);
          name_hi = g_strdup_printf ("%s %s", given->hi, surname->hi);
        }
      relation_en = g_strdup_printf ("%s %s", relation->en, surname_spelling (self, surname));
      relation_hi = g_strdup_printf ("%s %s", relation->hi, surname->hi);
    }

  bd_consumer_set_name_en (consumer, name_en);
  bd_consumer_set_name_hi (consumer, name_hi);
  bd_consumer_set_relation_en (consumer, relation_en);
  bd_consumer_set_relation_hi (consumer, relation_hi);
}

static char *
generate_address (BdDemoGenerator *self,
                  const Locality  *locality,
                  gboolean         rural)
{
  guint house = (guint) between (self, 1, 650);

  if (rural)
    return g_strdup_printf ("Gram %s, Post %s, Lucknow %s",
                            locality->name, locality->name, locality->pin);

  switch (pick (self, 5))
    {
    case 0:
      return g_strdup_printf ("House No. %u, Sector %c, %s, Lucknow %s",
                              house, (char) ('A' + pick (self, 12)), locality->name, locality->pin);
    case 1:
      return g_strdup_printf ("%u/%u, Gali No. %u, %s, Lucknow %s",
                              (guint) between (self, 1, 120), house,
                              (guint) between (self, 1, 14), locality->name, locality->pin);
    case 2:
      return g_strdup_printf ("House No. %u, Near Hanuman Mandir, %s, Lucknow %s",
                              house, locality->name, locality->pin);
    case 3:
      return g_strdup_printf ("%u-%c, %s Colony, %s, Lucknow %s",
                              house, (char) ('A' + pick (self, 6)),
                              pick (self, 2) ? "Railway" : "LDA", locality->name, locality->pin);
    default:
      return g_strdup_printf ("House No. %u/%u, Main Road, %s, Lucknow %s",
                              (guint) between (self, 1, 40), house, locality->name, locality->pin);
    }
}

static char *
generate_mobile (BdDemoGenerator *self)
{
  static const char leading[] = "9999998887776";  /* 9 most common, 6 rarest */
  char digits[11];

  digits[0] = leading[pick (self, sizeof leading - 1)];
  for (guint i = 1; i < 10; i++)
    digits[i] = (char) ('0' + pick (self, 10));
  digits[10] = '\0';

  return g_strdup (digits);
}

static char *
next_account (BdDemoGenerator *self,
              const Zone      *zone,
              guint            zone_index,
              gboolean         legacy)
{
  /* Random gaps so accounts look issued over years, not numbered 1, 2, 3. */
  if (legacy)
    {
      self->next_legacy_account[zone_index] += between (self, 1, 40);
      return g_strdup_printf ("%s%08" G_GINT64_FORMAT, zone->legacy_prefix,
                              self->next_legacy_account[zone_index]);
    }

  self->next_account[zone_index] += between (self, 1, 60);
  return g_strdup_printf ("%s%08" G_GINT64_FORMAT, zone->account_prefix,
                          self->next_account[zone_index]);
}

static void
generate_connection (BdDemoGenerator *self,
                     BdConsumer      *consumer,
                     const char      *category,
                     gboolean         rural)
{
  BdMeterType meter_type = BD_METER_TYPE_SMART;
  BdPhase phase = BD_PHASE_SINGLE;
  gint64 load_w;
  const MeterMake *make;
  g_autofree char *serial = NULL;

  if (g_str_equal (category, "LMV-5"))
    {
      /* Private tube-wells: 5, 7.5 or 10 HP pumps. */
      static const gint64 pump_loads[] = { 3730, 5595, 7460 };

      load_w = pump_loads[pick (self, G_N_ELEMENTS (pump_loads))];
      phase = BD_PHASE_THREE;
    }
  else if (g_str_equal (category, "LMV-2"))
    {
      load_w = between (self, 2, 30) * 1000;
      phase = load_w > 5000 ? BD_PHASE_THREE : BD_PHASE_SINGLE;
      if (load_w >= 15000 && chance (self, 0.6))
        meter_type = BD_METER_TYPE_CT;
    }
  else
    {
      load_w = between (self, 1, 5) * 1000;
      if (chance (self, 0.04))
        load_w = between (self, 6, 10) * 1000;
      phase = load_w > 5000 ? BD_PHASE_THREE : BD_PHASE_SINGLE;
    }

  if (meter_type == BD_METER_TYPE_SMART && chance (self, rural ? 0.08 : 0.03))
    meter_type = BD_METER_TYPE_NON_SMART;

  switch (meter_type)
    {
    case BD_METER_TYPE_CT:
      make = pick_make (self, ct_makes, G_N_ELEMENTS (ct_makes));
      break;
    case BD_METER_TYPE_NON_SMART:
      make = pick_make (self, non_smart_makes, G_N_ELEMENTS (non_smart_makes));
      break;
    case BD_METER_TYPE_SMART:
    default:
      make = pick_make (self, smart_makes, G_N_ELEMENTS (smart_makes));
      break;
    }

  self->next_serial += between (self, 1, 9);
  serial = g_strdup_printf ("%s%c%07" G_GINT64_FORMAT, make->prefix,
                            phase == BD_PHASE_THREE ? 'T' : 'S', self->next_serial);

  bd_consumer_set_category (consumer, category);
  bd_consumer_set_sanctioned_load_w (consumer, load_w);
  bd_consumer_set_phase (consumer, phase);
  bd_consumer_set_meter_type (consumer, meter_type);
  bd_consumer_set_meter_make (consumer, make->make);
  bd_consumer_set_meter_serial (consumer, serial);
}

static void
generate_balance (BdDemoGenerator *self,
                  BdConsumer      *consumer,
                  gboolean         commercial)
{
  BdMeterType meter_type = bd_consumer_get_meter_type (consumer);
  BdSupplyStatus status = BD_SUPPLY_CONNECTED;
  gint64 scale = commercial ? 4 : 1;
  gint64 balance;
  gint64 as_of;

  if (chance (self, 0.15))
    balance = -between (self, 100, 250000) * scale;       /* up to ₹2,500 owed */
  else if (chance (self, 0.1))
    balance = between (self, 0, 9999);                    /* nearly used up */
  else
    balance = between (self, 10000, 500000) * scale;

  /* Communicating meters report every 15–30 minutes; a few have gone quiet. */
  if (meter_type == BD_METER_TYPE_NON_SMART)
    as_of = 0;
  else if (chance (self, 0.05))
    as_of = self->now - between (self, 86400, 20 * 86400);
  else
    as_of = self->now - between (self, 60, 45 * 60);

  /* Disconnected for non-payment only where the meter can switch remotely;
   * the rest are within emergency credit or the no-cut window. */
  if (balance < 0 && meter_type == BD_METER_TYPE_SMART && chance (self, 0.6))
    status = BD_SUPPLY_DISCONNECTED;

  bd_consumer_set_balance_paise (consumer, meter_type == BD_METER_TYPE_NON_SMART ? 0 : balance);
  bd_consumer_set_balance_as_of (consumer, as_of);
  bd_consumer_set_supply_status (consumer, status);
}

static BdConsumer *
generate_consumer (BdDemoGenerator *self)
{
  guint zone_index = chance (self, 0.1) ? 1 : 0;
  const Zone *zone = &zones[zone_index];
  gboolean rural = chance (self, zone->rural_share);
  gboolean legacy = rural && chance (self, 0.15);
  const Locality *locality = rural
    ? &zone->rural[pick (self, zone->n_rural)]
    : &zone->urban[pick (self, zone->n_urban)];
  const char *category;
  g_autofree char *account = next_account (self, zone, zone_index, legacy);
  g_autofree char *address = NULL;
  g_autofree char *feeder = NULL;
  g_autofree char *dt = NULL;
  g_autofree char *pole = NULL;
  g_autoptr(BdConsumer) consumer = bd_consumer_new (account);
  gint64 version;

  if (rural)
    category = chance (self, 0.2) ? "LMV-5" : (chance (self, 0.05) ? "LMV-2" : "LMV-1");
  else
    category = chance (self, 0.12) ? "LMV-2" : "LMV-1";

  bd_consumer_set_zone (consumer, zone->code);
  bd_consumer_set_area_type (consumer, rural ? BD_AREA_RURAL : BD_AREA_URBAN);
  generate_names (self, consumer, g_str_equal (category, "LMV-2") && chance (self, 0.5));

  address = generate_address (self, locality, rural);
  bd_consumer_set_address (consumer, address);

  if (chance (self, 0.85))
    {
      g_autofree char *mobile = generate_mobile (self);

      bd_consumer_set_mobile (consumer, mobile);
      bd_consumer_set_mobile_verified (consumer, chance (self, 0.7));
    }
  else
    {
      bd_consumer_set_mobile (consumer, NULL);
      bd_consumer_set_mobile_verified (consumer, FALSE);
    }

  generate_connection (self, consumer, category, rural);

  /* Feeder → DT → pole codes nest, so one outage maps to a subtree. */
  feeder = g_strdup_printf ("%s-F%02u", locality->code, (guint) between (self, 1, rural ? 4 : 8));
  dt = g_strdup_printf ("%s-DT%03u", feeder, (guint) between (self, 1, rural ? 15 : 40));
  pole = g_strdup_printf ("%s-P%02u", dt, (guint) between (self, 1, 30));
  bd_consumer_set_feeder (consumer, feeder);
  bd_consumer_set_dt (consumer, dt);
  bd_consumer_set_pole (consumer, pole);

  generate_balance (self, consumer, g_str_equal (category, "LMV-2"));

  version = chance (self, 0.8) ? 1 : between (self, 2, 6);
  bd_consumer_set_version (consumer, version);
  bd_consumer_set_updated_at (consumer, self->now - between (self, 3600, 400 * 86400));

  return g_steal_pointer (&consumer);
}

static gboolean
ensure_zones (BdCentralDb  *db,
              GError      **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    {
      if (!bd_central_db_ensure_zone (db, zones[i].code, zones[i].name, error))
        return FALSE;
    }

  return TRUE;
}

static void
bd_demo_generator_finalize (GObject *object)
{
  BdDemoGenerator *self = (BdDemoGenerator *)object;

  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (bd_demo_generator_parent_class)->finalize (object);
}

static void
bd_demo_generator_class_init (BdDemoGeneratorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bd_demo_generator_finalize;
}

static void
bd_demo_generator_init (BdDemoGenerator *self)
{
  self->password_iterations = BD_PASSWORD_DEFAULT_ITERATIONS;
}

const BdDemoUser *
bd_demo_generator_get_users (gsize *n_users)
{
  if (n_users != NULL)
    *n_users = G_N_ELEMENTS (demo_users);

  return demo_users;
}

BdDemoGenerator *
bd_demo_generator_new (guint32 seed,
                       gint64  now)
{
  BdDemoGenerator *self = g_object_new (BD_TYPE_DEMO_GENERATOR, NULL);

  self->rand = g_rand_new_with_seed (seed);
  self->now = now;
  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    {
      self->next_account[i] = between (self, 1000000, 9999999);
      self->next_legacy_account[i] = between (self, 1000000, 9999999);
    }
  self->next_serial = between (self, 100000, 999999);

  return self;
}

BdConsumer *
bd_demo_generator_next (BdDemoGenerator *self)
{
  g_return_val_if_fail (BD_IS_DEMO_GENERATOR (self), NULL);

  return generate_consumer (self);
}

gboolean
bd_demo_generator_create_users (BdDemoGenerator  *self,
                                BdCentralDb      *db,
                                GError          **error)
{
  g_return_val_if_fail (BD_IS_DEMO_GENERATOR (self), FALSE);
  g_return_val_if_fail (BD_IS_CENTRAL_DB (db), FALSE);

  if (!ensure_zones (db, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (demo_users); i++)
    {
      const BdDemoUser *user = &demo_users[i];

      if (!bd_central_db_ensure_user (db, user->username, user->display_name, user->role,
                                      user->zone, user->password,
                                      self->password_iterations, error))
        return FALSE;
    }

  /* The administrator looks after both demo zones' staff: signed in to
   * LKO-E (the zone on the sign-in page), they manage Lucknow East's. */
  return bd_sql_connection_exec (bd_central_db_get_connection (db),
                                 "INSERT INTO user_zones (username, zone) VALUES ('admin', 'LKO-E') "
                                 "ON CONFLICT DO NOTHING",
                                 error);
}

gint64
bd_demo_generator_populate (BdDemoGenerator  *self,
                            BdCentralDb      *db,
                            guint             n_consumers,
                            GError          **error)
{
  gint64 existing;

  g_return_val_if_fail (BD_IS_DEMO_GENERATOR (self), -1);
  g_return_val_if_fail (BD_IS_CENTRAL_DB (db), -1);

  existing = bd_central_db_count_consumers (db, NULL, error);
  if (existing < 0)
    return -1;
  if (existing > 0)
    return 0;

  if (!ensure_zones (db, error))
    return -1;

  /* An empty table takes the bulk path: indexes, the name index and the
   * feed counts are built once at the end instead of row by row. */
  if (!bd_central_db_bulk_begin (db, error))
    return -1;

  for (guint i = 0; i < n_consumers; i++)
    {
      g_autoptr(BdConsumer) consumer = generate_consumer (self);

      if (!bd_central_db_bulk_insert (db, consumer, error))
        {
          bd_central_db_bulk_abort (db);
          return -1;
        }
    }

  if (!bd_central_db_bulk_end (db, error))
    return -1;

  return n_consumers;
}

void
bd_demo_generator_set_password_iterations (BdDemoGenerator *self,
                                           guint            iterations)
{
  g_return_if_fail (BD_IS_DEMO_GENERATOR (self));
  g_return_if_fail (iterations > 0);

  self->password_iterations = iterations;
}
