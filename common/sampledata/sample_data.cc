#include "common/sampledata/sample_data.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/text/fold.h"

namespace enlace::sampledata {
namespace {

using ::enlace::cases::v1::Action;
using ::enlace::cases::v1::ActionOutcome;
using ::enlace::cases::v1::ActionType;
using ::enlace::cases::v1::AgeBand;
using ::enlace::cases::v1::Case;
using ::enlace::cases::v1::Category;
using ::enlace::cases::v1::ConsentScope;
using ::enlace::cases::v1::DocumentType;
using ::enlace::cases::v1::IdentityDocument;
using ::enlace::cases::v1::InternationalProtection;
using ::enlace::cases::v1::LegalBasis;
using ::enlace::cases::v1::Person;
using ::enlace::cases::v1::Risk;
using ::enlace::cases::v1::Sex;
using ::enlace::cases::v1::Subtype;
using ::enlace::cases::v1::Vulnerability;
namespace cv1 = ::enlace::cases::v1;

using Names = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// Names. Common given and family names; combined at random, so no output is a real person.

const Names& MexicanMale() {
  static const auto* v = new Names{
      "José",      "Luis",    "Juan",  "Carlos",      "Jesús",   "Miguel Ángel", "Francisco",
      "Alejandro", "Jorge",   "Pedro", "Manuel",      "Ricardo", "Fernando",     "Rafael",
      "Óscar",     "Eduardo", "Raúl",  "Sergio",      "Martín",  "Antonio",      "Héctor",
      "Iván",      "Andrés",  "Ángel", "Julio César", "Adrián",  "Rubén",        "Víctor",
      "Efraín",    "Joaquín", "Ramón", "Tomás",       "Noé",     "Moisés",       "Emiliano",
      "Santiago",  "Diego",   "Mateo", "Leonardo",    "Rogelio", "Arturo",       "Gerardo"};
  return *v;
}

const Names& MexicanFemale() {
  static const auto* v = new Names{
      "María",    "Guadalupe", "Juana",    "Margarita", "Verónica", "Leticia",  "Rosa",
      "Patricia", "Alejandra", "Gabriela", "Adriana",   "Claudia",  "Fernanda", "Daniela",
      "Mónica",   "Sofía",     "Valeria",  "Ximena",    "Lucía",    "Itzel",    "Araceli",
      "Yolanda",  "Rocío",     "Inés",     "Berenice",  "Dolores",  "Josefina", "Citlali",
      "Nayeli",   "Xóchitl",   "Noemí",    "Andrea",    "Brenda",   "Karla",    "Paola",
      "Mariana",  "Jimena",    "Beatriz",  "Estela",    "Irma",     "Reyna",    "Maricela"};
  return *v;
}

const Names& CentralAmericanMale() {
  static const auto* v = new Names{
      "Mynor",  "Byron",  "Édgar",  "Marvin", "Wilmer",   "Selvin", "Élmer",     "Erick",
      "Walter", "Nery",   "Fredy",  "Óscar",  "Cristian", "Santos", "Lester",    "Josué",
      "Denis",  "Darwin", "Juan",   "José",   "Carlos",   "Luis",   "Pedro",     "Francisco",
      "Miguel", "Mario",  "Jorge",  "Ángel",  "Héctor",   "Hugo",   "Rigoberto", "Abner",
      "Eswin",  "Gerson", "Milton", "Jairo",  "Osmín",    "Wálter", "Efraín",    "Noé"};
  return *v;
}

const Names& CentralAmericanFemale() {
  static const auto* v = new Names{
      "Ana",        "María",      "Rosa",   "Sandra",  "Lesbia", "Glenda",  "Ingrid",   "Wendy",
      "Yesenia",    "Heidy",      "Evelyn", "Jessica", "Karen",  "Dania",   "Suyapa",   "Blanca",
      "Marta",      "Floridalma", "Olga",   "Dilcia",  "Reina",  "Lilian",  "Keylin",   "Nohemí",
      "Débora",     "Elvia",      "Mirna",  "Sonia",   "Carmen", "Juana",   "Cristina", "Magdalena",
      "Candelaria", "Gladys",     "Iris",   "Marleny", "Yanira", "Xiomara", "Sulma",    "Ruth"};
  return *v;
}

// Traditional given names common in Maya communities of Guatemala.
const Names& MayaMale() {
  static const auto* v = new Names{"Tomás", "Diego",   "Domingo", "Baltazar", "Gaspar", "Sebastián",
                                   "Mateo", "Pascual", "Andrés",  "Nicolás",  "Lucas",  "Marcos"};
  return *v;
}

const Names& MayaFemale() {
  static const auto* v =
      new Names{"Petrona", "Sebastiana", "Catarina", "Micaela",    "Manuela", "Juana",
                "Rosalía", "Tomasa",     "Dominga",  "Candelaria", "Marcela", "Lucía"};
  return *v;
}

const Names& EnglishMale() {
  static const auto* v =
      new Names{"Kevin", "Brian",  "Jonathan", "Anthony", "Brandon",  "Christopher",
                "Jason", "Steven", "William",  "Bryan",   "Anderson", "Jefferson"};
  return *v;
}

const Names& EnglishFemale() {
  static const auto* v =
      new Names{"Jennifer",  "Jessica", "Stephanie", "Ashley",  "Kimberly", "Michelle",
                "Elizabeth", "Emily",   "Tiffany",   "Heather", "Nicole",   "Madison"};
  return *v;
}

const Names& MexicanSurnames() {
  static const auto* v = new Names{
      "Hernández", "García",     "Martínez", "López",     "González",  "Pérez",    "Rodríguez",
      "Sánchez",   "Ramírez",    "Cruz",     "Flores",    "Gómez",     "Morales",  "Vázquez",
      "Reyes",     "Jiménez",    "Torres",   "Díaz",      "Gutiérrez", "Ruiz",     "Mendoza",
      "Aguilar",   "Ortiz",      "Moreno",   "Castillo",  "Romero",    "Álvarez",  "Méndez",
      "Chávez",    "Rivera",     "Juárez",   "Ramos",     "Domínguez", "Herrera",  "Medina",
      "Castro",    "Vargas",     "Guzmán",   "Velázquez", "Muñoz",     "Rojas",    "Contreras",
      "Salazar",   "Luna",       "Ortega",   "Núñez",     "Santiago",  "Guerrero", "Bautista",
      "Estrada",   "Cortés",     "Ibarra",   "Solís",     "Zúñiga",    "Peña",     "Ávila",
      "Cuautle",   "Tecuapetla", "Xolalpa",  "Tlapale"};
  return *v;
}

const Names& GuatemalanSurnames() {
  static const auto* v =
      new Names{"García",    "López",      "Pérez",    "Hernández", "Ramírez",    "Morales",
                "Gómez",     "Méndez",     "Juárez",   "Castillo",  "Velásquez",  "Chávez",
                "Cifuentes", "Orellana",   "Barrios",  "Recinos",   "Monterroso", "Sandoval",
                "Fuentes",   "Godoy",      "Alvarado", "Aguilar",   "Díaz",       "De León",
                "Ordóñez",   "Mazariegos", "Escobar",  "Girón",     "Marroquín",  "Son"};
  return *v;
}

// K'iche', Mam, Q'eqchi' and Kaqchikel family names.
const Names& MayaSurnames() {
  static const auto* v = new Names{
      "Ixcoy", "Tzoc",   "Batz", "Cux",    "Xicará", "Ajanel", "Tzul",  "Sic",   "Quiej",
      "Caal",  "Choc",   "Pop",  "Xol",    "Tiul",   "Coc",    "Cucul", "Ical",  "Maquin",
      "Chub",  "Bámaca", "Yax",  "Ixchop", "Tum",    "Xinico", "Cumes", "Sipac", "Chiquín"};
  return *v;
}

const Names& HonduranSurnames() {
  static const auto* v =
      new Names{"Hernández", "López",    "Martínez", "Rodríguez", "García",    "Mejía",
                "Flores",    "Reyes",    "Cruz",     "Zelaya",    "Aguilar",   "Ramos",
                "Castro",    "Sánchez",  "Euceda",   "Lagos",     "Padilla",   "Maradiaga",
                "Matute",    "Fúnez",    "Bonilla",  "Banegas",   "Ávila",     "Cálix",
                "Ordóñez",   "Suazo",    "Zavala",   "Amador",    "Paz",       "Rivera",
                "Osorto",    "Membreño", "Escoto",   "Turcios",   "Velásquez", "Midence"};
  return *v;
}

// Family names common among the Garifuna of the Honduran Caribbean coast.
const Names& GarifunaSurnames() {
  static const auto* v =
      new Names{"Guity",    "Arzú",  "Sambulá", "Bernárdez", "Norales",  "Cacho",
                "Castillo", "Suazo", "Lambert", "Nolasco",   "Palacios", "Álvarez"};
  return *v;
}

const Names& EnglishSurnames() {
  static const auto* v = new Names{"Smith",  "Johnson", "Williams", "Brown",  "Miller",  "Davis",
                                   "Wilson", "Taylor",  "Anderson", "Thomas", "Bennett", "Moore"};
  return *v;
}

// ---------------------------------------------------------------------------------------------
// Places: real cities, grouped by ISO 3166-2 subdivision. `near` lists the post cities that
// normally cover the group, nearest first; when one of them is a post of the config covering
// the subdivision, only that post gets the group, otherwise every post covering it does. This
// splits shared states (Los Angeles and San Diego in US-CA) the way real jurisdictions do.

struct Region {
  const char* area;
  std::vector<const char*> near;
  std::vector<const char*> places;
};

const std::vector<Region>& Regions() {
  static const auto* v = new std::vector<Region>{
      // United States.
      {"US-CA",
       {"Los Angeles"},
       {"Los Angeles, California", "Santa Ana, California", "Anaheim, California",
        "Riverside, California", "San Bernardino, California", "Oxnard, California",
        "Long Beach, California", "Pomona, California"}},
      {"US-CA",
       {"San Diego", "Los Angeles"},
       {"San Diego, California", "Chula Vista, California", "El Centro, California",
        "Calexico, California", "Escondido, California"}},
      {"US-CA",
       {"Fresno", "San Francisco", "Los Angeles"},
       {"Fresno, California", "Bakersfield, California", "Visalia, California",
        "Madera, California"}},
      {"US-CA",
       {"San Francisco", "Sacramento", "Los Angeles"},
       {"San Francisco, California", "Oakland, California", "San José, California",
        "Salinas, California", "Santa Rosa, California"}},
      {"US-CA",
       {"Sacramento", "San Francisco", "Los Angeles"},
       {"Sacramento, California", "Stockton, California", "Modesto, California"}},
      {"US-TX",
       {"Houston", "Dallas"},
       {"Houston, Texas", "Pasadena, Texas", "Baytown, Texas", "Beaumont, Texas",
        "Galveston, Texas"}},
      {"US-TX",
       {"Dallas", "Houston"},
       {"Dallas, Texas", "Fort Worth, Texas", "Arlington, Texas", "Irving, Texas", "Garland, Texas",
        "Plano, Texas"}},
      {"US-TX",
       {"San Antonio", "Houston", "Dallas"},
       {"San Antonio, Texas", "Austin, Texas", "Laredo, Texas", "McAllen, Texas",
        "Brownsville, Texas"}},
      {"US-TX", {"El Paso", "Dallas", "Houston"}, {"El Paso, Texas", "Midland, Texas"}},
      {"US-OK", {}, {"Oklahoma City, Oklahoma", "Tulsa, Oklahoma"}},
      {"US-IL",
       {},
       {"Chicago, Illinois", "Aurora, Illinois", "Joliet, Illinois", "Waukegan, Illinois",
        "Elgin, Illinois", "Cicero, Illinois"}},
      {"US-IN", {}, {"Indianapolis, Indiana", "Gary, Indiana", "Fort Wayne, Indiana"}},
      {"US-WI", {}, {"Milwaukee, Wisconsin", "Madison, Wisconsin", "Racine, Wisconsin"}},
      {"US-AZ",
       {},
       {"Phoenix, Arizona", "Mesa, Arizona", "Tucson, Arizona", "Yuma, Arizona", "Nogales, Arizona",
        "Chandler, Arizona"}},
      {"US-NV", {}, {"Las Vegas, Nevada", "Reno, Nevada"}},
      {"US-NY",
       {},
       {"Bronx, New York", "Queens, New York", "Brooklyn, New York", "Yonkers, New York",
        "Newburgh, New York"}},
      {"US-NJ",
       {},
       {"Newark, New Jersey", "Passaic, New Jersey", "Paterson, New Jersey",
        "New Brunswick, New Jersey", "Trenton, New Jersey"}},
      {"US-CT",
       {},
       {"Bridgeport, Connecticut", "Stamford, Connecticut", "New Haven, Connecticut",
        "Danbury, Connecticut"}},
      {"US-GA",
       {},
       {"Atlanta, Georgia", "Dalton, Georgia", "Gainesville, Georgia", "Norcross, Georgia",
        "Savannah, Georgia"}},
      {"US-AL", {}, {"Birmingham, Alabama", "Montgomery, Alabama", "Huntsville, Alabama"}},
      {"US-SC",
       {},
       {"Columbia, South Carolina", "Greenville, South Carolina", "Charleston, South Carolina"}},
      {"US-FL",
       {},
       {"Miami, Florida", "Homestead, Florida", "Hialeah, Florida", "Immokalee, Florida",
        "Orlando, Florida", "Fort Myers, Florida"}},
      {"US-LA",
       {},
       {"New Orleans, Louisiana", "Metairie, Louisiana", "Kenner, Louisiana",
        "Baton Rouge, Louisiana", "Lafayette, Louisiana"}},
      {"US-MS", {}, {"Jackson, Mississippi", "Gulfport, Mississippi", "Biloxi, Mississippi"}},
      // Canada.
      {"CA-ON",
       {},
       {"Toronto, Ontario", "Mississauga, Ontario", "Brampton, Ontario", "Hamilton, Ontario",
        "Leamington, Ontario", "Ottawa, Ontario"}},
      // Mexico.
      {"MX-CHP",
       {},
       {"Tapachula, Chiapas", "Ciudad Hidalgo, Chiapas", "Huixtla, Chiapas",
        "Tuxtla Gutiérrez, Chiapas", "San Cristóbal de las Casas, Chiapas",
        "Comitán de Domínguez, Chiapas", "Palenque, Chiapas", "Arriaga, Chiapas"}},
      {"MX-TAB", {}, {"Tenosique, Tabasco", "Villahermosa, Tabasco", "Balancán, Tabasco"}},
      {"MX-CAM", {}, {"Escárcega, Campeche", "San Francisco de Campeche, Campeche"}},
      {"MX-ROO",
       {},
       {"Cancún, Quintana Roo", "Chetumal, Quintana Roo", "Playa del Carmen, Quintana Roo"}},
      {"MX-CMX",
       {},
       {"Iztapalapa, Ciudad de México", "Cuauhtémoc, Ciudad de México",
        "Gustavo A. Madero, Ciudad de México"}},
      {"MX-MEX",
       {},
       {"Ecatepec de Morelos, Estado de México", "Toluca, Estado de México",
        "Naucalpan, Estado de México"}},
      {"MX-PUE", {}, {"Puebla, Puebla", "Tehuacán, Puebla"}},
      {"MX-VER",
       {},
       {"Veracruz, Veracruz", "Coatzacoalcos, Veracruz", "Acayucan, Veracruz", "Orizaba, Veracruz",
        "Tierra Blanca, Veracruz"}},
      {"MX-OAX",
       {},
       {"Oaxaca de Juárez, Oaxaca", "Juchitán de Zaragoza, Oaxaca", "Ciudad Ixtepec, Oaxaca",
        "Salina Cruz, Oaxaca"}},
      {"MX-JAL", {}, {"Guadalajara, Jalisco", "Tlaquepaque, Jalisco"}},
      {"MX-NLE", {}, {"Monterrey, Nuevo León", "Guadalupe, Nuevo León"}},
      {"MX-COA", {}, {"Saltillo, Coahuila", "Piedras Negras, Coahuila"}},
      {"MX-TAM", {}, {"Reynosa, Tamaulipas", "Nuevo Laredo, Tamaulipas", "Matamoros, Tamaulipas"}},
      {"MX-CHH", {}, {"Ciudad Juárez, Chihuahua", "Chihuahua, Chihuahua"}},
      {"MX-SON", {}, {"Nogales, Sonora", "Hermosillo, Sonora", "San Luis Río Colorado, Sonora"}},
      {"MX-BCN", {}, {"Tijuana, Baja California", "Mexicali, Baja California"}},
      // Guatemala.
      {"GT-GU",
       {},
       {"Ciudad de Guatemala, Guatemala", "Mixco, Guatemala", "Villa Nueva, Guatemala"}},
      {"GT-SM", {}, {"Tecún Umán, San Marcos", "San Marcos, San Marcos", "Malacatán, San Marcos"}},
      {"GT-QZ", {}, {"Quetzaltenango, Quetzaltenango", "Coatepeque, Quetzaltenango"}},
      {"GT-HU", {}, {"Huehuetenango, Huehuetenango", "La Mesilla, Huehuetenango"}},
      {"GT-RE", {}, {"Retalhuleu, Retalhuleu", "Champerico, Retalhuleu"}},
      {"GT-IZ", {}, {"Puerto Barrios, Izabal", "Livingston, Izabal"}},
      {"GT-CQ", {}, {"Esquipulas, Chiquimula", "Chiquimula, Chiquimula"}},
      {"GT-PE", {}, {"Flores, Petén", "Santa Elena, Petén"}},
      {"GT-JU", {}, {"Jutiapa, Jutiapa", "Ciudad Pedro de Alvarado, Jutiapa"}},
      {"GT-ES", {}, {"Escuintla, Escuintla", "Puerto San José, Escuintla"}},
      {"GT-AV", {}, {"Cobán, Alta Verapaz"}},
      // Honduras.
      {"HN-FM", {}, {"Tegucigalpa, Francisco Morazán", "Comayagüela, Francisco Morazán"}},
      {"HN-CR", {}, {"San Pedro Sula, Cortés", "Choloma, Cortés", "Puerto Cortés, Cortés"}},
      {"HN-AT", {}, {"La Ceiba, Atlántida", "Tela, Atlántida"}},
      {"HN-CH", {}, {"Choluteca, Choluteca"}},
      {"HN-OC", {}, {"Ocotepeque, Ocotepeque"}},
      {"HN-EP", {}, {"Danlí, El Paraíso", "Trojes, El Paraíso"}},
      {"HN-CL", {}, {"Trujillo, Colón"}},
      {"HN-YO", {}, {"El Progreso, Yoro"}},
      // El Salvador.
      {"SV-SS",
       {},
       {"San Salvador, San Salvador", "Soyapango, San Salvador", "Apopa, San Salvador"}},
      {"SV-SA", {}, {"Santa Ana, Santa Ana"}},
      {"SV-SM", {}, {"San Miguel, San Miguel"}},
      {"SV-LI", {}, {"Santa Tecla, La Libertad"}},
      {"SV-AH", {}, {"Ahuachapán, Ahuachapán", "La Hachadura, Ahuachapán"}},
      {"SV-UN", {}, {"La Unión, La Unión"}},
  };
  return *v;
}

bool Covers(const enlace::node::v1::ConsularPost& post, absl::string_view area) {
  return std::find(post.areas().begin(), post.areas().end(), area) != post.areas().end();
}

// ---------------------------------------------------------------------------------------------
// Case mix.

struct WeightedValue {
  int value;
  double weight;
};

const std::vector<WeightedValue>& SubtypesOf(Category c) {
  static const auto* table = new std::map<int, std::vector<WeightedValue>>{
      {cv1::CATEGORY_CRIMINAL,
       {{cv1::SUBTYPE_CRIMINAL_DETENTION, 60},
        {cv1::SUBTYPE_PRISONER_TRANSFER, 10},
        {cv1::SUBTYPE_CRIMINAL_TRIAL, 30}}},
      {cv1::CATEGORY_MIGRATION,
       {{cv1::SUBTYPE_IMMIGRATION_DETENTION, 40},
        {cv1::SUBTYPE_DEPORTATION, 35},
        {cv1::SUBTYPE_MINOR_IN_CUSTODY, 12},
        {cv1::SUBTYPE_ASYLUM_ORIENTATION, 13}}},
      {cv1::CATEGORY_CIVIL_FAMILY,
       {{cv1::SUBTYPE_CHILD_CUSTODY, 45},
        {cv1::SUBTYPE_CHILD_SUPPORT, 45},
        {cv1::SUBTYPE_INTERNATIONAL_CHILD_ABDUCTION, 10}}},
      {cv1::CATEGORY_LABOUR,
       {{cv1::SUBTYPE_WORK_INJURY, 35},
        {cv1::SUBTYPE_UNPAID_WAGES, 50},
        {cv1::SUBTYPE_LABOUR_EXPLOITATION, 15}}},
      {cv1::CATEGORY_HUMAN_RIGHTS,
       {{cv1::SUBTYPE_TRAFFICKING, 20},
        {cv1::SUBTYPE_MISSING_PERSON, 35},
        {cv1::SUBTYPE_ABUSE_BY_AUTHORITIES, 30},
        {cv1::SUBTYPE_GENDER_BASED_VIOLENCE, 15}}},
      {cv1::CATEGORY_ADMINISTRATIVE,
       {{cv1::SUBTYPE_SEARCH_FOR_NATIONAL, 20},
        {cv1::SUBTYPE_REMAINS_IDENTIFICATION, 8},
        {cv1::SUBTYPE_REMAINS_REPATRIATION, 22},
        {cv1::SUBTYPE_PATIENT_REPATRIATION, 10},
        {cv1::SUBTYPE_INDIGENT_REPATRIATION, 10},
        {cv1::SUBTYPE_IDENTITY_DOCUMENTS, 30}}},
      {cv1::CATEGORY_CRISIS, {{cv1::SUBTYPE_CRISIS_ASSISTANCE, 70}, {cv1::SUBTYPE_EVACUATION, 30}}},
  };
  static const auto* empty = new std::vector<WeightedValue>;
  auto it = table->find(c);
  return it == table->end() ? *empty : it->second;
}

// Risk weights {low, medium, high, critical} by subtype.
std::vector<double> RiskWeights(Subtype s) {
  switch (s) {
    case cv1::SUBTYPE_CRIMINAL_DETENTION:
    case cv1::SUBTYPE_IMMIGRATION_DETENTION:
      return {10, 45, 40, 5};
    case cv1::SUBTYPE_MINOR_IN_CUSTODY:
    case cv1::SUBTYPE_ABUSE_BY_AUTHORITIES:
    case cv1::SUBTYPE_MISSING_PERSON:
    case cv1::SUBTYPE_GENDER_BASED_VIOLENCE:
    case cv1::SUBTYPE_LABOUR_EXPLOITATION:
      return {0, 25, 60, 15};
    case cv1::SUBTYPE_TRAFFICKING:
    case cv1::SUBTYPE_EVACUATION:
    case cv1::SUBTYPE_CRISIS_ASSISTANCE:
      return {0, 10, 50, 40};
    case cv1::SUBTYPE_CRIMINAL_TRIAL:
    case cv1::SUBTYPE_DEPORTATION:
    case cv1::SUBTYPE_ASYLUM_ORIENTATION:
    case cv1::SUBTYPE_WORK_INJURY:
    case cv1::SUBTYPE_PATIENT_REPATRIATION:
    case cv1::SUBTYPE_INTERNATIONAL_CHILD_ABDUCTION:
      return {20, 55, 23, 2};
    default:
      return {60, 35, 5, 0};
  }
}

bool IsDetention(Subtype s) {
  return s == cv1::SUBTYPE_CRIMINAL_DETENTION || s == cv1::SUBTYPE_IMMIGRATION_DETENTION;
}

// Subtypes where the person cannot be asked (missing, deceased, caught in a disaster).
bool PersonUnreachable(Subtype s) {
  return s == cv1::SUBTYPE_MISSING_PERSON || s == cv1::SUBTYPE_SEARCH_FOR_NATIONAL ||
         s == cv1::SUBTYPE_CRISIS_ASSISTANCE || s == cv1::SUBTYPE_EVACUATION;
}

bool PersonDeceased(Subtype s) {
  return s == cv1::SUBTYPE_REMAINS_IDENTIFICATION || s == cv1::SUBTYPE_REMAINS_REPATRIATION;
}

std::string HomeName(absl::string_view country) {
  if (country == "MX") return "México";
  if (country == "GT") return "Guatemala";
  if (country == "HN") return "Honduras";
  if (country == "SV") return "El Salvador";
  if (country == "NI") return "Nicaragua";
  if (country == "CR") return "Costa Rica";
  if (country == "PA") return "Panamá";
  if (country == "BZ") return "Belice";
  if (country == "DO") return "República Dominicana";
  return "su país";
}

// One-sentence summaries; {city} is the place's locality, {home} the node country.
const std::vector<const char*>& SummaryTemplates(Subtype s) {
  static const auto* table = new std::map<int, std::vector<const char*>>{
      {cv1::SUBTYPE_CRIMINAL_DETENTION,
       {"Persona detenida por la policía local en {city}; solicita visita consular y "
        "orientación sobre su proceso penal.",
        "Detención por presunto delito menor en {city}; la familia pide información sobre "
        "fianza y abogado."}},
      {cv1::SUBTYPE_PRISONER_TRANSFER,
       {"Persona sentenciada en {city} solicita su traslado a {home} para cumplir la condena "
        "cerca de su familia.",
        "Seguimiento de la solicitud de traslado de persona sentenciada presentada ante las "
        "autoridades de {city}."}},
      {cv1::SUBTYPE_CRIMINAL_TRIAL,
       {"Proceso penal en curso en {city}; se requiere acompañamiento consular en las "
        "audiencias.",
        "Persona acusada en {city} sin intérprete en su idioma; se pide verificar el debido "
        "proceso."}},
      {cv1::SUBTYPE_IMMIGRATION_DETENTION,
       {"Persona en detención migratoria en {city}; pide orientación sobre su procedimiento y "
        "contacto con su familia.",
        "Detención en un operativo migratorio en {city}; requiere verificación de condiciones y "
        "asesoría legal."}},
      {cv1::SUBTYPE_DEPORTATION,
       {"Persona con orden de deportación en {city}; solicita apoyo para recuperar pertenencias "
        "y avisar a su familia.",
        "Deportación programada desde {city}; se coordina la recepción en {home}."}},
      {cv1::SUBTYPE_MINOR_IN_CUSTODY,
       {"Adolescente bajo custodia de autoridades migratorias en {city}; se busca a sus "
        "familiares.",
        "Niña o niño no acompañado en un albergue de {city}; requiere entrevista consular y "
        "localización de su familia."}},
      {cv1::SUBTYPE_ASYLUM_ORIENTATION,
       {"Persona pide información sobre opciones de regularización y protección internacional "
        "en {city}.",
        "Orientación sobre el procedimiento de asilo y sus derechos solicitada en {city}."}},
      {cv1::SUBTYPE_CHILD_CUSTODY,
       {"Disputa por la custodia de dos menores ante un tribunal familiar de {city}.",
        "Los servicios de protección infantil de {city} retiraron la custodia de un menor; la "
        "familia pide apoyo."}},
      {cv1::SUBTYPE_CHILD_SUPPORT,
       {"Solicitud de pensión alimenticia para un menor cuyo padre reside en {city}.",
        "Cobro internacional de alimentos con resolución pendiente en un juzgado de {city}."}},
      {cv1::SUBTYPE_INTERNATIONAL_CHILD_ABDUCTION,
       {"Posible sustracción internacional de un menor trasladado a {city} sin autorización de "
        "uno de los padres.",
        "Solicitud de restitución conforme a la Convención de La Haya de un menor que se "
        "encuentra en {city}."}},
      {cv1::SUBTYPE_WORK_INJURY,
       {"Accidente de trabajo en una obra de construcción en {city}; la persona está "
        "hospitalizada y sin seguro.",
        "Lesión laboral en una planta empacadora de {city}; se orienta sobre la compensación "
        "al trabajador."}},
      {cv1::SUBTYPE_UNPAID_WAGES,
       {"Reclamo de salarios no pagados por varias semanas de trabajo agrícola en {city}.",
        "El empleador en {city} retuvo el pago de horas extra; se orienta sobre la queja "
        "laboral."}},
      {cv1::SUBTYPE_LABOUR_EXPLOITATION,
       {"Posible explotación laboral en {city}: jornadas excesivas y documentos retenidos por "
        "el empleador.",
        "Trabajador con visa temporal en {city} denuncia amenazas y descuentos ilegales de "
        "salario."}},
      {cv1::SUBTYPE_TRAFFICKING,
       {"Presunta víctima de trata rescatada en {city}; requiere albergue, atención médica y "
        "protección.",
        "Indicios de trata con fines de explotación laboral en {city}; se coordina con "
        "autoridades y organizaciones."}},
      {cv1::SUBTYPE_MISSING_PERSON,
       {"La familia reporta la desaparición de la persona desde su último contacto en {city}.",
        "Persona migrante sin comunicación con su familia desde hace tres semanas; último "
        "lugar conocido: {city}."}},
      {cv1::SUBTYPE_ABUSE_BY_AUTHORITIES,
       {"Queja por uso excesivo de la fuerza durante una detención en {city}.",
        "Denuncia de maltrato por parte de agentes en {city}; se solicita documentar las "
        "lesiones."}},
      {cv1::SUBTYPE_GENDER_BASED_VIOLENCE,
       {"Sobreviviente de violencia de género en {city} solicita orientación sobre medidas de "
        "protección.",
        "Violencia doméstica denunciada en {city}; se busca albergue seguro y asesoría legal."}},
      {cv1::SUBTYPE_SEARCH_FOR_NATIONAL,
       {"Familiares no saben de la persona desde hace meses; se presume que reside en {city}.",
        "Búsqueda en hospitales y centros de detención de {city} a petición de la familia."}},
      {cv1::SUBTYPE_REMAINS_IDENTIFICATION,
       {"Restos sin identificar hallados cerca de {city}; se gestiona la comparación genética "
        "con familiares.",
        "Identificación forense pendiente en la oficina del médico forense de {city}."}},
      {cv1::SUBTYPE_REMAINS_REPATRIATION,
       {"Persona fallecida en {city}; la familia solicita apoyo para el traslado de los restos "
        "a {home}.",
        "Repatriación de restos desde {city} con trámites funerarios y sanitarios en curso."}},
      {cv1::SUBTYPE_PATIENT_REPATRIATION,
       {"Persona hospitalizada en {city} con enfermedad grave pide regresar a {home} para "
        "continuar su tratamiento.",
        "Traslado médico de paciente desde un hospital de {city}; se coordina la recepción en "
        "{home}."}},
      {cv1::SUBTYPE_INDIGENT_REPATRIATION,
       {"Persona en situación de calle en {city} sin recursos para regresar a {home}.",
        "Solicitud de apoyo económico para el retorno desde {city} por falta de recursos."}},
      {cv1::SUBTYPE_IDENTITY_DOCUMENTS,
       {"Pérdida de pasaporte y documentos en {city}; requiere identificación para un trámite "
        "urgente.",
        "Solicitud de acta de nacimiento y pasaporte para regularizar su situación en {city}."}},
      {cv1::SUBTYPE_CRISIS_ASSISTANCE,
       {"Persona afectada por inundaciones en {city}; necesita albergue y comunicación con su "
        "familia.",
        "Connacional en la zona afectada por un huracán cerca de {city}; se verifica su "
        "estado."}},
      {cv1::SUBTYPE_EVACUATION,
       {"Solicitud de evacuación desde {city} tras el cierre de carreteras por el desastre.",
        "Persona varada en {city} durante la emergencia; se gestiona su salida en el próximo "
        "traslado."}},
  };
  static const auto* fallback =
      new std::vector<const char*>{"Solicitud de protección consular en {city}."};
  auto it = table->find(s);
  return it == table->end() ? *fallback : it->second;
}

// Acts a post typically performs on a case of each subtype, with relative frequency.
std::vector<WeightedValue> ActionsFor(Subtype s) {
  using A = ActionType;
  auto w = [](A a, double x) { return WeightedValue{a, x}; };
  switch (s) {
    case cv1::SUBTYPE_CRIMINAL_DETENTION:
      return {w(cv1::ACTION_TYPE_DETENTION_VISIT, 30), w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 15),
              w(cv1::ACTION_TYPE_LAWYER_ARRANGED, 10), w(cv1::ACTION_TYPE_HEARING_ATTENDED, 10),
              w(cv1::ACTION_TYPE_PHONE_CALL, 15),      w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 15),
              w(cv1::ACTION_TYPE_INTERVIEW, 5)};
    case cv1::SUBTYPE_PRISONER_TRANSFER:
      return {w(cv1::ACTION_TYPE_DETENTION_VISIT, 25), w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 30),
              w(cv1::ACTION_TYPE_INTERVIEW, 15),       w(cv1::ACTION_TYPE_PRISONER_TRANSFERRED, 10),
              w(cv1::ACTION_TYPE_DOCUMENT_ISSUED, 10), w(cv1::ACTION_TYPE_PHONE_CALL, 10)};
    case cv1::SUBTYPE_CRIMINAL_TRIAL:
      return {
          w(cv1::ACTION_TYPE_HEARING_ATTENDED, 35),  w(cv1::ACTION_TYPE_LAWYER_ARRANGED, 15),
          w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 15), w(cv1::ACTION_TYPE_DETENTION_VISIT, 15),
          w(cv1::ACTION_TYPE_PHONE_CALL, 10),        w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 10)};
    case cv1::SUBTYPE_IMMIGRATION_DETENTION:
      return {
          w(cv1::ACTION_TYPE_DETENTION_VISIT, 30),   w(cv1::ACTION_TYPE_INTERVIEW, 15),
          w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 20), w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 15),
          w(cv1::ACTION_TYPE_PHONE_CALL, 10),        w(cv1::ACTION_TYPE_DOCUMENT_ISSUED, 10)};
    case cv1::SUBTYPE_DEPORTATION:
      return {
          w(cv1::ACTION_TYPE_DOCUMENT_ISSUED, 25),    w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 20),
          w(cv1::ACTION_TYPE_PERSON_REPATRIATED, 20), w(cv1::ACTION_TYPE_PHONE_CALL, 15),
          w(cv1::ACTION_TYPE_INTERVIEW, 10),          w(cv1::ACTION_TYPE_FAMILY_LOCATED, 10)};
    case cv1::SUBTYPE_MINOR_IN_CUSTODY:
      return {
          w(cv1::ACTION_TYPE_INTERVIEW, 25),          w(cv1::ACTION_TYPE_FAMILY_LOCATED, 25),
          w(cv1::ACTION_TYPE_DETENTION_VISIT, 15),    w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 15),
          w(cv1::ACTION_TYPE_PERSON_REPATRIATED, 10), w(cv1::ACTION_TYPE_REFERRAL_MADE, 10)};
    case cv1::SUBTYPE_ASYLUM_ORIENTATION:
      return {w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 45), w(cv1::ACTION_TYPE_REFERRAL_MADE, 25),
              w(cv1::ACTION_TYPE_INTERVIEW, 20), w(cv1::ACTION_TYPE_PHONE_CALL, 10)};
    case cv1::SUBTYPE_CHILD_CUSTODY:
      return {w(cv1::ACTION_TYPE_HEARING_ATTENDED, 25), w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 25),
              w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 20), w(cv1::ACTION_TYPE_LAWYER_ARRANGED, 15),
              w(cv1::ACTION_TYPE_INTERVIEW, 15)};
    case cv1::SUBTYPE_CHILD_SUPPORT:
      return {w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 35),
              w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 30), w(cv1::ACTION_TYPE_DOCUMENT_ISSUED, 15),
              w(cv1::ACTION_TYPE_PHONE_CALL, 20)};
    case cv1::SUBTYPE_INTERNATIONAL_CHILD_ABDUCTION:
      return {w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 35),
              w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 25), w(cv1::ACTION_TYPE_HEARING_ATTENDED, 15),
              w(cv1::ACTION_TYPE_LAWYER_ARRANGED, 10), w(cv1::ACTION_TYPE_FAMILY_LOCATED, 15)};
    case cv1::SUBTYPE_WORK_INJURY:
      return {w(cv1::ACTION_TYPE_HOSPITAL_VISIT, 30), w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 25),
              w(cv1::ACTION_TYPE_LAWYER_ARRANGED, 15), w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 15),
              w(cv1::ACTION_TYPE_FINANCIAL_ASSISTANCE, 15)};
    case cv1::SUBTYPE_UNPAID_WAGES:
      return {w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 40),
              w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 25), w(cv1::ACTION_TYPE_REFERRAL_MADE, 20),
              w(cv1::ACTION_TYPE_PHONE_CALL, 15)};
    case cv1::SUBTYPE_LABOUR_EXPLOITATION:
      return {w(cv1::ACTION_TYPE_INTERVIEW, 25), w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 25),
              w(cv1::ACTION_TYPE_REFERRAL_MADE, 25), w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 15),
              w(cv1::ACTION_TYPE_FINANCIAL_ASSISTANCE, 10)};
    case cv1::SUBTYPE_TRAFFICKING:
      return {
          w(cv1::ACTION_TYPE_INTERVIEW, 25),           w(cv1::ACTION_TYPE_REFERRAL_MADE, 25),
          w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 20), w(cv1::ACTION_TYPE_FINANCIAL_ASSISTANCE, 10),
          w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 10),   w(cv1::ACTION_TYPE_PERSON_REPATRIATED, 10)};
    case cv1::SUBTYPE_MISSING_PERSON:
      return {w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 35), w(cv1::ACTION_TYPE_PHONE_CALL, 25),
              w(cv1::ACTION_TYPE_FAMILY_LOCATED, 15), w(cv1::ACTION_TYPE_REFERRAL_MADE, 15),
              w(cv1::ACTION_TYPE_HOSPITAL_VISIT, 10)};
    case cv1::SUBTYPE_ABUSE_BY_AUTHORITIES:
      return {w(cv1::ACTION_TYPE_INTERVIEW, 30), w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 30),
              w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 20), w(cv1::ACTION_TYPE_LAWYER_ARRANGED, 10),
              w(cv1::ACTION_TYPE_DETENTION_VISIT, 10)};
    case cv1::SUBTYPE_GENDER_BASED_VIOLENCE:
      return {w(cv1::ACTION_TYPE_INTERVIEW, 25), w(cv1::ACTION_TYPE_REFERRAL_MADE, 30),
              w(cv1::ACTION_TYPE_LEGAL_ORIENTATION, 25),
              w(cv1::ACTION_TYPE_FINANCIAL_ASSISTANCE, 10), w(cv1::ACTION_TYPE_PHONE_CALL, 10)};
    case cv1::SUBTYPE_SEARCH_FOR_NATIONAL:
      return {w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 35), w(cv1::ACTION_TYPE_PHONE_CALL, 30),
              w(cv1::ACTION_TYPE_FAMILY_LOCATED, 20), w(cv1::ACTION_TYPE_HOSPITAL_VISIT, 15)};
    case cv1::SUBTYPE_REMAINS_IDENTIFICATION:
      return {w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 45), w(cv1::ACTION_TYPE_FAMILY_LOCATED, 25),
              w(cv1::ACTION_TYPE_DOCUMENT_ISSUED, 15), w(cv1::ACTION_TYPE_PHONE_CALL, 15)};
    case cv1::SUBTYPE_REMAINS_REPATRIATION:
      return {w(cv1::ACTION_TYPE_DOCUMENT_ISSUED, 30), w(cv1::ACTION_TYPE_REMAINS_REPATRIATED, 25),
              w(cv1::ACTION_TYPE_FINANCIAL_ASSISTANCE, 20),
              w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 15), w(cv1::ACTION_TYPE_PHONE_CALL, 10)};
    case cv1::SUBTYPE_PATIENT_REPATRIATION:
      return {w(cv1::ACTION_TYPE_HOSPITAL_VISIT, 35), w(cv1::ACTION_TYPE_AUTHORITY_CONTACTED, 20),
              w(cv1::ACTION_TYPE_PERSON_REPATRIATED, 20), w(cv1::ACTION_TYPE_DOCUMENT_ISSUED, 15),
              w(cv1::ACTION_TYPE_FINANCIAL_ASSISTANCE, 10)};
    case cv1::SUBTYPE_INDIGENT_REPATRIATION:
      return {w(cv1::ACTION_TYPE_INTERVIEW, 30), w(cv1::ACTION_TYPE_FINANCIAL_ASSISTANCE, 30),
              w(cv1::ACTION_TYPE_PERSON_REPATRIATED, 25), w(cv1::ACTION_TYPE_DOCUMENT_ISSUED, 15)};
    case cv1::SUBTYPE_IDENTITY_DOCUMENTS:
      return {w(cv1::ACTION_TYPE_DOCUMENT_ISSUED, 60), w(cv1::ACTION_TYPE_INTERVIEW, 25),
              w(cv1::ACTION_TYPE_PHONE_CALL, 15)};
    case cv1::SUBTYPE_CRISIS_ASSISTANCE:
      return {w(cv1::ACTION_TYPE_PHONE_CALL, 30), w(cv1::ACTION_TYPE_FINANCIAL_ASSISTANCE, 20),
              w(cv1::ACTION_TYPE_EVACUATION_ASSISTANCE, 20), w(cv1::ACTION_TYPE_FAMILY_LOCATED, 15),
              w(cv1::ACTION_TYPE_HOSPITAL_VISIT, 15)};
    case cv1::SUBTYPE_EVACUATION:
      return {w(cv1::ACTION_TYPE_EVACUATION_ASSISTANCE, 50), w(cv1::ACTION_TYPE_PHONE_CALL, 20),
              w(cv1::ACTION_TYPE_DOCUMENT_ISSUED, 15), w(cv1::ACTION_TYPE_PERSON_REPATRIATED, 15)};
    default:
      return {w(cv1::ACTION_TYPE_INTERVIEW, 50), w(cv1::ACTION_TYPE_PHONE_CALL, 50)};
  }
}

