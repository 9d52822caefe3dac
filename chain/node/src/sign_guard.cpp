#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <tuple>

#include "voltaic/chain/node/consensus.hpp"
#include "voltaic/chain/node/consensus_codec.hpp"

namespace voltaic::chain {

namespace {

using triple = std::tuple<std::uint64_t, std::uint32_t, std::uint8_t>;

// Journal records: [tag][u32 little-endian length][consensus message].
enum record_tag : std::uint8_t { own_signed = 'S', valid_value = 'V', valid_prevote = 'P' };
constexpr std::size_t record_header = 5;

std::uint64_t height_of(const consensus_message& m) {
  if (auto* p = std::get_if<consensus_proposal>(&m)) return p->height;
  if (auto* v = std::get_if<consensus_vote>(&m)) return v->height;
  return std::get<commit_record>(m).height;
}

void put_record(bytes& out, record_tag tag, const consensus_message& m) {
  const bytes body = encode_consensus_message(m);
  const auto n = static_cast<std::uint32_t>(body.size());
  out.push_back(tag);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  out.insert(out.end(), body.begin(), body.end());
}

// One guard for both kinds: with an empty path it keeps everything in memory.
class guard final : public sign_guard {
 public:
  explicit guard(std::string path) : path_(std::move(path)) {}
  ~guard() override {
    if (journal_fd_ >= 0) ::close(journal_fd_);
  }
  guard(const guard&) = delete;
  guard& operator=(const guard&) = delete;

  status load() {
    if (auto s = load_last(); !s) return s;
    return load_journal();
  }

  bool permit(std::uint64_t h, std::uint32_t r, round_step s, const std::optional<consensus_lock>& lock) override {
    const triple next{h, r, static_cast<std::uint8_t>(s)};
    if (last_ && next <= *last_) return false;
    if (!path_.empty() && !persist_last(h, r, s, lock)) return false;
    last_ = next;
    lock_ = lock;
    return true;
  }
  std::optional<signed_step> last_signed() const override {
    if (!last_) return std::nullopt;
    return signed_step{std::get<0>(*last_), std::get<1>(*last_), static_cast<round_step>(std::get<2>(*last_))};
  }
  std::optional<consensus_lock> lock() const override { return lock_; }

  void journal_signed(const consensus_proposal& p) override { add({{own_signed, p}}); }
  void journal_signed(const consensus_vote& v) override { add({{own_signed, v}}); }
  void journal_valid(const consensus_proposal& p, const std::vector<consensus_vote>& prevotes) override {
    std::vector<std::pair<record_tag, consensus_message>> records{{valid_value, p}};
    for (const auto& v : prevotes) records.emplace_back(valid_prevote, v);
    add(records);
  }
  consensus_journal journal(std::uint64_t height) const override {
    return height == journal_height_ ? journal_ : consensus_journal{};
  }
  std::string failure() const override { return failure_; }

 private:
  status malformed() const {
    return market::make_error(market::errc::malformed_file, "sign-guard: " + path_ + " is not a last-signed record");
  }

  status load_last() {
    std::ifstream in(path_);
    if (!in) return {};  // nothing signed yet
    std::uint64_t h = 0;
    unsigned r = 0, s = 0;
    // ">>" would read "-5" as a huge height: only digits are a height.
    std::string height_text;
    if (!(in >> height_text) || height_text.empty() || height_text.size() > 19 ||
        height_text.find_first_not_of("0123456789") != std::string::npos)
      return malformed();
    h = std::stoull(height_text);
    if (!(in >> r >> s) || s < 1 || s > 3) return malformed();
    last_ = triple{h, r, static_cast<std::uint8_t>(s)};
    std::uint64_t lock_h = 0;
    unsigned lock_r = 0;
    std::string id_hex;
    if (in >> lock_h) {  // written since locks are persisted
      consensus_lock l;
      if (!(in >> lock_r >> id_hex) || !from_hex(id_hex, l.value_id)) return malformed();
      l.height = lock_h;
      l.round = lock_r;
      lock_ = l;
    }
    return {};
  }

  // Reads the records up to the first torn or unreadable one and cuts the
  // file there, so later appends stay readable.
  status load_journal() {
    const std::string path = path_ + ".journal";
    journal_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (journal_fd_ < 0)
      return market::make_error(market::errc::io_error, "sign-guard: cannot open " + path);
    std::ifstream in(path, std::ios::binary);
    const bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t at = 0;
    while (data.size() - at >= record_header) {
      const auto tag = static_cast<record_tag>(data[at]);
      std::uint32_t n = 0;
      for (int i = 0; i < 4; ++i) n |= static_cast<std::uint32_t>(data[at + 1 + i]) << (8 * i);
      if (data.size() - at - record_header < n) break;
      auto m = decode_consensus_message(data.data() + at + record_header, n);
      if (!m || !apply(tag, m.value())) break;
      at += record_header + n;
    }
    if (at != data.size() && ::ftruncate(journal_fd_, static_cast<off_t>(at)) != 0)
      return market::make_error(market::errc::io_error, "sign-guard: cannot cut the torn tail of " + path);
    return {};
  }

