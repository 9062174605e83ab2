#include "common/crypto/personal_split.h"

#include <set>

#include "enlace/options/v1/personal.pb.h"

namespace enlace::crypto {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

bool Marked(const FieldDescriptor* f) {
  return f->options().GetExtension(enlace::options::v1::personal);
}

bool IsSingularMessage(const FieldDescriptor* f) {
  return f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !f->is_repeated();
}

bool HasPersonal(const Descriptor* type, std::set<const Descriptor*>& seen) {
  if (!seen.insert(type).second) return false;  // recursive types: already being looked at
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    if (Marked(f)) return true;
    if (IsSingularMessage(f) && HasPersonal(f->message_type(), seen)) return true;
  }
  return false;
}

bool Reachable(const Descriptor* type, std::set<const Descriptor*>& seen) {
  if (!seen.insert(type).second) return true;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    if (Marked(f) || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      continue;  // moved whole when its type holds personal fields (SplitPersonal)
    } else if (!Reachable(f->message_type(), seen)) {
      return false;
    }
  }
  return true;
}

}  // namespace

void SplitPersonal(const Message& record, Message* public_part, Message* personal_part) {
  public_part->CopyFrom(record);
  personal_part->Clear();
  const Reflection* in = record.GetReflection();
  const Reflection* pub = public_part->GetReflection();
  const Reflection* priv = personal_part->GetReflection();
  std::vector<const FieldDescriptor*> present;
  in->ListFields(record, &present);
  for (const FieldDescriptor* f : present) {
    if (Marked(f)) {
      // Move the field: swap it into the personal part (cleared there), clear it here.
      priv->SwapFields(public_part, personal_part, {f});
      pub->ClearField(public_part, f);
    } else if (f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      // An unmarked repeated message field whose type holds a personal field moves whole: a
      // mark forgotten on the repeated field must not leave its elements' personal fields in
      // the readable part (a child's tracing entries once did).
      std::set<const Descriptor*> seen;
      if (!HasPersonal(f->message_type(), seen)) continue;
      priv->SwapFields(public_part, personal_part, {f});
      pub->ClearField(public_part, f);
    } else if (IsSingularMessage(f)) {
      std::set<const Descriptor*> seen;
      if (!HasPersonal(f->message_type(), seen)) continue;
      const Message& inner = in->GetMessage(record, f);
      Message* inner_pub = pub->MutableMessage(public_part, f);
      std::unique_ptr<Message> inner_priv(inner.New());
      SplitPersonal(inner, inner_pub, inner_priv.get());
      if (inner_priv->ByteSizeLong() > 0) {
        priv->MutableMessage(personal_part, f)->CopyFrom(*inner_priv);
      }
    }
  }
}

bool HasPersonalFields(const Descriptor* type) {
  std::set<const Descriptor*> seen;
  return HasPersonal(type, seen);
}

bool PersonalFieldsReachable(const Descriptor* type) {
  std::set<const Descriptor*> seen;
  return Reachable(type, seen);
}

}  // namespace enlace::crypto
