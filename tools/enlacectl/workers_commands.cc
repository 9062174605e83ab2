// The temporary-workers commands: enlace.workers.v1.TemporaryWorkersService, one entry per RPC
// (see domains.h). An employment is `countries/{cc}/employments/{id}`, a labour claim
// `countries/{cc}/labourClaims/{id}`, an outreach event `countries/{cc}/outreachEvents/{id}`;
// a bare id expands with --country.
//
//   employment create PERSON programme=.. permit=.. employer=.. area=.. start=.. wage=CUR:AMT
//                     unit=.. [employer_id=..] [recruiter=.. licence=.. fees=CUR:AMT]
//                     [end=..] [hours=N] [housing=yes] [deduction=TYPE:CUR:AMT]... [post=..]
//                                                                   CreateEmployment
//   employment show NAME                                            GetEmployment
//   employment list PERSON                                          ListEmployments
//   claim create CASE type=.. forum=.. claimed=CUR:AMT [deadline=..] [employment=..]
//                [docket=..]                                        CreateLabourClaim
//   claim show NAME                                                 GetLabourClaim
//   claim advance NAME STATUS [recovered=CUR:AMT]                   Get (etag), AdvanceLabourClaim
//   claim verify NAME                                               Get (etag), VerifyLabourClaim
//   claim deadlines [within=30] [post=..]                           ListClaimDeadlines
//   employer counts REGISTRY_ID / recruiter counts LICENCE          GetEmployerCounts
//   outreach create kind=.. [date=..] [area=..] [partners=a,b] attendees=N cases=N [post=..]
//                                                                   CreateOutreachEvent
//   outreach list from=.. to=.. [post=..]                           ListOutreachEvents
//
// Amounts are typed and printed as CUR:AMOUNT in major units ("USD:3400.00", "CAD:16.55"); the
// node keeps integer minor units (cents). Changes of a claim send its etag, read first unless
// etag= is given, so a change made meanwhile is refused (ABORTED) rather than overwritten.

#include "tools/enlacectl/workers_commands.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "enlace/workers/v1/workers.grpc.pb.h"
#include "tools/enlacectl/args.h"
#include "tools/enlacectl/domains.h"
#include "tools/enlacectl/format.h"
#include "tools/enlacectl/runners.h"

namespace enlace::cli {
namespace {

namespace wv1 = ::enlace::workers::v1;

using google::protobuf::Message;
using Request = std::unique_ptr<Message>;
using WorkersStub = wv1::TemporaryWorkersService::Stub;

constexpr char kNoWorkers[] =
    "this node does not serve enlace.workers.v1.TemporaryWorkersService: is it an Enlace node, "
    "and recent enough?";

// ---------------------------------------------------------------- keys

// An employment's facts besides the programme and the amounts (read apart).
const std::vector<Key>& EmploymentKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"permit", "permit_number"}, "employment.permit_number"},
      {{"employer", "employer_name"}, "employment.employer.name"},
      {{"employer_id", "registry_id"}, "employment.employer.registry_id"},
      {{"area", "worksite_area"}, "employment.employer.worksite_area", kCountryCode},
      {{"recruiter", "recruiter_name"}, "employment.recruiter.name"},
      {{"licence", "license", "recruiter_licence"}, "employment.recruiter.licence"},
      {{"start", "start_date"}, "employment.contract.start_date"},
      {{"end", "end_date"}, "employment.contract.end_date"},
      {{"hours", "hours_per_week"}, "employment.contract.promised_hours_per_week"},
      {{"unit", "wage_unit"}, "employment.contract.wage_unit"},
      {{"housing", "housing_provided"}, "employment.contract.housing_provided"},
      {{"post"}, "employment.post", kCountryCode},
      {{"request_id"}, "request_id"},
  };
  return *keys;
}

const std::vector<Key>& ClaimKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"type"}, "claim.type"},
      {{"forum"}, "claim.forum"},
      {{"deadline", "filing_deadline"}, "claim.filing_deadline"},
      {{"docket", "docket_number"}, "claim.docket_number"},
      {{"request_id"}, "request_id"},
  };
  return *keys;
}

const std::vector<Key>& OutreachKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"post"}, "event.post", kCountryCode},
      {{"date"}, "event.date"},
      {{"kind"}, "event.kind"},
      {{"area"}, "event.area", kCountryCode},
      {{"partners", "partner", "partner_agencies"}, "event.partner_agencies"},
      {{"attendees"}, "event.attendees"},
      {{"cases", "cases_identified"}, "event.cases_identified"},
      {{"request_id"}, "request_id"},
  };
  return *keys;
}

