#pragma once
// Distances between buyer locations (rows) and seller locations (columns), in
// millimetres. A grid gives a square table over buses; a distances file gives
// one row per buyer and one column per seller, kept sparse (only the pairs the
// file names) so memory grows with the file, not with buyers x sellers;
// uniform() serves books without locations. Unknown entries are refused when
// matching needs them. Thread-safety: const use from many threads.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "voltaic/market/units.hpp"

namespace voltaic::market {

class distance_table {
 public:
  static constexpr distance_mm unknown = -1;

  distance_table() = default;
  distance_table(std::size_t rows, std::size_t cols, distance_mm fill = unknown)
      : rows_(rows), cols_(cols), mm_(rows * cols, fill) {}

  // One distance between every buyer and every seller, whatever their
  // locations ("no grid": every distance 0).
  static distance_table uniform(distance_mm d) {
    distance_table t;
    t.uniform_ = d;
    return t;
  }
  // A rows x cols table holding only the entries set; the rest are unknown.
  static distance_table sparse(std::size_t rows, std::size_t cols) {
    distance_table t;
    t.rows_ = rows;
    t.cols_ = cols;
    t.sparse_ = true;
    return t;
  }
  bool is_uniform() const { return uniform_ != unknown; }
  bool is_sparse() const { return sparse_; }
  distance_mm uniform_distance() const { return uniform_; }

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  distance_mm at(std::size_t row, std::size_t col) const {
    if (!sparse_) return mm_[row * cols_ + col];
    auto it = entries_.find(row * cols_ + col);
    return it == entries_.end() ? unknown : it->second;
  }
  void set(std::size_t row, std::size_t col, distance_mm d) {
    if (sparse_) entries_[row * cols_ + col] = d;
    else mm_[row * cols_ + col] = d;
  }
  // Every entry, row by row; empty for a sparse table (never hashed on chain).
  const std::vector<distance_mm>& data() const { return mm_; }

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<distance_mm> mm_;
  std::unordered_map<std::size_t, distance_mm> entries_;
  bool sparse_ = false;
  distance_mm uniform_ = unknown;
};

}  // namespace voltaic::market
