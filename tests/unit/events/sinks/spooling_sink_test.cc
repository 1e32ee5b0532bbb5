#include "events/sinks/spooling_sink.h"
#include "tests/helpers/temp_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

namespace consentry::events {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

// The smallest sink on the shared base: its destination fails or succeeds when told to.
class ScriptedSink final : public SpoolingSink {
 public:
  ScriptedSink(std::string name, const RetryOptions& options, std::unique_ptr<Spool> spool)
      : SpoolingSink(name, "destination", options, std::move(spool)), name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  void write(std::span<const EncodedEvent>) override {}
  void tick(std::chrono::steady_clock::time_point) override {}
  void flush() override {}
  void fail(std::string reason) { markFailing(std::move(reason)); }
  void recover() { markHealthy(); }

 private:
  std::string name_;
};

std::unique_ptr<ScriptedSink> openSink(const TempDir& dir, std::chrono::milliseconds grace) {
  std::string name =
      "spooling-test-" + std::to_string(::getpid()) + "-" + dir.path().filename().string();
  SpoolingSink::RetryOptions o;
  o.spoolDir = dir.str() + "/spool";
  o.readinessGrace = grace;
  auto spool = SpoolingSink::openSpool(name, o);
  EXPECT_TRUE(spool.ok());
  return std::make_unique<ScriptedSink>(name, o, std::move(spool.value()));
}

TEST(SpoolingSink, OverflowGoesToTheSpoolAndIsCounted) {
  TempDir dir;
  auto sink = openSink(dir, 30s);
  std::vector<EncodedEvent> batch = {{"a", "", "default", "{}"}, {"b", "", "default", "{}"}};
  EXPECT_TRUE(sink->overflow(batch));
  EXPECT_FALSE(sink->spool().empty());
  EXPECT_EQ(sink->counters().spooled.load(), 2u);
}

TEST(SpoolingSink, NotReadyOnlyAfterFailingForLongerThanTheGrace) {
  TempDir dir;
  auto sink = openSink(dir, 50ms);
  EXPECT_FALSE(sink->readinessFailure());
  sink->fail("first");
  sink->fail("connection refused");
  EXPECT_FALSE(sink->readinessFailure()) << "within the grace";
  std::this_thread::sleep_for(80ms);
  auto failure = sink->readinessFailure();
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find("destination failing for"), std::string::npos) << *failure;
  EXPECT_NE(failure->find("connection refused"), std::string::npos) << "the latest reason";
  sink->recover();
  EXPECT_FALSE(sink->readinessFailure());
}

TEST(SpoolingSink, SpoolErrorsNameTheSink) {
  SpoolingSink::RetryOptions o;
  o.spoolDir = "/proc/no-spool-here";
  auto spool = SpoolingSink::openSpool("named-sink", o);
  ASSERT_FALSE(spool.ok());
  EXPECT_EQ(spool.error().message.rfind("sink named-sink: ", 0), 0u) << spool.error().message;
}

}  // namespace
}  // namespace consentry::events