const std::vector<Key>& ListOutreachKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"post"}, "post", kCountryCode},
      {{"from", "start", "start_date"}, "start_date"},
      {{"to", "end", "end_date"}, "end_date"},
  };
  return *keys;
}

// ---------------------------------------------------------------- builders

std::string Today(const ParseContext& context) {
  return absl::FormatTime("%Y-%m-%d", context.now, absl::UTCTimeZone());
}

// The amount of `names` (one, CUR:AMOUNT): nullopt when not given (an error when malformed; a
// message set only when given, so that an absent recruiter stays absent).
std::optional<wv1::Money> TakeMoney(BuildInput& in, const std::vector<absl::string_view>& names,
                                    bool* given = nullptr) {
  const std::optional<std::string> text = in.args.TakeOne(names);
  if (given != nullptr) *given = text.has_value();
  if (!text) return std::nullopt;
  auto money = ParseMoney(*text, names.front());
  if (!money.ok()) {
    in.args.Error(std::string(money.status().message()));
    return std::nullopt;
  }
  return *money;
}

// programme=: the enum's words (us_h2a, ca_sawp, ...) or the programme's own name (h2a, H-2A,
// sawp, tfwp, border: the border worker card).
std::optional<wv1::Programme> ParseProgramme(BuildInput& in, const std::string& word) {
  std::string folded = absl::AsciiStrToLower(word);
  folded = absl::StrReplaceAll(folded, {{"-", ""}, {"_", ""}, {" ", ""}});
  static const auto* short_names = new std::map<std::string, wv1::Programme>{
      {"h2a", wv1::PROGRAMME_US_H2A},
      {"h2b", wv1::PROGRAMME_US_H2B},
      {"sawp", wv1::PROGRAMME_CA_SAWP},
      {"tfwp", wv1::PROGRAMME_CA_TFWP},
      {"border", wv1::PROGRAMME_MX_BORDER_WORKER_CARD},
      {"borderworkercard", wv1::PROGRAMME_MX_BORDER_WORKER_CARD},
      {"tvtf", wv1::PROGRAMME_MX_BORDER_WORKER_CARD},
  };
  if (auto it = short_names->find(folded); it != short_names->end()) return it->second;
  auto parsed = ParseEnumValue(wv1::Programme_descriptor(), word, "programme");
  if (!parsed.ok()) {
    in.args.Error(absl::StrCat(parsed.status().message(), " (or h2a, h2b, sawp, tfwp, border)"));
    return std::nullopt;
  }
  return static_cast<wv1::Programme>(*parsed);
}

// One deduction=TYPE:CUR:AMOUNT per deduction (per wage period): deduction=housing:CAD:75.00.
void Deductions(BuildInput& in, wv1::Contract* contract) {
  for (const std::string& v : in.args.Take({"deduction", "deductions"})) {
    std::vector<std::string> parts = absl::StrSplit(v, absl::MaxSplits(':', 1));
    auto type = ParseEnumValue(wv1::DeductionType_descriptor(),
                               std::string(absl::StripAsciiWhitespace(parts[0])), "deduction");
    if (!type.ok()) {
      in.args.Error(absl::StrCat(type.status().message(), " (deduction=TYPE:CUR:AMOUNT)"));
      continue;
    }
    if (parts.size() < 2) {
      in.args.Error(absl::StrCat("deduction: \"", v,
                                 "\" has no amount (deduction=TYPE:CUR:AMOUNT, e.g. "
                                 "housing:CAD:75.00)"));
      continue;
    }
    auto amount = ParseMoney(parts[1], "deduction");
    if (!amount.ok()) {
      in.args.Error(std::string(amount.status().message()));
      continue;
    }
    wv1::Deduction* d = contract->add_deductions();
    d->set_type(static_cast<wv1::DeductionType>(*type));
    *d->mutable_amount() = *amount;
  }
}

