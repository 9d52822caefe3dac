// The CAF 0.17 Find module works: an actor system starts, an actor answers a
// request, and the system shuts down.
#include <doctest/doctest.h>

#include <caf/all.hpp>

TEST_CASE("a CAF 0.17 actor answers a request") {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  auto doubler = system.spawn([]() -> caf::behavior {
    return {[](int x) { return 2 * x; }};
  });
  caf::scoped_actor self{system};
  int answer = 0;
  self->request(doubler, std::chrono::seconds(10), 21)
      .receive([&](int r) { answer = r; }, [&](caf::error&) { answer = -1; });
  CHECK(answer == 42);
  self->send_exit(doubler, caf::exit_reason::user_shutdown);
}
