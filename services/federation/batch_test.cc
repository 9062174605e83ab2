#include "services/federation/batch.h"

#include "absl/strings/match.h"
#include "common/text/utf8.h"
#include "gtest/gtest.h"

namespace enlace::federation {
namespace {

// The refusal reason goes into an audit record: a peer's name cut mid-character must not
// make it ill-formed UTF-8.
TEST(CheckBatchManifestTest, AnotherPlaceReasonIsValidUtf8WhateverThePeerSent) {
  v1::BatchManifest manifest;
  manifest.set_domain(kBatchDomain);
  manifest.set_sender("Espa\xC3\xB1" "a\xC3\xB1");  // 9 bytes: byte 8 cuts the last "ñ"
  manifest.set_receiver("MX");
  v1::EnvelopeBatch batch;
  batch.set_manifest(manifest.SerializeAsString());
  v1::BatchManifest parsed;
  const std::string reason = CheckBatchManifest(batch, "GT", "MX", &parsed);
  EXPECT_TRUE(absl::StrContains(reason, "another place")) << reason;
  EXPECT_EQ(text::ValidUtf8(reason), reason) << "ill-formed UTF-8 in: " << reason;
}

}  // namespace
}  // namespace enlace::federation