Request CreateEmployment(BuildInput& in) {
  auto req = std::make_unique<wv1::CreateEmploymentRequest>();
  req->set_parent(in.parent);
  wv1::Employment* e = req->mutable_employment();
  const std::string person = in.Name("PERSON (the worker)");
  if (!person.empty()) e->set_person(ExpandName(person, in.context.country, "persons"));
  if (auto p = in.args.TakeOne({"programme", "program"})) {
    if (auto programme = ParseProgramme(in, *p)) e->set_programme(*programme);
  }
  ApplyKeys(in.args, EmploymentKeys(), req.get(), in.context, nullptr);
  if (auto fees = TakeMoney(in, {"fees", "fees_paid", "recruitment_fees"})) {
    *e->mutable_recruiter()->mutable_fees_paid() = *fees;
  }
  bool wage = false;
  if (auto w = TakeMoney(in, {"wage"}, &wage)) *e->mutable_contract()->mutable_wage() = *w;
  Deductions(in, e->mutable_contract());
  if (e->has_recruiter() && e->recruiter().name().empty() && in.args.ok()) {
    in.args.Error("licence= and fees= are the recruiter's: give its name too (recruiter=\"..\")");
  }
  if (in.args.ok()) {
    if (e->programme() == 0) {
      in.args.Error("`employment create` needs programme=h2a|h2b|sawp|tfwp|border|other_bilateral|none");
    }
    if (e->employer().name().empty()) in.args.Error("`employment create` needs employer=\"..\"");
    if (e->employer().worksite_area().empty()) {
      in.args.Error("`employment create` needs area=CC-SUB (the worksite, e.g. CA-ON)");
    }
    if (e->contract().start_date().empty()) {
      in.args.Error("`employment create` needs start=YYYY-MM-DD");
    }
    if (!wage) in.args.Error("`employment create` needs wage=CUR:AMOUNT (e.g. CAD:16.55)");
    if (e->contract().wage_unit() == 0) {
      in.args.Error("`employment create` needs unit=hour|day|week|month|piece");
    }
  }
  return req;
}

Request ListEmployments(BuildInput& in) {
  auto req = std::make_unique<wv1::ListEmploymentsRequest>();
  const std::string person = in.Name("PERSON (the worker)");
  if (!person.empty()) req->set_person(ExpandName(person, in.context.country, "persons"));
  return req;
}

std::string ClaimName(const std::string& word, const ParseContext& context) {
  return word.empty() ? "" : ExpandName(word, context.country, "labourClaims");
}

Request CreateLabourClaim(BuildInput& in) {
  auto req = std::make_unique<wv1::CreateLabourClaimRequest>();
  req->set_parent(in.parent);
  wv1::LabourClaim* c = req->mutable_claim();
  const std::string kase = in.Name("CASE (a labour case)");
  if (!kase.empty()) c->set_case_(ExpandName(kase, in.context.country, "cases"));
  ApplyKeys(in.args, ClaimKeys(), req.get(), in.context, nullptr);
  if (auto employment = in.args.TakeOne({"employment"}); employment && !employment->empty()) {
    c->set_employment(ExpandName(*employment, in.context.country, "employments"));
  }
  bool claimed = false;
  if (auto m = TakeMoney(in, {"claimed", "amount"}, &claimed)) *c->mutable_claimed() = *m;
  if (in.args.ok()) {
    if (c->type() == 0) {
      in.args.Error("`claim create` needs type=unpaid_wages|recruitment_fees|housing|...");
    }
    if (c->forum() == 0) {
      in.args.Error("`claim create` needs forum=labour_agency|court|employer_mediation|...");
    }
    if (!claimed) {
      in.args.Error("`claim create` needs claimed=CUR:AMOUNT (e.g. USD:3400.00; USD:0 for none)");
    }
  }
  return req;
}

// `claim advance NAME STATUS [recovered=CUR:AMOUNT]`.
Request AdvanceLabourClaim(BuildInput& in) {
  auto req = std::make_unique<wv1::AdvanceLabourClaimRequest>();
  const std::vector<std::string> names = in.Names({"NAME", "STATUS"});
  req->set_name(ClaimName(names[0], in.context));
  if (!names[1].empty()) {
    auto to = ParseEnumValue(wv1::ClaimStatus_descriptor(), names[1], "status");
    if (to.ok()) {
      req->set_to(static_cast<wv1::ClaimStatus>(*to));
    } else {
      in.args.Error(std::string(to.status().message()));
    }
  }
  bool recovered = false;
  if (auto m = TakeMoney(in, {"recovered"}, &recovered)) *req->mutable_recovered() = *m;
  if (auto etag = in.args.TakeOne({"etag"})) req->set_etag(*etag);
  if (in.args.ok()) {
    const bool carries =
        req->to() == wv1::CLAIM_STATUS_RECOVERED || req->to() == wv1::CLAIM_STATUS_PARTIAL;
    if (carries && !recovered) {
      in.args.Error(absl::StrCat("`claim advance` to ", names[1],
                                 " needs recovered=CUR:AMOUNT (the total recovered so far, in "
                                 "the claimed currency)"));
    }
    if (!carries && recovered) {
      in.args.Error("recovered= goes with recovered or partial only");
    }
  }
  return req;
}

