#pragma once
// The thesis's figures 3.16-3.20 and 4.11-4.15 from an experiment's grid
// points (spec/experiments.md section 5), as gnuplot data and scripts, drawn
// to PNG and SVG by Debian's gnuplot (private to runtime/). Bars are means
// over seeds with one standard deviation as error bars; panels (a) without
// and (b) with cooperation.

#include <string>
#include <vector>

#include "experiment_summary.hpp"

namespace voltaic::runtime {

// Writes DIR/figN_M.{dat,gp} and runs gnuplot on each script; returns the
// number of image files drawn. Figures whose points the grid lacks are left
// out. An error when gnuplot is missing or fails (data and scripts stay).
market::result<std::size_t> draw_figures(const std::vector<grid_point>& points, const std::string& dir);

}  // namespace voltaic::runtime
