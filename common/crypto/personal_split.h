#ifndef ENLACE_COMMON_CRYPTO_PERSONAL_SPLIT_H_
#define ENLACE_COMMON_CRYPTO_PERSONAL_SPLIT_H_

// Which fields of a record are personal data is said once, in its proto, with the field
// option (enlace.options.v1.personal) = true. These functions read it by reflection.

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace enlace::crypto {

// Copies `record` into `public_part` without its personal fields, and those fields into
// `personal_part` (both of `record`'s type; cleared first). A marked field moves whole; an
// unmarked singular message field is split by its own type's marks; an unmarked repeated (or
// map) message field moves whole when its type holds any personal field, so no personal field
// can stay readable for want of a mark. public_part.MergeFrom(personal_part) gives `record`
// back.
void SplitPersonal(const google::protobuf::Message& record, google::protobuf::Message* public_part,
                   google::protobuf::Message* personal_part);

// True if `type` has a marked field, directly or in an unmarked singular message field.
bool HasPersonalFields(const google::protobuf::Descriptor* type);

// False if some personal field of `type` would escape SplitPersonal. Since unmarked repeated
// message fields holding personal fields move whole, none can; kept as the property the tests
// of every sealed record type assert.
bool PersonalFieldsReachable(const google::protobuf::Descriptor* type);

}  // namespace enlace::crypto

#endif  // ENLACE_COMMON_CRYPTO_PERSONAL_SPLIT_H_