Request VerifyLabourClaim(BuildInput& in) {
  auto req = std::make_unique<wv1::VerifyLabourClaimRequest>();
  req->set_name(ClaimName(in.Name("claim NAME"), in.context));
  if (auto etag = in.args.TakeOne({"etag"})) req->set_etag(*etag);
  return req;
}

// `claim deadlines [within=30] [post=..]`.
Request ListClaimDeadlines(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<wv1::ListClaimDeadlinesRequest>();
  req->set_parent(in.parent);
  req->set_within_days(30);
  if (auto within = in.args.TakeOne({"within", "within_days", "days"})) {
    absl::string_view days = *within;
    absl::ConsumeSuffix(&days, "d");
    int n = 0;
    if (!absl::SimpleAtoi(days, &n) || n < 1 || n > 366) {
      in.args.Error(absl::StrCat("within: \"", *within, "\" is not a number of days, 1-366"));
    } else {
      req->set_within_days(n);
    }
  }
  if (auto post = in.args.TakeOne({"post"})) req->set_post(Upper(*post));
  return req;
}

// `employer counts REGISTRY_ID`, `recruiter counts LICENCE`.
Builder Counts(wv1::SubjectKind kind) {
  return [kind](BuildInput& in) -> Request {
    auto req = std::make_unique<wv1::GetEmployerCountsRequest>();
    if (kind == wv1::SUBJECT_KIND_EMPLOYER) {
      req->set_employer_registry_id(in.Name("REGISTRY_ID (the employer's)"));
    } else {
      req->set_recruiter_licence(in.Name("LICENCE (the recruiter's)"));
    }
    return req;
  };
}

Request CreateOutreachEvent(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<wv1::CreateOutreachEventRequest>();
  req->set_parent(in.parent);
  ApplyKeys(in.args, OutreachKeys(), req.get(), in.context, nullptr);
  wv1::OutreachEvent* e = req->mutable_event();
  if (e->date().empty()) e->set_date(Today(in.context));
  if (in.args.ok() && e->kind() == 0) {
    in.args.Error(
        "`outreach create` needs kind=labor_rights_week|workshop|mobile_consulate|"
        "pre_departure_orientation|other");
  }
  return req;
}

Request ListOutreachEvents(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<wv1::ListOutreachEventsRequest>();
  req->set_parent(in.parent);
  ApplyKeys(in.args, ListOutreachKeys(), req.get(), in.context, nullptr);
  if (in.args.ok() && (req->start_date().empty() || req->end_date().empty())) {
    in.args.Error("`outreach list` needs from=YYYY-MM-DD to=YYYY-MM-DD (both days included)");
  }
  return req;
}

// ---------------------------------------------------------------- runners

absl::StatusOr<wv1::LabourClaim> GetClaim(Session& s, const std::string& name) {
  wv1::GetLabourClaimRequest get;
  get.set_name(name);
  return Call(s, &WorkersStub::GetLabourClaim, get, kNoWorkers);
}

// A change of one claim: its etag read first unless given.
template <typename Req>
Runner Change(Method<WorkersStub, Req, wv1::LabourClaim> method) {
  return [method](const Command& command, Session& s) {
    Req req = command.As<Req>();
    if (req.etag().empty()) {
      auto current = GetClaim(s, req.name());
      if (!current.ok()) return s.printer.Error(current.status());
      req.set_etag(current->etag());
    }
    return s.printer.Resource(Call(s, method, req, kNoWorkers));
  };
}

// ---------------------------------------------------------------- help

constexpr char kHelp[] =
    R"(Temporary workers (officers act on their own post's workers, cases and events, supervisors
