#include "tools/sampleload/organisations.h"

#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace enlace::sampleload {
namespace {

namespace dv1 = ::enlace::directory::v1;

// Short aliases keep the catalogue readable.
constexpr dv1::OrganisationType kCivil = dv1::ORGANISATION_TYPE_CIVIL_SOCIETY;
constexpr dv1::OrganisationType kShelter = dv1::ORGANISATION_TYPE_SHELTER;
constexpr dv1::OrganisationType kLegal = dv1::ORGANISATION_TYPE_LEGAL_AID;
constexpr dv1::OrganisationType kIntl = dv1::ORGANISATION_TYPE_INTERNATIONAL_ORGANISATION;
constexpr dv1::OrganisationType kGov = dv1::ORGANISATION_TYPE_GOVERNMENT_AGENCY;
constexpr dv1::OrganisationType kFaith = dv1::ORGANISATION_TYPE_FAITH_BASED;
constexpr dv1::OrganisationType kHealth = dv1::ORGANISATION_TYPE_HEALTH_PROVIDER;

constexpr dv1::Service kLegalAid = dv1::SERVICE_LEGAL_AID;
constexpr dv1::Service kShelterSvc = dv1::SERVICE_SHELTER;
constexpr dv1::Service kTracing = dv1::SERVICE_FAMILY_TRACING;
constexpr dv1::Service kMedical = dv1::SERVICE_MEDICAL_CARE;
constexpr dv1::Service kPsycho = dv1::SERVICE_PSYCHOSOCIAL_SUPPORT;
constexpr dv1::Service kRepat = dv1::SERVICE_REPATRIATION_SUPPORT;
constexpr dv1::Service kDocs = dv1::SERVICE_DOCUMENTS;
constexpr dv1::Service kFood = dv1::SERVICE_FOOD;
constexpr dv1::Service kChild = dv1::SERVICE_CHILD_PROTECTION;
constexpr dv1::Service kGbv = dv1::SERVICE_GBV_SUPPORT;
constexpr dv1::Service kJobs = dv1::SERVICE_EMPLOYMENT;
constexpr dv1::Service kInterp = dv1::SERVICE_INTERPRETATION;

struct Entry {
  std::string display_name;
  dv1::OrganisationType type;
  std::vector<dv1::Service> services;
  std::vector<std::string> areas;      // ISO 3166-2 (the configs' letter codes for GT)
  std::vector<std::string> languages;  // ISO 639
  std::string slug;                    // host name under example.org
  std::string phone;                   // fictitious; may be empty
  std::string address;
  std::string description;
};

// The tables are laid out by hand, one organisation per paragraph.
// clang-format off

// Mexico: shelters and human-rights centres on the southern border and the route north,
// legal clinics in the capital, shelters at the northern border, the refugee agency.
const std::vector<Entry>& Mexico() {
  static const auto* entries = new std::vector<Entry>{
      {"Casa del Migrante Albergue Belén (Tapachula)", kFaith,
       {kShelterSvc, kFood, kMedical, kPsycho, kLegalAid}, {"MX-CHP"}, {"es", "en", "fr", "ht"},
       "albergue-belen-tapachula", "+52 962 555 0101", "Tapachula, Chiapas",
       "Albergue de corta estancia para personas migrantes y solicitantes de asilo en la frontera "
       "sur; alimentación, atención médica básica y orientación legal."},
      {"Albergue Hermanos en el Camino (Ixtepec)", kShelter,
       {kShelterSvc, kFood, kMedical, kPsycho, kDocs}, {"MX-OAX"}, {"es", "en"},
       "hermanos-en-el-camino", "+52 971 555 0102", "Ciudad Ixtepec, Oaxaca",
       "Albergue junto a las vías del tren en el Istmo de Tehuantepec; hospedaje, comida y "
       "acompañamiento para trámites migratorios."},
      {"Centro de Derechos Humanos Fray Matías de Córdova", kLegal,
       {kLegalAid, kDocs, kChild, kGbv}, {"MX-CHP"}, {"es", "en", "mam"},
       "cdh-fray-matias", "+52 962 555 0103", "Tapachula, Chiapas",
       "Defensa y litigio en casos de detención migratoria, asilo y niñez no acompañada en la "
       "frontera sur."},
      {"La 72, Hogar-Refugio para Personas Migrantes (Tenosique)", kShelter,
       {kShelterSvc, kFood, kLegalAid, kPsycho, kGbv}, {"MX-TAB"}, {"es", "en"},
       "la72-tenosique", "+52 934 555 0104", "Tenosique, Tabasco",
       "Hogar-refugio con espacios para mujeres, familias, niñez y personas LGBTI; orientación "
       "para solicitar la condición de refugiado."},
      {"Clínica Jurídica para Personas Refugiadas (Ciudad de México)", kLegal,
       {kLegalAid, kDocs, kInterp}, {"MX-CMX", "MX-MEX"}, {"es", "en", "fr"},
       "clinica-juridica-refugiados-cdmx", "+52 55 5555 0105", "Ciudad de México",
       "Clínica universitaria: representación legal gratuita en procedimientos de asilo, "
       "regularización y amparos contra la detención."},
      {"Casa del Migrante de Saltillo (Frontera con Justicia)", kFaith,
       {kShelterSvc, kFood, kLegalAid, kJobs}, {"MX-COA"}, {"es", "en"},
       "casa-migrante-saltillo", "+52 844 555 0106", "Saltillo, Coahuila",
       "Albergue y centro de derechos humanos en la ruta hacia el noreste; documentación de "
       "agresiones y vinculación laboral."},
      {"Casa del Migrante Nazareth (Nuevo Laredo)", kFaith,
       {kShelterSvc, kFood, kRepat, kTracing}, {"MX-TAM"}, {"es", "en"},
       "casa-nazareth-nuevo-laredo", "+52 867 555 0107", "Nuevo Laredo, Tamaulipas",
       "Recibe a personas deportadas y en tránsito en la frontera norte; llamadas a familiares y "
       "apoyo para el retorno."},
      {"Coalición Pro Defensa del Migrante (Tijuana)", kCivil,
       {kLegalAid, kShelterSvc, kRepat, kTracing}, {"MX-BCN"}, {"es", "en"},
       "coalicion-migrante-tijuana", "+52 664 555 0108", "Tijuana, Baja California",
       "Red de albergues y organizaciones de Tijuana; recepción de personas repatriadas en la "
       "garita y orientación jurídica."},
      {"Iniciativa Kino para la Frontera (Nogales)", kFaith,
       {kFood, kShelterSvc, kMedical, kGbv, kLegalAid}, {"MX-SON", "US-AZ"}, {"es", "en"},
       "kino-nogales", "+52 631 555 0109", "Nogales, Sonora",
       "Comedor y albergue binacional para mujeres y familias en la frontera Sonora-Arizona."},
      {"Instituto para las Mujeres en la Migración", kLegal,
       {kLegalAid, kGbv, kChild, kTracing}, {"MX-CMX", "US-TX", "US-CA"}, {"es", "en"},
       "imumi", "+52 55 5555 0110", "Ciudad de México",
       "Asesoría a mujeres migrantes y familias transnacionales: custodia, reunificación y "
       "violencia de género a ambos lados de la frontera."},
      {"Comisión Mexicana de Ayuda a Refugiados (oficina Tapachula)", kGov,
       {kDocs, kLegalAid}, {"MX-CHP", "MX-TAB", "MX-VER"}, {"es", "en", "fr"},
       "comar-tapachula", "+52 962 555 0111", "Tapachula, Chiapas",
       "Recibe y resuelve solicitudes de la condición de refugiado; constancias de trámite."},
      {"Centro de Salud para Personas Migrantes (Ciudad Hidalgo)", kHealth,
       {kMedical, kPsycho, kInterp}, {"MX-CHP"}, {"es", "fr", "ht"},
       "salud-migrantes-ciudad-hidalgo", "+52 962 555 0112", "Ciudad Hidalgo, Chiapas",
       "Consulta médica, salud sexual y reproductiva y atención psicológica en el cruce del río "
       "Suchiate."},
      {"Albergue del Desierto (Mexicali)", kShelter,
       {kShelterSvc, kChild, kRepat, kFood}, {"MX-BCN", "MX-SON"}, {"es", "en"},
       "albergue-desierto-mexicali", "+52 686 555 0113", "Mexicali, Baja California",
       "Albergue para niñas, niños y adolescentes repatriados y para familias; acompañamiento "
       "en el retorno."},
      {"Oficina de la OIM (Ciudad Juárez)", kIntl,
       {kRepat, kMedical, kDocs, kTracing}, {"MX-CHH", "US-TX"}, {"es", "en"},
       "oim-ciudad-juarez", "+52 656 555 0114", "Ciudad Juárez, Chihuahua",
       "Retorno voluntario asistido, atención a personas varadas en la frontera y apoyo a "
       "albergues."},
  };
  return *entries;
}

// Guatemala: shelters on the route, reception of returnees, Maya-language organisations in the
// western highlands, child protection.
const std::vector<Entry>& Guatemala() {
  static const auto* entries = new std::vector<Entry>{
      {"Casa del Migrante de Guatemala", kFaith,
       {kShelterSvc, kFood, kMedical, kLegalAid, kPsycho}, {"GT-GU"}, {"es", "en"},
       "casa-migrante-guatemala", "+502 2555 0201", "Ciudad de Guatemala",
       "Albergue de la zona 1 para personas en tránsito, deportadas y solicitantes de asilo."},
      {"Casa del Migrante de Tecún Umán", kFaith,
       {kShelterSvc, kFood, kMedical, kTracing}, {"GT-SM"}, {"es", "en", "mam"},
       "casa-migrante-tecun-uman", "+502 7555 0202", "Tecún Umán, San Marcos",
       "Albergue en la frontera con Chiapas; primeros auxilios, llamadas a familiares y "
       "orientación antes de cruzar el río Suchiate."},
      {"Centro de Recepción de Personas Retornadas (Fuerza Aérea)", kGov,
       {kRepat, kDocs, kMedical, kFood}, {"GT-GU"}, {"es", "en"},
       "recepcion-retornados-gua", "+502 2555 0203", "Ciudad de Guatemala",
       "Recepción de los vuelos de retorno: registro, documentación, atención médica y "
       "transporte a la terminal de buses."},
      {"Asociación Pop No'j (Quetzaltenango)", kCivil,
       {kPsycho, kChild, kInterp, kJobs}, {"GT-QZ", "GT-HU", "GT-SM"}, {"es", "mam", "quc"},
       "popnoj-xela", "+502 7555 0204", "Quetzaltenango",
       "Acompañamiento comunitario a niñez y juventud indígena retornada; intérpretes de mam y "
       "k'iche'."},
      {"Casa Nuestras Raíces (Quetzaltenango)", kGov,
       {kChild, kShelterSvc, kPsycho, kRepat}, {"GT-QZ"}, {"es", "mam", "quc"},
       "nuestras-raices-xela", "+502 7555 0205", "Quetzaltenango",
       "Albergue temporal para niñas, niños y adolescentes no acompañados retornados por vía "
       "terrestre, hasta su entrega a la familia."},
      {"Pastoral de Movilidad Humana (Conferencia Episcopal)", kFaith,
       {kShelterSvc, kTracing, kPsycho, kLegalAid}, {"GT"}, {"es", "en", "kek"},
       "pmh-guatemala", "+502 2555 0206", "Ciudad de Guatemala",
       "Red nacional de casas del migrante y equipos parroquiales; búsqueda de personas "
       "migrantes desaparecidas."},
      {"Clínica Jurídica de Movilidad Humana (Ciudad de Guatemala)", kLegal,
       {kLegalAid, kDocs}, {"GT-GU", "GT-ES"}, {"es", "en"},
       "clinica-movilidad-gua", "+502 2555 0207", "Ciudad de Guatemala",
       "Clínica universitaria: asilo, reconocimiento de documentos extranjeros y acceso a "
       "servicios para personas refugiadas."},
      {"Albergue para Personas Migrantes de Santa Elena (Petén)", kShelter,
       {kShelterSvc, kFood, kMedical}, {"GT-PE"}, {"es", "kek"},
       "albergue-santa-elena-peten", "+502 7555 0208", "Santa Elena, Petén",
       "Albergue en la ruta hacia El Ceibo y Tenosique; estancia de hasta tres noches."},
      {"Grupo Guatemalteco de Mujeres (Centro de Apoyo Integral)", kCivil,
       {kGbv, kPsycho, kLegalAid, kShelterSvc}, {"GT-GU", "GT-IZ"}, {"es", "en"},
       "ggm-centro-apoyo", "+502 2555 0209", "Ciudad de Guatemala",
       "Atención integral a mujeres sobrevivientes de violencia, incluida la violencia sufrida "
       "en la ruta migratoria."},
      {"Centro de Atención Médica a Migrantes (Esquipulas)", kHealth,
       {kMedical, kPsycho}, {"GT-CQ"}, {"es"},
       "salud-migrantes-esquipulas", "+502 7555 0210", "Esquipulas, Chiquimula",
       "Punto de atención médica en la frontera con Honduras y El Salvador."},
      {"Red Jesuita con Migrantes Guatemala", kFaith,
       {kLegalAid, kTracing, kPsycho}, {"GT-GU", "GT-SM", "GT-PE"}, {"es", "en"},
       "rjm-guatemala", "+502 2555 0211", "Ciudad de Guatemala",
       "Acompañamiento jurídico y psicosocial a familias de personas migrantes y retornadas."},
      {"Procuraduría General de la Nación: Unidad de Niñez Migrante", kGov,
       {kChild, kRepat, kDocs}, {"GT"}, {"es", "en", "mam", "quc"},
       "pgn-ninez-migrante", "+502 2555 0212", "Ciudad de Guatemala",
       "Representación de niñas, niños y adolescentes migrantes no acompañados y coordinación "
       "de su reunificación familiar."},
  };
  return *entries;
}

// Honduras: the return-reception centres (CAMR), families' committees of the disappeared,
// child protection, organisations in the north coast and the capital.
const std::vector<Entry>& Honduras() {
  static const auto* entries = new std::vector<Entry>{
      {"Centro de Atención al Migrante Retornado (CAMR) San Pedro Sula", kGov,
       {kRepat, kDocs, kMedical, kPsycho, kFood}, {"HN-CR"}, {"es", "en"},
       "camr-san-pedro-sula", "+504 2555 0301", "San Pedro Sula, Cortés",
       "Recepción de personas retornadas por vía aérea: registro, atención médica y psicológica, "
       "alimentación y transporte a su comunidad."},
      {"Centro de Atención al Migrante Retornado (CAMR) Omoa", kGov,
       {kRepat, kDocs, kFood}, {"HN-CR"}, {"es"},
       "camr-omoa", "+504 2555 0302", "Omoa, Cortés",
       "Recepción de personas adultas retornadas por vía terrestre desde México."},
      {"Centro de Atención para la Niñez y Familias Migrantes (Belén)", kGov,
       {kChild, kRepat, kPsycho, kMedical}, {"HN-CR"}, {"es", "cab"},
       "canfm-belen", "+504 2555 0303", "San Pedro Sula, Cortés",
       "Recibe a niñas, niños, adolescentes y unidades familiares retornadas; seguimiento de "
       "reintegración."},
      {"Comité de Familiares de Migrantes Desaparecidos del Progreso (COFAMIPRO)", kCivil,
       {kTracing, kPsycho}, {"HN-YO", "HN-CR", "HN-AT"}, {"es"},
       "cofamipro", "+504 2555 0304", "El Progreso, Yoro",
       "Búsqueda de personas migrantes desaparecidas en la ruta; caravanas de madres y "
       "acompañamiento a las familias."},
      {"Comisión Nacional de Apoyo a Migrantes Retornados con Discapacidad", kCivil,
       {kMedical, kPsycho, kJobs, kRepat}, {"HN-FM", "HN-CR"}, {"es"},
       "conamiredis", "+504 2555 0305", "Tegucigalpa, Francisco Morazán",
       "Rehabilitación, prótesis y reinserción laboral de personas migrantes que sufrieron "
       "accidentes en la ruta."},
      {"Casa Alianza Honduras", kCivil,
       {kChild, kShelterSvc, kLegalAid, kPsycho}, {"HN-FM"}, {"es"},
       "casa-alianza-honduras", "+504 2555 0306", "Tegucigalpa, Francisco Morazán",
       "Protección y albergue para niñez y adolescencia en riesgo, incluida la niñez retornada."},
      {"Centro de Investigación y Promoción de los Derechos Humanos (CIPRODEH)", kLegal,
       {kLegalAid, kDocs}, {"HN-FM", "HN-CR"}, {"es", "en"},
       "ciprodeh", "+504 2555 0307", "Tegucigalpa, Francisco Morazán",
       "Orientación y representación legal de personas desplazadas, migrantes y retornadas."},
      {"Foro Nacional para las Migraciones en Honduras (FONAMIH)", kCivil,
       {kLegalAid, kTracing, kRepat}, {"HN"}, {"es"},
       "fonamih", "+504 2555 0308", "Tegucigalpa, Francisco Morazán",
       "Red de organizaciones: incidencia, registro de casos y apoyo a familias de personas "
       "migrantes fallecidas para la repatriación de restos."},
      {"Cruz Roja Hondureña: Restablecimiento del Contacto entre Familiares", kCivil,
       {kTracing, kMedical, kPsycho}, {"HN"}, {"es", "cab"},
       "cruzroja-hn-rcf", "+504 2555 0309", "Tegucigalpa, Francisco Morazán",
       "Llamadas gratuitas, búsqueda de familiares y primeros auxilios en los centros de "
       "retorno."},
      {"Pastoral de Movilidad Humana (San Pedro Sula)", kFaith,
       {kShelterSvc, kFood, kLegalAid, kTracing}, {"HN-CR", "HN-YO"}, {"es"},
       "pmh-san-pedro-sula", "+504 2555 0310", "San Pedro Sula, Cortés",
       "Atención a personas desplazadas y retornadas; documentación de casos de desaparición."},
      {"Albergue de Personas Migrantes en Tránsito (Choluteca)", kShelter,
       {kShelterSvc, kFood, kMedical}, {"HN-CH", "HN-VA"}, {"es", "en", "fr"},
       "albergue-choluteca", "+504 2555 0311", "Choluteca",
       "Albergue en el corredor del sur para personas migrantes extracontinentales y "
       "caribeñas en tránsito."},
      {"Centro de Atención Integral a Sobrevivientes de Violencia (La Ceiba)", kHealth,
       {kGbv, kMedical, kPsycho}, {"HN-AT"}, {"es", "cab"},
       "caisv-la-ceiba", "+504 2555 0312", "La Ceiba, Atlántida",
       "Atención médica y psicológica a mujeres y niñas sobrevivientes de violencia, incluidas "
       "las retornadas."},
  };
  return *entries;
}

// clang-format on

struct CountryInfo {
  const char* name;
  const char* capital;
  std::vector<std::string> languages;
};

// Members of the Regional Conference on Migration without a hand-written catalogue.
const CountryInfo* InfoFor(const std::string& country) {
  static const auto* info = new std::map<std::string, CountryInfo>{
      {"BZ", {"Belice", "Belmopán", {"en", "es"}}},
      {"CA", {"Canadá", "Ottawa", {"en", "fr", "es"}}},
      {"CR", {"Costa Rica", "San José", {"es"}}},
      {"DO", {"República Dominicana", "Santo Domingo", {"es"}}},
      {"NI", {"Nicaragua", "Managua", {"es"}}},
      {"PA", {"Panamá", "Ciudad de Panamá", {"es", "en"}}},
      {"SV", {"El Salvador", "San Salvador", {"es"}}},
      {"US", {"Estados Unidos", "Washington", {"en", "es"}}},
  };
  auto it = info->find(country);
  return it == info->end() ? nullptr : &it->second;
}

// Generic entries for a country without a catalogue; they cover the whole country.
std::vector<Entry> Generic(const std::string& country) {
  const CountryInfo* info = InfoFor(country);
  const std::string name = info != nullptr ? info->name : country;
  const std::string capital = info != nullptr ? info->capital : country;
  const std::vector<std::string> languages =
      info != nullptr ? info->languages : std::vector<std::string>{"es", "en"};
  const std::string lower = absl::AsciiStrToLower(country);
  const std::vector<std::string> areas = {country};
  // clang-format off
  return {
      {absl::StrCat("Red de Casas del Migrante de ", name), kShelter,
       {kShelterSvc, kFood, kMedical}, areas, languages, absl::StrCat("casas-migrante-", lower), "",
       capital, "Red nacional de albergues para personas migrantes."},
      {absl::StrCat("Clínica Jurídica para Personas Migrantes (", capital, ")"), kLegal,
       {kLegalAid, kDocs}, areas, languages, absl::StrCat("clinica-juridica-", lower), "", capital,
       "Representación legal gratuita en procedimientos migratorios y de asilo."},
      {absl::StrCat("Oficina de Atención al Migrante Retornado (", capital, ")"), kGov,
       {kRepat, kDocs, kMedical}, areas, languages, absl::StrCat("atencion-retornados-", lower),
       "", capital, "Recepción y registro de nacionales retornados."},
      {absl::StrCat("Comité de Familiares de Migrantes Desaparecidos de ", name), kCivil,
       {kTracing, kPsycho}, areas, languages, absl::StrCat("familiares-desaparecidos-", lower), "",
       capital, "Búsqueda de personas migrantes desaparecidas y apoyo a sus familias."},
      {absl::StrCat("Centro de Salud Comunitario para Migrantes (", capital, ")"), kHealth,
       {kMedical, kPsycho, kGbv}, areas, languages, absl::StrCat("salud-migrantes-", lower), "",
       capital, "Atención primaria y psicológica para personas migrantes."},
      {absl::StrCat("Pastoral de Movilidad Humana de ", name), kFaith,
       {kShelterSvc, kTracing, kPsycho}, areas, languages, absl::StrCat("pmh-", lower), "",
       capital, "Acompañamiento pastoral y humanitario en la ruta."},
  };
  // clang-format on
}

dv1::Organisation ToOrganisation(const Entry& e, int office) {
  dv1::Organisation o;
  std::string slug = e.slug;
  if (office > 1) {
    o.set_display_name(absl::StrCat(e.display_name, ", sede ", office));
    absl::StrAppend(&slug, "-", office);
  } else {
    o.set_display_name(e.display_name);
  }
  o.set_type(e.type);
  for (dv1::Service s : e.services) o.add_services(s);
  for (const std::string& a : e.areas) o.add_areas(a);
  for (const std::string& l : e.languages) o.add_languages(l);
  dv1::Contact* c = o.mutable_contact();
  if (!e.phone.empty()) c->set_phone(e.phone);
  c->set_email(absl::StrCat("contacto@", slug, ".example.org"));
  c->set_website(absl::StrCat("https://", slug, ".example.org"));
  c->set_address(e.address);
  o.set_description(
      absl::StrCat(e.description, " (Entrada de demostración: datos de contacto ficticios.)"));
  return o;
}

}  // namespace

std::vector<dv1::Organisation> SampleOrganisations(absl::string_view country, int count) {
  const std::string cc = absl::AsciiStrToUpper(country);
  std::vector<Entry> generic;
  const std::vector<Entry>* catalogue;
  if (cc == "MX") {
    catalogue = &Mexico();
  } else if (cc == "GT") {
    catalogue = &Guatemala();
  } else if (cc == "HN") {
    catalogue = &Honduras();
  } else {
    generic = Generic(cc);
    catalogue = &generic;
  }
  std::vector<dv1::Organisation> out;
  const int size = static_cast<int>(catalogue->size());
  for (int i = 0; i < count; ++i) {
    out.push_back(ToOrganisation((*catalogue)[i % size], i / size + 1));
  }
  return out;
}

}  // namespace enlace::sampleload