const std::vector<const char*>& ActionNotes(ActionType t) {
  static const auto* table = new std::map<int, std::vector<const char*>>{
      {cv1::ACTION_TYPE_DETENTION_VISIT,
       {"Visita al centro de detención; la persona refiere buen trato y recibió lista de "
        "abogados.",
        "Visita consular en el centro de detención; se verificaron condiciones y estado de "
        "salud."}},
      {cv1::ACTION_TYPE_HOSPITAL_VISIT,
       {"Visita al hospital; se habló con el personal médico sobre el pronóstico.",
        "Visita hospitalaria; la persona está estable y pide avisar a su familia."}},
      {cv1::ACTION_TYPE_INTERVIEW,
       {"Entrevista en la oficina consular para documentar la situación y las necesidades.",
        "Entrevista consular; se recabó información para el seguimiento del caso."}},
      {cv1::ACTION_TYPE_LEGAL_ORIENTATION,
       {"Orientación legal sobre derechos y opciones del procedimiento.",
        "Se explicaron los plazos del procedimiento y los recursos disponibles."}},
      {cv1::ACTION_TYPE_LAWYER_ARRANGED,
       {"Se canalizó con abogado del programa de asesoría legal externa.",
        "Abogado asignado por el programa de asistencia jurídica; primera cita agendada."}},
      {cv1::ACTION_TYPE_HEARING_ATTENDED,
       {"Asistencia a la audiencia; se verificó la presencia de intérprete.",
        "Acompañamiento en la audiencia; el juez fijó nueva fecha."}},
      {cv1::ACTION_TYPE_DOCUMENT_ISSUED,
       {"Se expidió pasaporte de emergencia.",
        "Se emitió certificado de nacionalidad para el trámite."}},
      {cv1::ACTION_TYPE_FAMILY_LOCATED,
       {"Se localizó a familiares y se estableció comunicación telefónica.",
        "Contacto con la familia en el lugar de origen; confirman los datos de identidad."}},
      {cv1::ACTION_TYPE_PERSON_REPATRIATED,
       {"Retorno asistido realizado; recepción coordinada en el punto de llegada.",
        "La persona regresó a su lugar de origen con acompañamiento consular."}},
      {cv1::ACTION_TYPE_REMAINS_REPATRIATED,
       {"Traslado de restos concluido y entregado a la familia.",
        "Restos repatriados por vía aérea con la documentación sanitaria completa."}},
      {cv1::ACTION_TYPE_PRISONER_TRANSFERRED,
       {"Traslado de la persona sentenciada ejecutado conforme al tratado.",
        "Entrega de la persona sentenciada a las autoridades penitenciarias de su país."}},
      {cv1::ACTION_TYPE_EVACUATION_ASSISTANCE,
       {"Se incluyó a la persona en el traslado organizado desde la zona afectada.",
        "Apoyo para salir de la zona afectada y llegar a un albergue seguro."}},
      {cv1::ACTION_TYPE_PHONE_CALL,
       {"Llamada de seguimiento con la persona; confirma que no hay cambios.",
        "Llamada con familiares para informar los avances del caso."}},
      {cv1::ACTION_TYPE_AUTHORITY_CONTACTED,
       {"Oficio enviado a la autoridad local solicitando información del caso.",
        "Contacto con la autoridad competente; se pidió el expediente y la fecha de audiencia."}},
      {cv1::ACTION_TYPE_REFERRAL_MADE,
       {"Canalización a una organización de la sociedad civil para albergue y apoyo "
        "psicosocial.",
        "Referencia a un organismo internacional para atención especializada."}},
      {cv1::ACTION_TYPE_FINANCIAL_ASSISTANCE,
       {"Apoyo económico para gastos básicos de alimentación y transporte.",
        "Se autorizó apoyo económico conforme a la normativa de protección consular."}},
  };
  static const auto* fallback = new std::vector<const char*>{"Seguimiento del caso."};
  auto it = table->find(t);
  return it == table->end() ? *fallback : it->second;
}