on any post's; amounts are CUR:AMOUNT in major units, e.g. USD:3400.00, CAD:16.55, JPY:1500):
  employment create PERSON programme=h2a|h2b|sawp|tfwp|border|other_bilateral|none permit=..
                   employer=".." [employer_id=REGISTRY_ID] area=CA-ON start=YYYY-MM-DD
                   [end=YYYY-MM-DD] [hours=40] wage=CAD:16.55 unit=hour [housing=yes]
                   [recruiter=".." [licence=..] [fees=MXN:15000.00]]
                   [deduction=TYPE:CUR:AMOUNT, one per deduction, per wage period]
                   [post=MX-TOR, supervisors; an officer's own post] [request_id=ID]
                   the worker's contract; the permit number is sealed (erased with the person)
  employment show  NAME
  employment list  PERSON   the worker's contracts, newest first
  claim create     CASE type=unpaid_wages forum=labour_agency claimed=USD:3400.00
                   [deadline=YYYY-MM-DD, the last day to file] [employment=NAME]
                   [docket=".." sealed] [request_id=ID]   on a case of category labour; intake
  claim show       NAME
  claim advance    NAME STATUS [recovered=USD:1500.00]   one step: intake -> documented ->
                   filed|mediation; filed -> mediation|investigation|litigation|recovered|
                   partial|dismissed; partial -> recovered|litigation; dismissed -> litigation;
                   any open status -> withdrawn. recovered and partial need recovered= (the
                   total so far, in the claimed currency)
  claim verify     NAME   supervisors, once documented: it then counts in the employer's and
                   recruiter's history shared with every member (counts only)
  claim deadlines  [within=30] [post=MX-TOR]   claims not yet filed whose filing deadline falls
                   within that many days or has passed, soonest first (DAYS_LEFT < 0: passed)
  employer counts  REGISTRY_ID   verified claims by type, as each member reported them
  recruiter counts LICENCE
  outreach create  kind=labor_rights_week [date=YYYY-MM-DD, default today] [area=US-GA]
                   [partners="US DOL Wage and Hour Division,OSHA"] attendees=180 cases=4
                   [post=MX-ATL, supervisors] [request_id=ID]   no personal data, counts only
  outreach list    from=YYYY-MM-DD to=YYYY-MM-DD [post=MX-ATL, required for supervisors]
                   the post's events by date, then the totals
)";

std::string Cell(int64_t n) { return absl::StrCat(n); }

}  // namespace

int CurrencyDigits(absl::string_view currency_code) {
  static const auto* none = new std::set<std::string>{"JPY", "KRW", "CLP"};
  return none->count(absl::AsciiStrToUpper(currency_code)) > 0 ? 0 : 2;
}

absl::StatusOr<wv1::Money> ParseMoney(absl::string_view text, absl::string_view key) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        key, ": \"", text, "\" ", why, " (CUR:AMOUNT, e.g. USD:3400.00, CAD:16.55, MXN:15000)"));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits(':', 1));
  if (parts.size() != 2) return bad("has no currency");
  const std::string currency = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(parts[0]));
  if (currency.size() != 3 || !absl::c_all_of(currency, absl::ascii_isalpha)) {
    return bad("does not start with a three-letter currency code");
  }
  absl::string_view amount = absl::StripAsciiWhitespace(parts[1]);
  std::vector<absl::string_view> whole_frac = absl::StrSplit(amount, absl::MaxSplits('.', 1));
  const absl::string_view whole = whole_frac[0];
  const absl::string_view frac = whole_frac.size() > 1 ? whole_frac[1] : "";
  const int digits = CurrencyDigits(currency);
  auto all_digits = [](absl::string_view s) { return absl::c_all_of(s, absl::ascii_isdigit); };
  if (whole.empty() || !all_digits(whole) || !all_digits(frac) ||
      (whole_frac.size() > 1 && frac.empty())) {
    return bad("is not an amount");
  }
  if (static_cast<int>(frac.size()) > digits) {
    return bad(digits == 0 ? absl::StrCat("has decimals: ", currency, " has none")
                           : absl::StrCat("has more than ", digits, " decimals"));
  }
  if (whole.size() > 15) return bad("is too large");
  int64_t units = 0;
  if (!absl::SimpleAtoi(whole, &units)) return bad("is not an amount");
  int64_t minor = units;
  for (int i = 0; i < digits; ++i) minor *= 10;
  std::string f(frac);
  f.resize(digits, '0');
  int64_t cents = 0;
  if (!f.empty() && !absl::SimpleAtoi(f, &cents)) return bad("is not an amount");
  wv1::Money m;
  m.set_currency_code(currency);
  m.set_amount_minor(minor + cents);
  return m;
}