  // Applies one record to the journal in memory; false for a record that
  // does not fit its tag.
  bool apply(record_tag tag, const consensus_message& m) {
    const std::uint64_t h = height_of(m);
    if (h > journal_height_) {
      journal_ = consensus_journal{};
      journal_height_ = h;
    } else if (h < journal_height_) {
      return true;  // stale: ignored
    }
    const auto* p = std::get_if<consensus_proposal>(&m);
    const auto* v = std::get_if<consensus_vote>(&m);
    // Only the latest own proposal can matter after a restart (an earlier
    // round's value is dead or is the valid value, kept on its own), so a
    // height stalled for many rounds keeps one block here, not one per round.
    if (tag == own_signed && p) journal_.own_proposals.assign(1, *p);
    else if (tag == own_signed && v) journal_.own_votes.push_back(*v);
    else if (tag == valid_value && p) {
      journal_.valid_value = *p;
      journal_.valid_prevotes.clear();
    } else if (tag == valid_prevote && v) journal_.valid_prevotes.push_back(*v);
    else return false;
    return true;
  }

  void add(const std::vector<std::pair<record_tag, consensus_message>>& records) {
    const std::uint64_t before = journal_height_;
    const std::size_t proposals_before = journal_.own_proposals.size();
    bytes out;
    bool replaced = false;  // an own proposal replaced an older one
    for (const auto& [tag, m] : records) {
      if (height_of(m) < journal_height_) continue;
      const bool fresh_height = height_of(m) > journal_height_;
      replaced |= !fresh_height && tag == own_signed && std::holds_alternative<consensus_proposal>(m) &&
                  proposals_before > 0;
      apply(tag, m);
      if (journal_fd_ >= 0) put_record(out, tag, m);
    }
    if (journal_fd_ < 0 || out.empty()) return;
    // A new height starts the file afresh, and so does a replaced proposal
    // (the file is rewritten from memory). Not synced and failures ignored:
    // the journal only saves rounds after a restart.
    if (replaced) out = encoded_journal();
    if (journal_height_ != before || replaced) (void)!::ftruncate(journal_fd_, 0);
    (void)!::write(journal_fd_, out.data(), out.size());
  }

  bytes encoded_journal() const {
    bytes out;
    for (const auto& p : journal_.own_proposals) put_record(out, own_signed, p);
    for (const auto& v : journal_.own_votes) put_record(out, own_signed, v);
    if (journal_.valid_value) {
      put_record(out, valid_value, *journal_.valid_value);
      for (const auto& v : journal_.valid_prevotes) put_record(out, valid_prevote, v);
    }
    return out;
  }

  // Durable before the signature exists: write aside, fsync, rename.
  bool persist_last(std::uint64_t h, std::uint32_t r, round_step s, const std::optional<consensus_lock>& lock) {
    const std::string tmp = path_ + ".tmp";
    auto failed = [&] {
      failure_ = "sign-guard: cannot persist " + path_ + ": " + std::strerror(errno);
      return false;
    };
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return failed();
    std::string line = std::to_string(h) + " " + std::to_string(r) + " " + std::to_string(static_cast<unsigned>(s));
    if (lock) line += " " + std::to_string(lock->height) + " " + std::to_string(lock->round) + " " + to_hex(lock->value_id);
    line += "\n";
    const ssize_t n = ::write(fd, line.data(), line.size());
    if (n >= 0 && n != static_cast<ssize_t>(line.size())) errno = ENOSPC;  // a short write: the disk is full
    const bool written = n == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    errno = saved;
    if (!written || std::rename(tmp.c_str(), path_.c_str()) != 0) return failed();
    failure_.clear();
    return true;
  }

  std::string path_;
  std::string failure_;
  std::optional<triple> last_;
  std::optional<consensus_lock> lock_;
  std::uint64_t journal_height_ = 0;
  consensus_journal journal_;
  int journal_fd_ = -1;
};

}  // namespace

std::unique_ptr<sign_guard> make_memory_sign_guard() { return std::make_unique<guard>(""); }

result<std::unique_ptr<sign_guard>> open_file_sign_guard(const std::string& path) {
  auto g = std::make_unique<guard>(path);
  if (auto s = g->load(); !s) return s.err();
  return std::unique_ptr<sign_guard>(std::move(g));
}

}  // namespace voltaic::chain
