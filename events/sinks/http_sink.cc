#include "events/sinks/http_sink.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "events/sinks/fd_io.h"

namespace consentry::events {
namespace {

using Clock = std::chrono::steady_clock;
// One tick replays for at most this long, so flush() and new batches are not held up for minutes.
constexpr auto kReplayBudget = std::chrono::milliseconds(500);

void appendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

bool retryable(int status) {
  return status == 408 || status == 429 || status >= 500;
}

}  // namespace

bool gzipCompress(std::string_view in, std::string& out) {
  z_stream zs{};
  // 31 = 15 window bits + 16 for a gzip wrapper.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return false;
  }
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int r = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return r == Z_STREAM_END;
}

Result<std::unique_ptr<HttpSink>> HttpSink::open(const config::Sink& config) {
  Options o;
  o.name = config.name;
  o.url = config.url;
  o.cloudEvents = config.format == config::EventFormat::CloudEvents;
  o.batchMaxEvents = std::max<uint32_t>(config.batchMaxEvents, 1);
  o.batchMaxBytes = std::max<uint64_t>(config.batchMaxBytes, 1);
  o.batchMaxDelay = config.batchMaxDelay;
  o.timeout = config.timeout;
  o.gzip = config.gzip;
  o.headers = config.headers;
  o.deadLetter = config.deadLetter;
  o.spoolDir = config.spool.dir.empty() ? "spool/" + config.name : config.spool.dir;
  o.spoolMaxBytes = config.spool.maxBytes;
  return open(std::move(o));
}

Result<std::unique_ptr<HttpSink>> HttpSink::open(Options options) {
  auto url = parseHttpUrl(options.url);
  if (!url) return makeError("sink " + options.name + ": " + url.error().message);
  auto spool = openSpool(options.name, options);
  if (!spool) return spool.error();
  if (options.deadLetter.empty()) options.deadLetter = options.spoolDir + "/dead-letter.jsonl";
  return std::unique_ptr<HttpSink>(
      new HttpSink(std::move(options), std::move(url.value()), std::move(spool.value())));
}

HttpSink::HttpSink(Options options, HttpUrl url, std::unique_ptr<Spool> spool)
    : SpoolingSink(options.name, "collector", options, std::move(spool)),
      options_(std::move(options)),
      client_(std::move(url), options_.timeout) {
  headers_.emplace_back("Content-Type", options_.cloudEvents ? "application/cloudevents-batch+json"
                                                             : "application/x-ndjson");
  if (options_.gzip) headers_.emplace_back("Content-Encoding", "gzip");
  for (const auto& [name, value] : options_.headers) headers_.emplace_back(name, value);
}

// A batch still being assembled goes to the spool rather than over the network from a destructor.
HttpSink::~HttpSink() {
  if (!pending_.empty()) spool_->append(pending_);
}

void HttpSink::write(std::span<const EncodedEvent> batch) {
  auto now = Clock::now();
  for (const auto& event : batch) {
    if (pending_.empty()) pendingSince_ = now;
    pendingBytes_ += event.payload.size() + 1;
    pending_.push_back(event);
    if (pending_.size() >= options_.batchMaxEvents || pendingBytes_ >= options_.batchMaxBytes) {
      sendPending(now);
    }
  }
}

void HttpSink::sendPending(Clock::time_point now) {
  if (pending_.empty()) return;
  std::vector<EncodedEvent> batch;
  batch.swap(pending_);
  pendingBytes_ = 0;
  // Behind a non-empty spool (or inside a backoff) the batch queues on disk to keep order.
  if (!spool_->empty() || !backoff_.ready(now)) {
    spool_->append(batch);
    return;
  }
  if (deliver(batch) == Outcome::Retry) {
    spool_->append(batch);
    backoff_.failed(Clock::now());
  }
}

HttpSink::Outcome HttpSink::deliver(std::span<const EncodedEvent> batch) {
  body_.clear();
  if (options_.cloudEvents) body_ += '[';
  for (size_t i = 0; i < batch.size(); ++i) {
    if (options_.cloudEvents && i > 0) body_ += ',';
    body_ += batch[i].payload;
    if (!options_.cloudEvents) body_ += '\n';
  }
  if (options_.cloudEvents) body_ += ']';
  std::string_view body = body_;
  if (options_.gzip) {
    if (!gzipCompress(body_, compressed_)) {
      markFailing("gzip failed");
      return Outcome::Retry;
    }
    body = compressed_;
  }
  auto resp = client_.post(headers_, body);
  if (!resp) {
    markFailing(resp.error().message);
    return Outcome::Retry;
  }
  int status = resp->status;
  if (status >= 200 && status < 300) {
    counters_.written.fetch_add(batch.size(), std::memory_order_relaxed);
    backoff_.succeeded();
    markHealthy();
    return Outcome::Delivered;
  }
  std::string reason = std::to_string(status) + " " + resp->reason;
  if (retryable(status) || status < 200 || (status >= 300 && status < 400)) {
    markFailing("collector answered " + reason);
    return Outcome::Retry;
  }
  // The collector is up but refuses this batch: retrying would not help.
  std::string detail = resp->reason;
  if (!resp->body.empty()) detail += ": " + resp->body.substr(0, 512);
  deadLetter(batch, status, detail);
  backoff_.succeeded();
  markHealthy();
  return Outcome::Rejected;
}

void HttpSink::deadLetter(std::span<const EncodedEvent> batch, int status,
                          std::string_view reason) {
  counters_.failed.fetch_add(batch.size(), std::memory_order_relaxed);
  EventMetrics::global().dropped(DropReason::DeadLetter, batch.size());
  std::error_code ec;
  auto parent = std::filesystem::path(options_.deadLetter).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  int fd = ::open(options_.deadLetter.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return;
  char stamp[32];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string out;
  for (const auto& event : batch) {
    out += "{\"time\":\"";
    out += stamp;
    out += "\",\"sink\":";
    appendJsonString(out, options_.name);
    out += ",\"status\":" + std::to_string(status) + ",\"reason\":";
    appendJsonString(out, reason);
    out += ",\"id\":";
    appendJsonString(out, event.id);
    out += ",\"event\":";
    out += event.payload;
    out += "}\n";
  }
  writeAll(fd, out);
  ::close(fd);
}

void HttpSink::replay(Clock::time_point now) {
  auto budget = now + kReplayBudget;
  while (backoff_.ready(Clock::now()) && Clock::now() < budget && !spool_->empty()) {
    auto batch = spool_->peek(options_.batchMaxEvents, options_.batchMaxBytes);
    if (batch.empty()) continue;  // a damaged segment was skipped
    counters_.retried.fetch_add(batch.size(), std::memory_order_relaxed);
    if (deliver(batch) == Outcome::Retry) {
      backoff_.failed(Clock::now());
      return;
    }
    spool_->commit();
  }
}

void HttpSink::tick(Clock::time_point now) {
  if (!pending_.empty() && now - pendingSince_ >= options_.batchMaxDelay) sendPending(now);
  replay(now);
}

void HttpSink::flush() {
  sendPending(Clock::now());
  spool_->sync();
}

}  // namespace consentry::events