std::string FormatMoney(absl::string_view currency_code, int64_t amount_minor) {
  if (currency_code.empty() && amount_minor == 0) return "";
  const int digits = CurrencyDigits(currency_code);
  const bool negative = amount_minor < 0;
  const uint64_t v = negative ? -static_cast<uint64_t>(amount_minor) : amount_minor;
  uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string out = absl::StrCat(currency_code, ":", negative ? "-" : "", v / scale);
  if (digits > 0) {
    std::string frac = absl::StrCat(v % scale);
    absl::StrAppend(&out, ".", std::string(digits - frac.size(), '0'), frac);
  }
  return out;
}

std::string FormatMoney(const wv1::Money& money) {
  return FormatMoney(money.currency_code(), money.amount_minor());
}

std::string EmploymentsTable(const wv1::ListEmploymentsResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const wv1::Employment& e : response.employments()) {
    const wv1::Contract& c = e.contract();
    std::string wage = FormatMoney(c.wage());
    if (!wage.empty() && c.wage_unit() != 0) {
      absl::StrAppend(&wage, "/", EnumValueName(wv1::WageUnit_descriptor(), c.wage_unit()));
    }
    rows.push_back({e.name(), EnumValueName(wv1::Programme_descriptor(), e.programme()), e.post(),
                    e.employer().registry_id(), e.employer().worksite_area(), c.start_date(),
                    c.end_date(), wage, e.employer().name()});
  }
  return FormatTable(
      {"NAME", "PROGRAMME", "POST", "EMPLOYER_ID", "AREA", "START", "END", "WAGE", "EMPLOYER"},
      rows);
}

std::string ClaimDeadlinesTable(const wv1::ListClaimDeadlinesResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const wv1::ClaimDeadline& d : response.deadlines()) {
    rows.push_back({Cell(d.days_left()), d.filing_deadline(),
                    EnumValueName(wv1::ClaimType_descriptor(), d.type()),
                    EnumValueName(wv1::ClaimStatus_descriptor(), d.status()), d.post(), d.case_(),
                    d.claim()});
  }
  return FormatTable({"DAYS_LEFT", "DEADLINE", "TYPE", "STATUS", "POST", "CASE", "CLAIM"}, rows);
}

std::string EmployerCountsText(const wv1::EmployerCounts& counts) {
  const std::string kind = counts.kind() == wv1::SUBJECT_KIND_RECRUITER ? "recruiter" : "employer";
  int64_t total = 0;
  for (const wv1::TypeCount& t : counts.totals()) total += t.count();
  std::vector<std::string> members;
  for (const wv1::CountsReport& r : counts.reports()) members.push_back(r.member());
  std::string out = absl::StrCat(kind, " ", counts.subject_id(), ": ", total, " verified claim",
                                 total == 1 ? "" : "s");
  if (!members.empty()) absl::StrAppend(&out, " (members: ", absl::StrJoin(members, ", "), ")");
  absl::StrAppend(&out, "\n");
  if (counts.totals_size() == 0 && counts.reports_size() == 0) return out;
  std::vector<std::string> header = {"TYPE", "TOTAL"};
  header.insert(header.end(), members.begin(), members.end());
  std::vector<std::vector<std::string>> rows;
  for (const wv1::TypeCount& t : counts.totals()) {
    std::vector<std::string> row = {EnumValueName(wv1::ClaimType_descriptor(), t.type()),
                                    Cell(t.count())};
    for (const wv1::CountsReport& r : counts.reports()) {
      std::string cell;
      for (const wv1::TypeCount& c : r.counts()) {
        if (c.type() == t.type() && c.count() != 0) cell = Cell(c.count());
      }
      row.push_back(cell);
    }
    rows.push_back(std::move(row));
  }
  absl::StrAppend(&out, FormatTable(header, rows));
  std::vector<std::vector<std::string>> reports;
  for (const wv1::CountsReport& r : counts.reports()) {
    reports.push_back({r.member(), Cell(r.revision()),
                       r.has_as_of() ? FormatTime(r.as_of()) : ""});
  }
  absl::StrAppend(&out, "\n", FormatTable({"MEMBER", "REVISION", "AS_OF"}, reports));
  return out;
}

