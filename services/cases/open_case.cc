#include "services/cases/open_case.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace enlace::cases {

absl::StatusOr<OpenedCase> OpenCaseFor(Registry& registry, const v1::Person& person,
                                       v1::Case kase, absl::string_view request_id,
                                       const Caller& system) {
  const std::string parent = absl::StrCat("countries/", system.country);
  OpenedCase out;
  for (const auto& d : person.documents()) {
    v1::SearchPersonsRequest s;
    s.set_parent(parent);
    *s.mutable_document() = d;
    auto found = registry.SearchPersons(s, system);
    if (found.ok() && found->persons_size() == 1) {
      out.person = found->persons(0).name();
      break;
    }
  }
  if (out.person.empty()) {
    v1::CreatePersonRequest cp;
    cp.set_parent(parent);
    *cp.mutable_person() = person;
    cp.mutable_person()->clear_name();
    cp.mutable_person()->clear_etag();
    cp.set_request_id(absl::StrCat(request_id, "-p"));
    auto created = registry.CreatePerson(cp, system);
    if (!created.ok()) return created.status();
    out.person = created->name();
  }
  v1::CreateCaseRequest cc;
  cc.set_parent(parent);
  cc.set_request_id(absl::StrCat(request_id, "-c"));
  kase.clear_name();
  kase.clear_etag();
  kase.clear_create_time();
  kase.clear_update_time();
  kase.clear_created_by();
  kase.set_person(out.person);
  *cc.mutable_case_() = std::move(kase);
  auto opened = registry.CreateCase(cc, system);
  if (!opened.ok()) return opened.status();
  out.opened = *std::move(opened);
  return out;
}

}  // namespace enlace::cases