// Acts whose type already says they happened: they rarely fail.
bool IsAccomplishment(ActionType t) {
  return t == cv1::ACTION_TYPE_DOCUMENT_ISSUED || t == cv1::ACTION_TYPE_FAMILY_LOCATED ||
         t == cv1::ACTION_TYPE_PERSON_REPATRIATED || t == cv1::ACTION_TYPE_REMAINS_REPATRIATED ||
         t == cv1::ACTION_TYPE_PRISONER_TRANSFERRED;
}

// Acts that wait on someone else.
bool WaitsOnOthers(ActionType t) {
  return t == cv1::ACTION_TYPE_AUTHORITY_CONTACTED || t == cv1::ACTION_TYPE_REFERRAL_MADE ||
         t == cv1::ACTION_TYPE_LAWYER_ARRANGED;
}

// CURP value of a character: digits, A-N, Ñ, O-Z (RENAPO's check-digit alphabet).
int CurpValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'N') return 10 + (c - 'A');
  if (c >= 'O' && c <= 'Z') return 25 + (c - 'O');  // Ñ (24) never appears after folding
  return 0;
}

bool IsVowel(char c) { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U'; }

// Upper-case ASCII letters of the first significant word of a name ("De León" -> "LEON").
std::string CurpWord(absl::string_view name) {
  std::vector<std::string> words = enlace::text::Words(enlace::text::FoldForSearch(name));
  std::string pick;
  for (const std::string& w : words) {
    if (w == "de" || w == "del" || w == "la" || w == "las" || w == "los" || w == "y") continue;
    if (pick.empty()) pick = w;
  }
  // Compound given names starting with María or José use the second name, as RENAPO does.
  if (words.size() > 1 && (words[0] == "maria" || words[0] == "jose")) pick = words[1];
  std::string out;
  for (char c : pick) {
    if (c >= 'a' && c <= 'z') out.push_back(static_cast<char>(c - 'a' + 'A'));
  }
  return out.empty() ? "X" : out;
}

char FirstInternal(const std::string& w, bool vowel) {
  for (size_t i = 1; i < w.size(); ++i) {
    if (IsVowel(w[i]) == vowel) return w[i];
  }
  return 'X';
}

}  // namespace

