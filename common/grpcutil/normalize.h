#ifndef ENLACE_COMMON_GRPCUTIL_NORMALIZE_H_
#define ENLACE_COMMON_GRPCUTIL_NORMALIZE_H_

#include <memory>

#include "google/protobuf/message.h"

namespace enlace {

// Text enters the node in Unicode NFC: a name typed "e" + U+0301 is stored, compared and
// indexed as "é". True when some string field of `message` (nested messages, repeated fields
// and map values included) is well-formed UTF-8 but not NFC.
bool HasNonNfcText(const google::protobuf::Message& message);
// Rewrites every such field to NFC.
void NormalizeTextToNfc(google::protobuf::Message* message);

// `request` itself when already NFC (the usual case: no copy), otherwise a normalised copy
// kept in `*storage`.
template <typename Request>
const Request& NfcRequest(const Request& request, std::unique_ptr<Request>* storage) {
  if (!HasNonNfcText(request)) return request;
  *storage = std::make_unique<Request>(request);
  NormalizeTextToNfc(storage->get());
  return **storage;
}

}  // namespace enlace

#endif  // ENLACE_COMMON_GRPCUTIL_NORMALIZE_H_
