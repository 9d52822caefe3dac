// Links voltaic::runtime (and through it CAF) from an installed voltaic.
#include <iostream>

#include "voltaic/runtime/commands.hpp"

int main() {
  std::cout << "CAF " << voltaic::runtime::caf_version() << "\n";
  return voltaic::runtime::caf_version().rfind("0.17.", 0) == 0 ? 0 : 1;
}