std::vector<std::pair<Category, double>> TargetCategoryShares(absl::string_view country) {
  if (country == "GT") {
    return {{cv1::CATEGORY_MIGRATION, 0.45},      {cv1::CATEGORY_CRIMINAL, 0.15},
            {cv1::CATEGORY_ADMINISTRATIVE, 0.18}, {cv1::CATEGORY_LABOUR, 0.06},
            {cv1::CATEGORY_CIVIL_FAMILY, 0.06},   {cv1::CATEGORY_HUMAN_RIGHTS, 0.08},
            {cv1::CATEGORY_CRISIS, 0.02}};
  }
  if (country == "HN") {
    return {{cv1::CATEGORY_MIGRATION, 0.48},      {cv1::CATEGORY_CRIMINAL, 0.14},
            {cv1::CATEGORY_ADMINISTRATIVE, 0.17}, {cv1::CATEGORY_LABOUR, 0.06},
            {cv1::CATEGORY_CIVIL_FAMILY, 0.05},   {cv1::CATEGORY_HUMAN_RIGHTS, 0.09},
            {cv1::CATEGORY_CRISIS, 0.01}};
  }
  return {{cv1::CATEGORY_MIGRATION, 0.35},      {cv1::CATEGORY_CRIMINAL, 0.20},
          {cv1::CATEGORY_ADMINISTRATIVE, 0.20}, {cv1::CATEGORY_LABOUR, 0.10},
          {cv1::CATEGORY_CIVIL_FAMILY, 0.10},   {cv1::CATEGORY_HUMAN_RIGHTS, 0.04},
          {cv1::CATEGORY_CRISIS, 0.01}};
}

