#include "common/audit/audit_head.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/audit/audit_log.h"

namespace enlace::audit {
namespace {

constexpr char kMagic[] = "enlace audit head v1";
constexpr char kFileName[] = "AUDIT_HEAD";

std::string Be64(uint64_t v) {
  std::string s;
  storage::AppendBigEndian64(&s, v);
  return s;
}

absl::Status WriteFully(int fd, absl::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::ErrnoToStatus(errno, absl::StrCat("writing ", path));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool HexField(absl::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  *out = absl::HexStringToBytes(hex);
  return true;
}

std::string WhatToDo(const std::string& source) {
  return absl::StrCat(
      "The data directory was rolled back (an older copy restored) or lost its newest writes "
      "(e.g. a corrupt WAL recovered to an earlier point). Do not start the node on it: records "
      "that were signed are gone. Restore the newest backup that holds them and see "
      "docs/operations.md, section \"Corruption and restore\". If this is a deliberate restore "
      "of an older backup, keep ",
      source, " as evidence of the lost range, move it aside, and start again.");
}

}  // namespace

std::string AuditHeadPath(const std::string& keys_dir) {
  return absl::StrCat(keys_dir, "/", kFileName);
}

absl::Status WriteAuditHead(const std::string& path, const AuditHead& head) {
  const std::string text = absl::StrCat(
      kMagic, "\nseq ", head.seq, "\nhash ", absl::BytesToHexString(head.hash), "\nprev_hash ",
      absl::BytesToHexString(head.prev_hash), "\nsignature ",
      absl::BytesToHexString(head.signature), "\n");
  const std::string tmp = absl::StrCat(path, ".tmp");
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("creating ", tmp));
  absl::Status s = WriteFully(fd, text, tmp);
  if (s.ok() && fsync(fd) != 0) s = absl::ErrnoToStatus(errno, absl::StrCat("syncing ", tmp));
  if (close(fd) != 0 && s.ok()) s = absl::ErrnoToStatus(errno, absl::StrCat("closing ", tmp));
  if (!s.ok()) {
    unlink(tmp.c_str());
    return s;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    s = absl::ErrnoToStatus(errno, absl::StrCat("renaming ", tmp, " to ", path));
    unlink(tmp.c_str());
    return s;
  }
  // The rename is durable only once the directory is synced.
  const std::string dir = DirName(path);
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("opening ", dir));
  if (fsync(dfd) != 0) s = absl::ErrnoToStatus(errno, absl::StrCat("syncing ", dir));
  close(dfd);
  return s;
}

absl::StatusOr<std::optional<AuditHead>> ReadAuditHead(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<AuditHead>();
    return absl::ErrnoToStatus(errno, absl::StrCat("reading ", path));
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&path](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("audit head file ", path, " is damaged (", what,
                                            "); restore it from the vault backup"));
  };
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  if (lines.empty() || lines[0] != kMagic) return bad("no header");
  AuditHead head;
  head.source = path;
  bool have_seq = false, have_hash = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(lines[i], ' ');
    if (kv.first == "seq") {
      have_seq = absl::SimpleAtoi(kv.second, &head.seq);
      if (!have_seq) return bad("seq");
    } else if (kv.first == "hash") {
      have_hash = HexField(kv.second, &head.hash) && head.hash.size() == 32;
      if (!have_hash) return bad("hash");
    } else if (kv.first == "prev_hash") {
      if (!HexField(kv.second, &head.prev_hash)) return bad("prev_hash");
    } else if (kv.first == "signature") {
      if (!HexField(kv.second, &head.signature)) return bad("signature");
    }
  }
  if (!have_seq || !have_hash || head.seq == 0) return bad("seq or hash missing");
  return std::optional<AuditHead>(std::move(head));
}

std::vector<std::string> CompareWithHead(const AuditHead& head, uint64_t log_head_seq,
                                         absl::string_view hash_at_head,
                                         const crypto::Verifier* node_key) {
  std::vector<std::string> problems;
  if (node_key != nullptr && !head.signature.empty() &&
      !node_key->Verify(CheckpointMessage(head.seq - 1, head.prev_hash), head.signature)) {
    problems.push_back(absl::StrCat("signed audit head in ", head.source,
                                    ": bad signature (the head file was changed)"));
    return problems;
  }
  if (log_head_seq < head.seq) {
    problems.push_back(absl::StrCat(
        "records ", log_head_seq + 1, "..", head.seq, " missing: the log ends at ",
        log_head_seq, " but the last signed checkpoint, recorded outside the data directory in ",
        head.source, ", is record ", head.seq, " (hash ", absl::BytesToHexString(head.hash),
        "): the log was truncated or rolled back"));
  } else if (hash_at_head != head.hash) {
    problems.push_back(absl::StrCat(
        "record ", head.seq, " differs from the signed checkpoint recorded in ", head.source,
        " (log has hash ", absl::BytesToHexString(hash_at_head), ", expected ",
        absl::BytesToHexString(head.hash), "): the log was replaced or rewritten"));
  }
  return problems;
}

absl::Status CheckLogReachesHeadFile(const storage::Store* store, const txn::Committer& committer,
                                     const std::string& path) {
  auto head = ReadAuditHead(path);
  if (!head.ok()) return head.status();
  if (!head->has_value()) return absl::OkStatus();
  std::string hash_at_head;
  auto value = store->Get(committer.audit_cf(), Be64((*head)->seq));
  if (!value.ok()) return value.status();
  if (value->has_value()) {
    enlace::audit::v1::AuditRecord r;
    if (r.ParseFromString(**value)) hash_at_head = r.hash();
  }
  // Signatures are checked by --verify_audit; at start-up seq and hash suffice.
  std::vector<std::string> problems =
      CompareWithHead(**head, committer.LastAuditSeq(), hash_at_head, nullptr);
  if (problems.empty()) return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat("audit log: ", absl::StrJoin(problems, "; "), ". ", WhatToDo(path)));
}

}  // namespace enlace::audit