std::string OutreachEventsText(const wv1::ListOutreachEventsResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const wv1::OutreachEvent& e : response.events()) {
    rows.push_back({e.name(), e.date(), EnumValueName(wv1::OutreachKind_descriptor(), e.kind()),
                    e.post(), e.area(), Cell(e.attendees()), Cell(e.cases_identified()),
                    absl::StrJoin(e.partner_agencies(), "; ")});
  }
  return absl::StrCat(
      FormatTable({"NAME", "DATE", "KIND", "POST", "AREA", "ATTENDEES", "CASES", "PARTNERS"},
                  rows),
      "total: ", response.event_count(), " event", response.event_count() == 1 ? "" : "s", ", ",
      response.attendees(), " attendee", response.attendees() == 1 ? "" : "s", ", ",
      response.cases_identified(), " case", response.cases_identified() == 1 ? "" : "s",
      " identified\n");
}

const Domain& WorkersDomain() {
  static const auto* domain = new Domain{
      {
          {"employment", "create", Rpc::kCreateEmployment, CreateEmployment,
           Show(&WorkersStub::CreateEmployment, kNoWorkers)},
          {"employment", "show", Rpc::kGetEmployment,
           ByName<wv1::GetEmploymentRequest>("employments", "employment NAME"),
           Show(&WorkersStub::GetEmployment, kNoWorkers), /*pages=*/false, /*verb_alias=*/"get"},
          {"employment", "list", Rpc::kListEmployments, ListEmployments,
           Show(&WorkersStub::ListEmployments, kNoWorkers, TextOf(EmploymentsTable))},
          {"claim", "create", Rpc::kCreateLabourClaim, CreateLabourClaim,
           Show(&WorkersStub::CreateLabourClaim, kNoWorkers)},
          {"claim", "show", Rpc::kGetLabourClaim,
           ByName<wv1::GetLabourClaimRequest>("labourClaims", "claim NAME"),
           Show(&WorkersStub::GetLabourClaim, kNoWorkers), /*pages=*/false, /*verb_alias=*/"get"},
          {"claim", "advance", Rpc::kAdvanceLabourClaim, AdvanceLabourClaim,
           Change(&WorkersStub::AdvanceLabourClaim)},
          {"claim", "verify", Rpc::kVerifyLabourClaim, VerifyLabourClaim,
           Change(&WorkersStub::VerifyLabourClaim)},
          {"claim", "deadlines", Rpc::kListClaimDeadlines, ListClaimDeadlines,
           Show(&WorkersStub::ListClaimDeadlines, kNoWorkers, TextOf(ClaimDeadlinesTable))},
          {"employer", "counts", Rpc::kGetEmployerCounts, Counts(wv1::SUBJECT_KIND_EMPLOYER),
           Show(&WorkersStub::GetEmployerCounts, kNoWorkers, TextOf(EmployerCountsText))},
          {"recruiter", "counts", Rpc::kGetRecruiterCounts, Counts(wv1::SUBJECT_KIND_RECRUITER),
           Show(&WorkersStub::GetEmployerCounts, kNoWorkers, TextOf(EmployerCountsText))},
          {"outreach", "create", Rpc::kCreateOutreachEvent, CreateOutreachEvent,
           Show(&WorkersStub::CreateOutreachEvent, kNoWorkers)},
          {"outreach", "list", Rpc::kListOutreachEvents, ListOutreachEvents,
           Show(&WorkersStub::ListOutreachEvents, kNoWorkers, TextOf(OutreachEventsText))},
      },
      {{"employments", "employment"}, {"contract", "employment"}, {"contracts", "employment"},
       {"claims", "claim"}, {"labour-claim", "claim"}, {"labor-claim", "claim"},
       {"employers", "employer"}, {"recruiters", "recruiter"}, {"outreach-event", "outreach"},
       {"events", "outreach"}},
      kHelp,
      {
          {"programme", wv1::Programme_descriptor()},
          {"wage unit", wv1::WageUnit_descriptor()},
          {"deduction", wv1::DeductionType_descriptor()},
          {"claim type", wv1::ClaimType_descriptor()},
          {"forum", wv1::Forum_descriptor()},
          {"claim status", wv1::ClaimStatus_descriptor()},
          {"outreach kind", wv1::OutreachKind_descriptor()},
      },
  };
  return *domain;
}

}  // namespace enlace::cli