Category CategoryOf(Subtype s) {
  const int v = s;
  if (v >= 1 && v <= 3) return cv1::CATEGORY_CRIMINAL;
  if (v >= 10 && v <= 13) return cv1::CATEGORY_MIGRATION;
  if (v >= 20 && v <= 22) return cv1::CATEGORY_CIVIL_FAMILY;
  if (v >= 30 && v <= 32) return cv1::CATEGORY_LABOUR;
  if (v >= 40 && v <= 43) return cv1::CATEGORY_HUMAN_RIGHTS;
  if (v >= 50 && v <= 55) return cv1::CATEGORY_ADMINISTRATIVE;
  if (v >= 60 && v <= 61) return cv1::CATEGORY_CRISIS;
  return cv1::CATEGORY_UNSPECIFIED;
}

SampleData::SampleData(const enlace::node::v1::NodeConfig& config, uint64_t seed, absl::Time now)
    : config_(config), rng_(seed) {
  const absl::CivilDay day = absl::ToCivilDay(now, absl::UTCTimeZone());
  anchor_ = absl::FromCivil(day, absl::UTCTimeZone());
  anchor_year_ = static_cast<int>(day.year());
  category_shares_ = TargetCategoryShares(config_.country());

  // Post weights: where the nationals are. Mexico's caseload is overwhelmingly in the US; for
  // Central American nodes the route through Mexico weighs about as much as the US.
  static const auto* kCityFactor = new std::map<std::string, double>{
      {"Los Angeles", 2.0}, {"Houston", 1.5},   {"Chicago", 1.3}, {"Dallas", 1.2},
      {"New York", 1.2},    {"Tapachula", 2.5}, {"Miami", 1.1}};
  for (int i = 0; i < config_.posts_size(); ++i) {
    const auto& post = config_.posts(i);
    PostInfo info{i, {}, 1.0};
    if (post.host_country() == "US") {
      info.weight = config_.country() == "MX" ? 10.0 : 5.0;
    } else if (post.host_country() == "MX") {
      info.weight = 4.0;
    }
    auto f = kCityFactor->find(post.city());
    if (f != kCityFactor->end()) info.weight *= f->second;

    for (const std::string& area : post.areas()) {
      for (const Region& r : Regions()) {
        if (area != r.area) continue;
        // The first listed city that is a post of this config covering the area owns it.
        const enlace::node::v1::ConsularPost* owner = nullptr;
        for (const char* city : r.near) {
          for (const auto& other : config_.posts()) {
            if (other.city() == city && Covers(other, area)) {
              owner = &other;
              break;
            }
          }
          if (owner != nullptr) break;
        }
        if (owner != nullptr && owner != &post) continue;
        for (const char* p : r.places) info.places.emplace_back(p);
      }
    }
    if (info.places.empty()) info.places.push_back(post.city());
    post_weights_.push_back(info.weight);
    posts_.push_back(std::move(info));
  }
}

