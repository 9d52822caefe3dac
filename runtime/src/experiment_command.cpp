// `voltaic experiment`: runs a grid over all cores, journals each finished
// run so that --resume after a kill loses nothing, then writes runs.csv,
// summary.csv, claims.md and figures/ from the journal.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "experiment_claims.hpp"
#include "experiment_figures.hpp"
#include "experiment_grid.hpp"
#include "experiment_lab.hpp"
#include "experiment_rows.hpp"
#include "experiment_summary.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

namespace {

namespace fs = std::filesystem;

constexpr const char* journal_name = "runs.journal";

int fail(std::ostream& err, const std::string& what, int code = 2) {
  err << "voltaic experiment: " << what << "\n";
  return code;
}

std::string journal_head(const experiment_grid& grid) { return "voltaic-experiment-journal 1 " + grid_text(grid); }

// Finished runs of a journal: index -> its rows joined by ';'. A last line
// torn by a kill is dropped (and cut off the file, so appends stay whole).
market::result<std::map<std::size_t, std::string>> read_journal(const std::string& path, const std::string& head,
                                                               std::size_t runs) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  const auto bad = [&](std::size_t line, const std::string& what) {
    return market::make_error(market::errc::malformed_file, path + ":" + std::to_string(line) + ": " + what);
  };
  const auto first_end = text.find('\n');
  if (first_end == std::string::npos || text.substr(0, first_end) != head)
    return bad(1, "this journal was written for another grid (or is not a journal); use another --out");
  std::map<std::size_t, std::string> done;
  std::size_t at = first_end + 1, line = 2, whole = at;
  for (; at < text.size(); ++line) {
    const auto end = text.find('\n', at);
    if (end == std::string::npos) break;  // torn by a kill
    const std::string record = text.substr(at, end - at);
    const auto bar = record.find('|');
    std::size_t index = 0;
    try {
      index = bar == std::string::npos ? runs : std::stoull(record.substr(0, bar));
    } catch (const std::exception&) {
      index = runs;
    }
    if (index >= runs) return bad(line, "not a run of this grid");
    done[index] = record.substr(bar + 1);
    at = whole = end + 1;
  }
  if (whole < text.size()) fs::resize_file(path, whole);
  return done;
}

// One line per tenth on a pipe; a bar redrawn in place on a terminal.
class progress_meter {
 public:
  progress_meter(std::ostream& err, std::size_t total, std::size_t already)
      : err_(err), total_(total), done_(already), tty_(::isatty(STDERR_FILENO) == 1),
        start_(std::chrono::steady_clock::now()) {}

  void advance() {
    ++done_;
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - start_).count();
    if (tty_) {
      if (done_ < total_ && now - drawn_ < std::chrono::milliseconds(100)) return;
      drawn_ = now;
      const std::size_t width = 30, filled = total_ ? done_ * width / total_ : width;
      err_ << "\r[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] " << done_ << "/" << total_
           << " runs, " << static_cast<long>(s) << " s" << (done_ == total_ ? "\n" : "") << std::flush;
      return;
    }
    const std::size_t tenth = total_ ? done_ * 10 / total_ : 10;
    if (tenth == last_tenth_ && done_ != total_) return;
    last_tenth_ = tenth;
    err_ << "experiment: " << done_ << "/" << total_ << " runs (" << tenth * 10 << " %), " << static_cast<long>(s)
         << " s\n";
  }

 private:
  std::ostream& err_;
  std::size_t total_, done_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, drawn_{};
  std::size_t last_tenth_ = 0;
};

market::status write_file(const fs::path& path, const std::string& text) {
  const fs::path partial = path.string() + ".partial";
  {
    std::ofstream f(partial, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.flush())
      return market::make_error(market::errc::io_error, "cannot write " + partial.string() + " (disk full?)");
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) return market::make_error(market::errc::io_error, "cannot write " + path.string() + ": " + ec.message());
  return market::status{};
}

}  // namespace

