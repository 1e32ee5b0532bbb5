// Head parsing cost for a typical browser request, and a small chunked POST end to end.
#include <benchmark/benchmark.h>

#include <string>

#include "proxy/http1/parser.h"

namespace {

using namespace consentry::http1;

const std::string kBrowserGet =
    "GET /articles/2026/11/edge-proxies-and-consent?utm_source=newsletter&utm_medium=email "
    "HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\", \"Google Chrome\";v=\"131\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "sec-ch-ua-platform: \"macOS\"\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.0.0 Safari/537.36\r\n"
    "Accept: "
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Referer: https://www.example.com/\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-GB,en;q=0.9,fr;q=0.8\r\n"
    "\r\n";

const std::string kChunkedPost =
    "POST /collect HTTP/1.1\r\nHost: www.example.com\r\nContent-Type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n\r\n"
    "2a\r\n{\"events\":[{\"name\":\"page_view\",\"ts\":1}]}\r\n"
    "1c;ext=1\r\n,{\"name\":\"click\",\"ts\":2}]}\r\n"
    "0\r\n\r\n";

void BM_BrowserGetHead(benchmark::State& state) {
  RequestHead head;
  Limits limits;
  for (auto _ : state) {
    ParseResult r = parseRequest(kBrowserGet, limits, head);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(head.headBytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBrowserGet.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["head_bytes"] = static_cast<double>(kBrowserGet.size());
  state.counters["headers"] = static_cast<double>(head.headers.size());
}
BENCHMARK(BM_BrowserGetHead);

void BM_ChunkedPost(benchmark::State& state) {
  RequestHead head;
  Limits limits;
  ChunkedDecoder decoder;
  size_t bodyBytes = 0;
  for (auto _ : state) {
    ParseResult r = parseRequest(kChunkedPost, limits, head);
    std::string_view rest = std::string_view(kChunkedPost).substr(head.headBytes);
    decoder.reset();
    while (true) {
      auto step = decoder.decode(rest);
      bodyBytes += step.data.size();
      rest.remove_prefix(step.consumed);
      if (step.status != Status::Incomplete || step.consumed == 0) break;
    }
    benchmark::DoNotOptimize(r);
  }
  benchmark::DoNotOptimize(bodyBytes);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kChunkedPost.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ChunkedPost);

// The proxy re-parses from the start as bytes arrive; this is the cost of a head split in two.
void BM_BrowserGetHeadInTwoReads(benchmark::State& state) {
  RequestHead head;
  Limits limits;
  std::string_view first = std::string_view(kBrowserGet).substr(0, kBrowserGet.size() / 2);
  for (auto _ : state) {
    benchmark::DoNotOptimize(parseRequest(first, limits, head));
    benchmark::DoNotOptimize(parseRequest(kBrowserGet, limits, head));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_BrowserGetHeadInTwoReads);

}  // namespace