double SampleData::Uniform() {
  // 53 random bits, computed by hand so the sequence is the same on every standard library.
  return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0);
}

int SampleData::UniformInt(int lo, int hi) {
  if (hi <= lo) return lo;
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int>(rng_() % span);
}

bool SampleData::Chance(double p) { return Uniform() < p; }

size_t SampleData::Weighted(const std::vector<double>& weights) {
  double total = 0;
  for (double w : weights) total += w;
  double x = Uniform() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  return weights.size() - 1;
}

std::string SampleData::Digits(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + UniformInt(0, 9)));
  return s;
}

absl::Time SampleData::RecentTime(absl::Duration max_age) {
  // Whole seconds keep text and JSON renderings short.
  const int64_t secs = absl::ToInt64Seconds(max_age);
  return anchor_ - absl::Seconds(UniformInt(60, static_cast<int>(std::max<int64_t>(secs, 60))));
}

namespace {

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  ts->set_seconds(absl::ToUnixSeconds(t));
  ts->set_nanos(0);
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

AgeBand BandOf(int age) {
  if (age < 12) return cv1::AGE_BAND_CHILD_0_11;
  if (age < 18) return cv1::AGE_BAND_ADOLESCENT_12_17;
  if (age < 30) return cv1::AGE_BAND_ADULT_18_29;
  if (age < 60) return cv1::AGE_BAND_ADULT_30_59;
  return cv1::AGE_BAND_OLDER_60_PLUS;
}

bool HasVulnerability(const Person& p, Vulnerability v) {
  for (int x : p.vulnerabilities()) {
    if (x == v) return true;
  }
  return false;
}

// Whether the person is under 18 at `anchor`, from birth date, age band or child flags.
bool IsChild(const Person& p, int anchor_year) {
  if (HasVulnerability(p, cv1::VULNERABILITY_UNACCOMPANIED_CHILD) ||
      HasVulnerability(p, cv1::VULNERABILITY_SEPARATED_CHILD)) {
    return true;
  }
  if (p.birth_date().size() >= 4) {
    int year = 0;
    for (int i = 0; i < 4; ++i) year = year * 10 + (p.birth_date()[i] - '0');
    return anchor_year - year < 18;
  }
  return p.age_band() == cv1::AGE_BAND_CHILD_0_11 || p.age_band() == cv1::AGE_BAND_ADOLESCENT_12_17;
}

}  // namespace

