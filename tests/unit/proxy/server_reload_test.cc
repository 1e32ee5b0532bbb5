// Server::reload switches every worker to the new snapshot right away, so the process knows when
// nothing will be built from an older config any more (and can release what it prepared for it).
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <utility>

#include "config/config_loader.h"
#include "proxy/server.h"

namespace consentry::proxy {
namespace {

config::ConfigPtr load(const std::string& upstream) {
  auto loaded = config::loadConfigString(
      "listeners: [{address: 127.0.0.1:0, http2: false}]\nworkers: 2\n"
      "upstreams: [{name: o, servers: [" +
          upstream + "]}]\n",
      "reload.yaml");
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors.front().format();
  return loaded.config;
}

// Records which config each worker built its chain for; builds no chain.
struct Recorder {
  std::mutex mutex;
  std::set<std::pair<const config::Config*, unsigned>> built;

  bool has(const config::Config* config, unsigned worker) {
    std::lock_guard lock(mutex);
    return built.count({config, worker}) == 1;
  }
};

TEST(ServerReload, EveryWorkerSwitchesWithoutWaitingForAConnection) {
  Recorder recorder;
  Server server([&recorder](const config::Config& config, unsigned worker) {
    std::lock_guard lock(recorder.mutex);
    recorder.built.emplace(&config, worker);
    return std::unique_ptr<filters::Chain>();
  });
  auto first = load("127.0.0.1:1");
  ASSERT_TRUE(server.start(first).ok());
  ASSERT_EQ(server.workerCount(), 2u);

  for (int round = 0; round < 3; ++round) {
    auto next = load("127.0.0.1:" + std::to_string(2 + round));
    ASSERT_TRUE(server.reload(next).ok());
    ASSERT_TRUE(server.awaitWorkersSwitched(std::chrono::seconds(10)));
    // No client connected: the workers built their state for the new config on their own.
    EXPECT_TRUE(recorder.has(next.get(), 0));
    EXPECT_TRUE(recorder.has(next.get(), 1));
  }
  EXPECT_FALSE(recorder.has(first.get(), 0));  // never accepted under the first config
  server.drain(Duration(0));
}

}  // namespace
}  // namespace consentry::proxy
