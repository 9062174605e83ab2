#include "common/grpcutil/normalize.h"

#include <string>
#include <vector>

#include "common/text/fold.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace enlace {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Visits every string field; `fix` false only looks. Returns true when one is not NFC.
bool Walk(Message* m, const Message& view, bool fix) {
  const Reflection* r = view.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(view, &fields);
  bool found = false;
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING && f->type() == FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(view, f); ++i) {
          const std::string& value = r->GetRepeatedStringReference(view, f, i, nullptr);
          if (text::IsNfc(value)) continue;
          found = true;
          if (!fix) return true;
          m->GetReflection()->SetRepeatedString(m, f, i, text::ToNfc(value));
        }
      } else {
        std::string scratch;
        const std::string& value = r->GetStringReference(view, f, &scratch);
        if (text::IsNfc(value)) continue;
        found = true;
        if (!fix) return true;
        m->GetReflection()->SetString(m, f, text::ToNfc(value));
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(view, f); ++i) {
          Message* sub = fix ? m->GetReflection()->MutableRepeatedMessage(m, f, i) : nullptr;
          if (Walk(sub, fix ? *sub : r->GetRepeatedMessage(view, f, i), fix)) {
            found = true;
            if (!fix) return true;
          }
        }
      } else {
        Message* sub = fix ? m->GetReflection()->MutableMessage(m, f) : nullptr;
        if (Walk(sub, fix ? *sub : r->GetMessage(view, f), fix)) {
          found = true;
          if (!fix) return true;
        }
      }
    }
  }
  return found;
}

}  // namespace

bool HasNonNfcText(const Message& message) { return Walk(nullptr, message, false); }

void NormalizeTextToNfc(Message* message) { Walk(message, *message, true); }

}  // namespace enlace