Person SampleData::NextPerson() {
  Person p;
  const std::string& country = config_.country();
  const bool mx = country == "MX";
  const bool gt = country == "GT";
  const bool hn = country == "HN";

  // Sex: men are the larger share of consular caseloads.
  const std::vector<double> sex_w = {39.5, 60.0, 0.3, 0.2};
  const Sex sexes[] = {cv1::SEX_FEMALE, cv1::SEX_MALE, cv1::SEX_OTHER, cv1::SEX_UNDISCLOSED};
  const Sex sex = sexes[Weighted(sex_w)];
  p.set_sex(sex);
  const bool female = sex == cv1::SEX_FEMALE || (sex != cv1::SEX_MALE && Chance(0.5));

  // Age: about 8% children, mostly adolescents; working-age adults dominate.
  int age;
  const std::vector<double> age_w = {8, 32, 32, 18, 10};
  switch (Weighted(age_w)) {
    case 0:
      age = Chance(0.7) ? UniformInt(12, 17) : UniformInt(0, 11);
      break;
    case 1:
      age = UniformInt(18, 29);
      break;
    case 2:
      age = UniformInt(30, 44);
      break;
    case 3:
      age = UniformInt(45, 59);
      break;
    default:
      age = UniformInt(60, 85);
      break;
  }
  const bool child = age < 18;

  // Ethnicity drives names and languages.
  enum { kMestizo, kMaya, kGarifuna, kMiskito, kMexIndigenous } group = kMestizo;
  if (gt && Chance(0.30)) group = kMaya;
  if (hn) {
    const double x = Uniform();
    if (x < 0.05)
      group = kGarifuna;
    else if (x < 0.07)
      group = kMiskito;
  }
  if (mx && Chance(0.06)) group = kMexIndigenous;

  // Given names.
  const Names* given = mx ? (female ? &MexicanFemale() : &MexicanMale())
                          : (female ? &CentralAmericanFemale() : &CentralAmericanMale());
  if (group == kMaya && Chance(0.6)) given = female ? &MayaFemale() : &MayaMale();
  const bool english_given = group == kGarifuna || group == kMiskito ? Chance(0.35) : Chance(0.07);
  if (english_given) given = female ? &EnglishFemale() : &EnglishMale();
  std::string given_names = Pick(*given);
  if (!english_given && given_names.find(' ') == std::string::npos && Chance(0.45)) {
    // Compound names; María and José lead most of them.
    std::string second = Pick(*given);
    if (second != given_names) {
      if (Chance(0.4)) given_names = female ? "María" : "José";
      if (second != given_names) absl::StrAppend(&given_names, " ", second);
    }
  }
  p.set_given_names(given_names);

  // Family names: two (paternal, maternal) in Spanish-speaking custom; one for English names.
  const Names* surnames = mx   ? &MexicanSurnames()
                          : gt ? &GuatemalanSurnames()
                          : hn ? &HonduranSurnames()
                               : &MexicanSurnames();
  auto surname = [&]() -> std::string {
    if (group == kMaya && Chance(0.7)) return Pick(MayaSurnames());
    if (gt && Chance(0.08)) return Pick(MayaSurnames());
    if (group == kGarifuna && Chance(0.7)) return Pick(GarifunaSurnames());
    if (group == kMiskito && Chance(0.5)) return Pick(EnglishSurnames());
    return Pick(*surnames);
  };
  std::string family = surname();
  if (english_given && group == kMestizo && Chance(0.25)) {
    family = Pick(EnglishSurnames());  // mixed families: a single English surname
  } else if (Chance(0.92)) {
    std::string second = surname();
    if (second != family) absl::StrAppend(&family, " ", second);
  }
  p.set_family_names(family);

  // Birth date: a real calendar day `age` years back; sometimes only partly known.
  const absl::CivilDay today = absl::ToCivilDay(anchor_, absl::UTCTimeZone());
  const absl::CivilDay born =
      today - static_cast<int>(std::floor(age * 365.2425)) - UniformInt(1, 364);
  const std::vector<double> date_w = {85, 3, 6, 6};
  switch (Weighted(date_w)) {
    case 0:
      p.set_birth_date(absl::StrFormat("%04d-%02d-%02d", born.year(), born.month(), born.day()));
      break;
    case 1:
      p.set_birth_date(absl::StrFormat("%04d-%02d", born.year(), born.month()));
      break;
    case 2:
      p.set_birth_date(absl::StrFormat("%04d", born.year()));
      break;
    default:
      p.set_age_band(BandOf(age));
      break;
  }

  p.add_nationalities(country);

  // Documents.
  auto expire = [&](int validity_years) {
    const absl::CivilDay issued = today - UniformInt(30, 365 * validity_years);
    const absl::CivilDay e =
        absl::CivilDay(issued.year() + validity_years, issued.month(), std::min(issued.day(), 28));
    return absl::StrFormat("%04d-%02d-%02d", e.year(), e.month(), e.day());
  };
  auto add_doc = [&](DocumentType type, std::string number, std::string expire_date) {
    IdentityDocument* d = p.add_documents();
    d->set_type(type);
    d->set_number(std::move(number));
    d->set_issuing_country(country);
    d->set_expire_date(std::move(expire_date));
  };
  const double passport_p = mx ? 0.55 : gt ? 0.40 : 0.35;
  if (Chance(passport_p)) {
    std::string number;
    if (mx) {
      number = absl::StrCat(Chance(0.7) ? "G" : "N", Digits(8));
    } else if (gt) {
      number = Digits(9);
    } else if (hn) {
      number = absl::StrCat(Chance(0.6) ? "F" : "E", Digits(7));
    } else {
      number = absl::StrCat(country, Digits(7));
    }
    const int validity = child ? 3 : (mx && Chance(0.5) ? 10 : 6);
    add_doc(cv1::DOCUMENT_TYPE_PASSPORT, number, Chance(0.7) ? expire(validity) : "");
  }
  if (mx && born.year() >= 1930 && Chance(0.5)) {
    // CURP: name letters, birth date, sex, state, consonants, homoclave and check digit.
    static const char* const kStates[] = {"DF", "MC", "JC", "GT", "MN", "PL", "OC", "VZ", "GR",
                                          "CS", "ZS", "SP", "HG", "NL", "CH", "BC", "SR", "DG"};
    const std::string f1 = CurpWord(family);
    const std::vector<std::string> fam = absl::StrSplit(family, ' ');
    const std::string f2 = fam.size() > 1 ? CurpWord(fam[1]) : "X";
    const std::string g = CurpWord(given_names);
    std::string curp;
    curp.push_back(f1[0]);
    curp.push_back(FirstInternal(f1, true));
    curp.push_back(f2[0]);
    curp.push_back(g[0]);
    absl::StrAppend(&curp,
                    absl::StrFormat("%02d%02d%02d", born.year() % 100, born.month(), born.day()));
    curp.push_back(female ? 'M' : 'H');
    curp.append(kStates[UniformInt(0, static_cast<int>(std::size(kStates)) - 1)]);
    curp.push_back(FirstInternal(f1, false));
    curp.push_back(f2 == "X" ? 'X' : FirstInternal(f2, false));
    curp.push_back(FirstInternal(g, false));
    curp.push_back(born.year() < 2000 ? static_cast<char>('0' + UniformInt(0, 9))
                                      : static_cast<char>('A' + UniformInt(0, 25)));
    int sum = 0;
    for (int i = 0; i < 17; ++i) sum += CurpValue(curp[i]) * (18 - i);
    curp.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
    add_doc(cv1::DOCUMENT_TYPE_NATIONAL_ID, curp, "");
  }
  if (gt && Chance(child ? 0.5 : 0.75)) {
    // DPI / CUI: 8-digit serial, verifier, 2-digit department, 2-digit municipality.
    const std::string cui = absl::StrFormat("%s %s%d %02d%02d", Digits(4), Digits(4),
                                            UniformInt(0, 9), UniformInt(1, 22), UniformInt(1, 17));
    add_doc(child ? cv1::DOCUMENT_TYPE_BIRTH_CERTIFICATE : cv1::DOCUMENT_TYPE_NATIONAL_ID, cui,
            child ? "" : expire(10));
  }
  if (hn && !child && Chance(0.75)) {
    // DNI: department and municipality of registration, birth year, registration number.
    add_doc(cv1::DOCUMENT_TYPE_NATIONAL_ID,
            absl::StrFormat("%02d%02d-%04d-%s", UniformInt(1, 18), UniformInt(1, 16), born.year(),
                            Digits(5)),
            "");
  }
  if (!gt && child && Chance(0.4)) {
    add_doc(cv1::DOCUMENT_TYPE_BIRTH_CERTIFICATE, Digits(mx ? 11 : 8), "");
  }
  if (mx && !child && Chance(0.15)) {
    add_doc(cv1::DOCUMENT_TYPE_CONSULAR_ID, Digits(9), expire(5));  // matrícula consular
  }

  // Languages.
  auto add_lang = [&](const char* code) {
    for (const std::string& l : p.languages()) {
      if (l == code) return;
    }
    p.add_languages(code);
  };
  bool indigenous = false;
  switch (group) {
    case kMaya: {
      static const char* const kMayaLangs[] = {"mam", "quc", "kek", "cak", "kjb", "ixl"};
      const std::vector<double> w = {30, 30, 20, 10, 6, 4};
      add_lang(kMayaLangs[Weighted(w)]);
      if (Chance(0.7)) add_lang("es");
      indigenous = true;
      break;
    }
    case kMexIndigenous: {
      static const char* const kLangs[] = {"nah", "zap", "tzo", "tzh", "yua", "maz"};
      const std::vector<double> w = {35, 20, 15, 15, 10, 5};
      add_lang(kLangs[Weighted(w)]);
      if (Chance(0.8)) add_lang("es");
      indigenous = true;
      break;
    }
    case kGarifuna:
      add_lang("cab");
      add_lang("es");
      if (Chance(0.3)) add_lang("en");
      indigenous = true;
      break;
    case kMiskito:
      add_lang("miq");
      add_lang("es");
      indigenous = true;
      break;
    default:
      add_lang("es");
      break;
  }
  if (Chance(english_given ? 0.5 : 0.10)) add_lang("en");

  // International protection.
  const std::vector<double> ip_w =
      mx ? std::vector<double>{95, 2, 0.5, 2.5} : std::vector<double>{88, 7, 1.5, 3.5};
  const InternationalProtection ips[] = {
      cv1::INTERNATIONAL_PROTECTION_NONE, cv1::INTERNATIONAL_PROTECTION_ASYLUM_SEEKER,
      cv1::INTERNATIONAL_PROTECTION_REFUGEE, cv1::INTERNATIONAL_PROTECTION_UNKNOWN};
  p.set_international_protection(ips[Weighted(ip_w)]);

  // Vulnerabilities, in enum order.
  const bool route = !mx;  // nationals crossing Mexico face more violence en route
  std::vector<Vulnerability> v;
  if (child) {
    // Children travelling alone are nearly all adolescents; young ones get separated.
    const double x = Uniform();
    const double alone = age >= 12 ? (route ? 0.50 : 0.35) : 0.0;
    const double separated = age >= 12 ? 0.15 : 0.20;
    if (x < alone) {
      v.push_back(cv1::VULNERABILITY_UNACCOMPANIED_CHILD);
    } else if (x < alone + separated) {
      v.push_back(cv1::VULNERABILITY_SEPARATED_CHILD);
    }
  }
  if (Chance(0.01)) v.push_back(cv1::VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM);
  if (Chance(route ? 0.07 : 0.02)) v.push_back(cv1::VULNERABILITY_CRIME_VICTIM_EN_ROUTE);
  if (female && age >= 12 && Chance(0.04)) v.push_back(cv1::VULNERABILITY_GBV_SURVIVOR);
  if (female && age >= 15 && age <= 44 && Chance(0.05)) {
    v.push_back(cv1::VULNERABILITY_PREGNANT);
  }
  if (age >= 60) v.push_back(cv1::VULNERABILITY_OLDER_PERSON);
  if (Chance(0.02)) v.push_back(cv1::VULNERABILITY_DISABILITY);
  if (Chance(0.03)) v.push_back(cv1::VULNERABILITY_INJURED);
  if (Chance(child ? 0.04 : 0.12)) v.push_back(cv1::VULNERABILITY_DETAINED);
  if (Chance(route ? 0.55 : 0.40)) v.push_back(cv1::VULNERABILITY_IRREGULAR_STATUS);
  if (indigenous) v.push_back(cv1::VULNERABILITY_INDIGENOUS);
  if (Chance(age >= 50 ? 0.10 : 0.03)) v.push_back(cv1::VULNERABILITY_CHRONIC_ILLNESS);
  for (Vulnerability x : v) p.add_vulnerabilities(x);

  // Local contact, in fictional ranges only (555-01xx, example.com).
  if (!child && Chance(0.45)) {
    static const char* const kAreaCodes[] = {"213", "312", "713", "214", "602",
                                             "619", "718", "404", "305", "504"};
    p.mutable_contact()->set_phone(
        absl::StrFormat("+1 %s 555 01%s", kAreaCodes[UniformInt(0, 9)], Digits(2)));
  }
  if (!child && Chance(0.10)) {
    std::vector<std::string> g = enlace::text::Words(enlace::text::FoldForSearch(given_names));
    std::vector<std::string> f = enlace::text::Words(enlace::text::FoldForSearch(family));
    if (!g.empty() && !f.empty()) {
      p.mutable_contact()->set_email(absl::StrCat(g[0], ".", f[0], Digits(2), "@example.com"));
    }
  }
  return p;
}

