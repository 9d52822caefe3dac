#include "voltaic/agents/meterd_feed.hpp"

#include <iostream>

#include "voltaic/hardware/reading_subscriber.hpp"

namespace voltaic::agents {

market::result<std::shared_ptr<meterd_feed>> meterd_feed::connect(const std::string& endpoint,
                                                                 const std::string& server_key_z85,
                                                                 const std::string& client_key_file) {
  auto client = hardware::load_curve_keys(client_key_file);
  if (!client) return client.err();
  if (!hardware::is_curve_key(server_key_z85))
    return market::make_error(market::errc::invalid_field,
                              "'" + server_key_z85 + "' is not a CURVE public key (40 characters of Z85)");
  std::shared_ptr<meterd_feed> feed(new meterd_feed());
  feed->endpoint_ = endpoint;
  feed->following_ = std::thread([f = feed.get(), key = server_key_z85, c = client.value()] { f->follow(key, c); });
  return feed;
}

meterd_feed::~meterd_feed() {
  stop_ = true;
  if (following_.joinable()) following_.join();
}

void meterd_feed::follow(std::string server_key, hardware::curve_key_pair client) {
  auto sub = hardware::reading_subscriber::connect(endpoint_, server_key, client);
  if (!sub) {
    std::cerr << "meterd feed " << endpoint_ << ": " << sub.err().message << "\n";
    return;
  }
  while (!stop_) {
    auto next = sub.value()->next(std::chrono::milliseconds(200));
    if (!next) {
      std::cerr << "meterd feed " << endpoint_ << ": " << next.err().message << "\n";
      continue;
    }
    if (!next.value()) continue;
    const hardware::verified_reading& v = *next.value();
    std::lock_guard<std::mutex> lock(mutex_);
    if (v.value.gap || !v.signature_ok) continue;
    if (!any_) mark_import_wh_ = v.value.import_wh, mark_export_wh_ = v.value.export_wh;
    any_ = true;
    import_wh_ = v.value.import_wh;
    export_wh_ = v.value.export_wh;
  }
}

std::optional<metered_window> meterd_feed::take_window() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!any_) return std::nullopt;
  metered_window w{import_wh_ - mark_import_wh_, export_wh_ - mark_export_wh_};
  mark_import_wh_ = import_wh_;
  mark_export_wh_ = export_wh_;
  return w;
}

}  // namespace voltaic::agents
