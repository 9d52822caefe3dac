#include "voltaic/market/grid_change.hpp"

#include <string>
#include <vector>

namespace voltaic::market {

status apply_grid_change(grid& g, std::string_view change) {
  std::vector<std::string_view> words;
  std::size_t at = 0;
  while (at < change.size()) {
    const std::size_t space = change.find(' ', at);
    const std::size_t end = space == std::string_view::npos ? change.size() : space;
    if (end > at) words.push_back(change.substr(at, end - at));
    at = end + 1;
  }
  if (words.size() == 1 && words[0] == "initial") return {};
  const bool known = !words.empty() && (words[0] == "open" || words[0] == "close");
  if (!known || words.size() < 2 || words.size() > 3)
    return make_error(errc::invalid_argument, "grid change '" + std::string(change) +
                                                  "' is not 'open|close <line>' or 'open|close <bus> <bus>'");
  const bool in_service = words[0] == "close";
  return words.size() == 2 ? g.set_in_service(words[1], in_service) : g.set_in_service(words[1], words[2], in_service);
}

}  // namespace voltaic::market