Case SampleData::NextCase(const std::string& person_name) { return MakeCase(person_name, nullptr); }

Case SampleData::NextCase(const std::string& person_name, const Person& person) {
  return MakeCase(person_name, &person);
}

Case SampleData::MakeCase(const std::string& person_name, const Person* person) {
  Case c;
  c.set_person(person_name);
  c.set_status(cv1::STATUS_OPEN);

  if (!posts_.empty()) {
    const PostInfo& info = posts_[Weighted(post_weights_)];
    const auto& post = config_.posts(info.index);
    c.set_post(post.code());
    c.set_host_country(post.host_country());
    c.set_place(Pick(info.places));
  }

  // Category by the node's target shares, then a subtype of that category.
  std::vector<double> cw;
  for (const auto& [cat, share] : category_shares_) cw.push_back(share);
  const Category category = category_shares_[Weighted(cw)].first;
  const std::vector<WeightedValue>& subs = SubtypesOf(category);
  std::vector<double> sw;
  for (const auto& s : subs) sw.push_back(s.weight);
  Subtype subtype = static_cast<Subtype>(subs[Weighted(sw)].value);

  // Keep the subtype consistent with a known person (same category, so shares hold).
  const bool known = person != nullptr;
  const bool child_person = known && IsChild(*person, anchor_year_);
  if (known && !child_person && subtype == cv1::SUBTYPE_MINOR_IN_CUSTODY) {
    subtype = Chance(0.5) ? cv1::SUBTYPE_IMMIGRATION_DETENTION : cv1::SUBTYPE_DEPORTATION;
  }
  if (child_person && subtype == cv1::SUBTYPE_IMMIGRATION_DETENTION) {
    subtype = cv1::SUBTYPE_MINOR_IN_CUSTODY;
  }
  c.set_category(category);
  c.set_subtype(subtype);

  const bool child_case =
      child_person ||
      (!known && (subtype == cv1::SUBTYPE_MINOR_IN_CUSTODY ||
                  (subtype == cv1::SUBTYPE_INTERNATIONAL_CHILD_ABDUCTION && Chance(0.5))));
  const bool detained_person = known && HasVulnerability(*person, cv1::VULNERABILITY_DETAINED);

  const Risk risks[] = {cv1::RISK_LOW, cv1::RISK_MEDIUM, cv1::RISK_HIGH, cv1::RISK_CRITICAL};
  Risk risk = risks[Weighted(RiskWeights(subtype))];
  if (child_case && risk < cv1::RISK_HIGH) risk = cv1::RISK_HIGH;
  c.set_risk(risk);

  bool urgent = risk == cv1::RISK_CRITICAL || child_case || detained_person ||
                subtype == cv1::SUBTYPE_MINOR_IN_CUSTODY;
  if (IsDetention(subtype) && Chance(0.8)) urgent = true;
  if ((subtype == cv1::SUBTYPE_TRAFFICKING || subtype == cv1::SUBTYPE_GENDER_BASED_VIOLENCE ||
       subtype == cv1::SUBTYPE_MISSING_PERSON || subtype == cv1::SUBTYPE_EVACUATION) &&
      Chance(0.6)) {
    urgent = true;
  }
  c.set_urgent(urgent);

  // Legal basis: consent wherever someone can give it.
  LegalBasis basis = cv1::LEGAL_BASIS_CONSENT;
  auto giver = cv1::CONSENT_GIVER_PERSON;
  if (child_case) {
    const bool alone = subtype == cv1::SUBTYPE_MINOR_IN_CUSTODY ||
                       (known && HasVulnerability(*person, cv1::VULNERABILITY_UNACCOMPANIED_CHILD));
    if (Chance(alone ? 0.6 : 0.15)) {
      basis = cv1::LEGAL_BASIS_CHILD_BEST_INTEREST;
    } else {
      giver = cv1::CONSENT_GIVER_PARENT_OR_GUARDIAN;
    }
  } else if (PersonUnreachable(subtype)) {
    if (Chance(0.6))
      basis = cv1::LEGAL_BASIS_VITAL_INTEREST;
    else
      giver = cv1::CONSENT_GIVER_LEGAL_REPRESENTATIVE;  // a relative acting for them
  } else if (PersonDeceased(subtype)) {
    giver = cv1::CONSENT_GIVER_LEGAL_REPRESENTATIVE;  // next of kin
  } else if (risk == cv1::RISK_CRITICAL && Chance(0.3)) {
    basis = cv1::LEGAL_BASIS_VITAL_INTEREST;
  }
  c.set_legal_basis(basis);

  if (basis == cv1::LEGAL_BASIS_CONSENT) {
    auto* consent = c.mutable_consent();
    consent->set_given_by(giver);
    if (giver != cv1::CONSENT_GIVER_PERSON) {
      // A parent or relative: shares the person's first family name when it is known.
      const bool f = Chance(0.6);
      const Names& g = config_.country() == "MX"
                           ? (f ? MexicanFemale() : MexicanMale())
                           : (f ? CentralAmericanFemale() : CentralAmericanMale());
      std::string family;
      if (known && !person->family_names().empty()) {
        family = std::string(
            absl::string_view(person->family_names()).substr(0, person->family_names().find(' ')));
      } else {
        family = Pick(config_.country() == "GT"   ? GuatemalanSurnames()
                      : config_.country() == "HN" ? HonduranSurnames()
                                                  : MexicanSurnames());
      }
      consent->set_giver_name(absl::StrCat(Pick(g), " ", family));
    }
    const bool search = PersonUnreachable(subtype) || PersonDeceased(subtype) ||
                        subtype == cv1::SUBTYPE_MINOR_IN_CUSTODY;
    std::vector<std::pair<ConsentScope, double>> scopes = {
        {cv1::CONSENT_SCOPE_SERVICES, 1.0},
        {cv1::CONSENT_SCOPE_FAMILY, 0.65},
        {cv1::CONSENT_SCOPE_HOME_STATE, 0.25},
        {cv1::CONSENT_SCOPE_HOST_AUTHORITIES, IsDetention(subtype) ? 0.8 : 0.45},
        {cv1::CONSENT_SCOPE_INTERNATIONAL_ORGANISATIONS,
         category == cv1::CATEGORY_MIGRATION ? 0.3 : 0.15},
        {cv1::CONSENT_SCOPE_CIVIL_SOCIETY, 0.25},
        {cv1::CONSENT_SCOPE_TRACING, search ? 1.0 : 0.03},
        {cv1::CONSENT_SCOPE_ANONYMOUS_STATISTICS, 0.8},
    };
    for (const auto& [scope, p] : scopes) {
      if (Chance(p)) consent->add_scopes(scope);
    }
    const double w = Uniform();
    if (w < 0.08) {
      consent->add_withheld_items("contact");
    } else if (w < 0.11) {
      consent->add_withheld_items("documents");
    }
    const absl::Time obtained = RecentTime(absl::Hours(24 * 60));
    SetTimestamp(obtained, consent->mutable_obtain_time());
    if (Chance(0.25))
      SetTimestamp(obtained + absl::Hours(24 * 365), consent->mutable_expire_time());
  }

  // Summary.
  const std::string city(absl::string_view(c.place()).substr(0, c.place().find(',')));
  c.set_summary(absl::StrReplaceAll(Pick(SummaryTemplates(subtype)),
                                    {{"{city}", city}, {"{home}", HomeName(config_.country())}}));
  return c;
}

Action SampleData::NextAction(const Case& c) {
  Action a;
  std::vector<WeightedValue> types = ActionsFor(c.subtype());
  std::vector<double> tw;
  for (const auto& t : types) tw.push_back(t.weight);
  const ActionType type = static_cast<ActionType>(types[Weighted(tw)].value);
  a.set_type(type);
  a.set_post(c.post());

  // A small, stable roster per post, so the same officers recur on a post's cases.
  int post_index = 0;
  for (int i = 0; i < config_.posts_size(); ++i) {
    if (config_.posts(i).code() == c.post()) post_index = i;
  }
  a.set_officer(absl::StrFormat("ofc-%04d", 100 + post_index * 16 + UniformInt(0, 5)));

  // After the case was opened (when known) and not after the anchor.
  absl::Time lo = anchor_ - absl::Hours(24 * 30);
  if (c.has_create_time()) lo = std::max(lo, FromTimestamp(c.create_time()));
  absl::Time t = lo;
  if (lo < anchor_) {
    const int64_t span = absl::ToInt64Seconds(anchor_ - lo);
    t = lo + absl::Seconds(static_cast<int64_t>(Uniform() * static_cast<double>(span)));
  }
  SetTimestamp(absl::FromUnixSeconds(absl::ToUnixSeconds(t)), a.mutable_occur_time());

  std::vector<double> ow = {65, 12, 8, 15};  // completed, partial, unsuccessful, pending
  if (IsAccomplishment(type)) ow = {90, 10, 0, 0};
  if (WaitsOnOthers(type)) ow = {45, 10, 5, 40};
  const ActionOutcome outcomes[] = {cv1::ACTION_OUTCOME_COMPLETED, cv1::ACTION_OUTCOME_PARTIAL,
                                    cv1::ACTION_OUTCOME_UNSUCCESSFUL, cv1::ACTION_OUTCOME_PENDING};
  const ActionOutcome outcome = outcomes[Weighted(ow)];
  a.set_outcome(outcome);

  std::string note = Pick(ActionNotes(type));
  switch (outcome) {
    case cv1::ACTION_OUTCOME_PARTIAL:
      absl::StrAppend(&note, " Queda pendiente parte del trámite.");
      break;
    case cv1::ACTION_OUTCOME_UNSUCCESSFUL:
      absl::StrAppend(&note, " No fue posible completarla; se reintentará.");
      break;
    case cv1::ACTION_OUTCOME_PENDING:
      absl::StrAppend(&note, " En espera de respuesta.");
      break;
    default:
      break;
  }
  a.set_note(note);
  return a;
}

}  // namespace enlace::sampledata