int run_experiment(const experiment_options& o, std::ostream& out, std::ostream& err) {
  if (o.thesis == !o.config.empty()) return fail(err, "give an experiment file or --thesis (one of them)");
  if (o.out_dir.empty()) return fail(err, "--out DIR is required");
  experiment_grid grid;
  if (o.thesis) {
    grid = thesis_grid();
  } else {
    auto g = load_experiment_grid(o.config);
    if (!g) return fail(err, g.err().message);
    grid = std::move(g).value();
  }
  const auto runs = runs_of(grid);
  const unsigned jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());

  auto world = make_world(grid, feeder_data_root());
  if (!world) return fail(err, "feeder " + grid.feeder + ": " + world.err().message);

  // Lab runs are processes of this very program.
  std::error_code self_ec;
  const std::string program = fs::read_symlink("/proc/self/exe", self_ec).string();
  if (grid.engine == experiment_engine::lab && self_ec)
    return fail(err, "cannot find this program's path for the lab runs: " + self_ec.message(), 1);
  const fs::path dir(o.out_dir);
  const fs::path journal = dir / journal_name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(err, "cannot create " + dir.string() + ": " + ec.message(), 1);
  std::map<std::size_t, std::string> done;
  if (fs::exists(journal)) {
    if (!o.resume)
      return fail(err, dir.string() + " holds an experiment already (" + journal_name +
                           "); add --resume to finish it, or choose another --out");
    auto read = read_journal(journal.string(), journal_head(grid), runs.size());
    if (!read) return fail(err, read.err().message);
    done = std::move(read).value();
  } else {
    std::ofstream(journal, std::ios::binary) << journal_head(grid) << "\n";
  }
  const int fd = ::open(journal.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return fail(err, "cannot append to " + journal.string(), 1);

  std::vector<std::size_t> pending;
  for (std::size_t k = 0; k < runs.size(); ++k)
    if (!done.count(k)) pending.push_back(k);
  const auto started = std::chrono::steady_clock::now();
  progress_meter meter(err, runs.size(), runs.size() - pending.size());
  std::atomic<std::size_t> next{0};
  std::mutex lock;
  std::string first_error;
  auto worker = [&] {
    for (;;) {
      const std::size_t k = next.fetch_add(1);
      if (k >= pending.size()) return;
      {
        std::lock_guard<std::mutex> g(lock);
        if (!first_error.empty()) return;
      }
      const auto index = pending[k];
      auto rows = grid.engine == experiment_engine::market
                      ? market_engine_row(runs[index], world.value())
                      : lab_engine_rows(runs[index], grid, world.value(), program,
                                        (dir / "lab" / ("run-" + std::to_string(index))).string());
      std::lock_guard<std::mutex> g(lock);
      if (!rows) {
        if (first_error.empty()) first_error = runs[index].series + " seed " + std::to_string(runs[index].seed) + ": " +
                                               rows.err().message;
        return;
      }
      // One write per run: a kill leaves whole records and at most one torn line.
      const std::string record = std::to_string(index) + "|" + rows.value() + "\n";
      if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size())) {
        if (first_error.empty()) first_error = "cannot append to " + journal.string() + " (disk full?)";
        return;
      }
      done[index] = rows.value();
      meter.advance();
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < std::min<std::size_t>(jobs, std::max<std::size_t>(pending.size(), 1)); ++j)
    threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  ::close(fd);
  if (!first_error.empty()) return fail(err, first_error + "; finished runs are kept, --resume goes on", 1);

  std::string runs_text = runs_header() + "\n";
  for (const auto& [index, rows] : done) {
    std::size_t at = 0;
    for (;;) {
      const auto end = rows.find(';', at);
      runs_text.append(rows, at, end == std::string::npos ? std::string::npos : end - at).append("\n");
      if (end == std::string::npos) break;
      at = end + 1;
    }
  }
  auto rows = parse_runs(runs_text, (dir / "runs.csv").string());
  if (!rows) return fail(err, rows.err().message, 1);
  const auto points = summarize(rows.value());
  for (const auto& [name, text] : {std::pair<const char*, std::string>{"runs.csv", runs_text},
                                   {"summary.csv", summary_csv(points)},
                                   {"claims.md", claims_markdown(rows.value(), points)}})
    if (auto s = write_file(dir / name, text); !s) return fail(err, s.err().message, 1);
  auto figures = draw_figures(points, (dir / "figures").string());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << "experiment: " << runs.size() << " runs (" << runs.size() - pending.size() << " resumed) in "
      << static_cast<long>(seconds * 10) / 10.0 << " s with " << jobs << " jobs\n"
      << "  " << (dir / "runs.csv").string() << ", summary.csv, claims.md\n";
  if (!figures) {
    err << "voltaic experiment: figures not drawn: " << figures.err().message << "\n";
    return 1;
  }
  out << "  " << (dir / "figures").string() << "/: " << figures.value() << " files (PNG and SVG)\n";
  return 0;
}

}  // namespace voltaic::runtime
