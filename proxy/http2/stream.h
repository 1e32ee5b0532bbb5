#pragma once
// One HTTP/2 request stream: collects and validates the request headers (what an HTTP/1.1
// upstream could be smuggled with is refused), runs the filter chain as for HTTP/1.1, forwards
// through an UpstreamExchange with both bodies streamed under flow control, and answers the
// response (or the chain's local response) on the stream.

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/http_header.h"
#include "filters/chain.h"
#include "proxy/byte_buffer.h"
#include "proxy/upstream_exchange.h"

namespace consentry::proxy::http2 {

class Session;

class Stream final : private UpstreamExchange::Owner {
 public:
  Stream(Session& session, int32_t id);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // A closed stream of the same session becomes stream `id`: every per-request member starts over,
  // while the storage that would otherwise be allocated again (strings, vectors, the upstream
  // exchange object) is kept. Its buffers went back to the per-thread block cache in recycle().
  void reuse(int32_t id);
  // The stream was closed: give back buffers before it waits in the session's pool.
  void recycle();

  int32_t id() const { return id_; }
  // One request header; false when the stream must be reset (PROTOCOL_ERROR).
  bool addHeader(std::string_view name, std::string_view value);
  // The request head is complete; `endStream`: no body follows.
  void headersDone(bool endStream);
  // A DATA payload, then the end of the request body.
  void body(std::string_view data);
  void endOfBody();
  // nghttp2 closed the stream (`errorCode` 0: normally).
  void closed(uint32_t errorCode);
  // The session wrote output: move buffered request body on, let the upstream read again.
  void pump();

 private:
  // UpstreamExchange::Owner
  void onUpstreamReady() override;
  void onUpstreamInterim(const http1::ResponseHead& head, std::string_view raw) override;
  void onUpstreamHead(const http1::ResponseHead& head, std::string_view raw) override;
  void onUpstreamBody(std::string_view data) override;
  void onUpstreamDone() override;
  void onUpstreamFailed(int status) override;
  bool upstreamRoom() const override;
  void onUpstreamEvent() override;

  static ssize_t readBody(nghttp2_session*, int32_t id, uint8_t* buf, size_t length,
                          uint32_t* flags, nghttp2_data_source* source, void* user);

  void startRequest();
  void forward();
  void answerLocal();
  void sendError(int status);
  // Submits the response head (`nva` starts with :status) with a body to follow unless `noBody`.
  void submit(std::vector<nghttp2_nv>& nva, int status, bool noBody);
  void resumeBody();
  // Submits the upstream's chunked trailers as a trailing HEADERS frame, minus the fields a
  // trailer must not carry; false when none is left (the last DATA frame then ends the stream).
  bool submitTrailers();
  void pumpRequestBody();
  void reset(uint32_t errorCode);

  Session& session_;
  int32_t id_;
  // Request head as received. The regular fields are copied into one arena, `fieldText_`, and
  // `headers_` views into it once the head is complete (the arena no longer grows then).
  struct FieldSpan {
    uint32_t offset;
    uint32_t nameLength;
    uint32_t valueLength;
  };
  std::string method_, scheme_, authority_, path_, cookie_;
  std::string fieldText_;
  std::vector<FieldSpan> fields_;
  std::vector<HeaderField> headers_;
  size_t headerBytes_ = 0;
  bool headerTooLarge_ = false;
  bool hasContentLength_ = false;
  uint64_t contentLength_ = 0;

  std::unique_ptr<filters::Exchange> exchange_;     // the chain's view of the request
  std::unique_ptr<UpstreamExchange> forward_;       // set while this request goes upstream
  std::unique_ptr<UpstreamExchange> spareForward_;  // a previous request's, reused by the next
  bool local_ = false;
  std::string localBody_;
  ByteBuffer requestBody_;  // DATA not yet taken by the upstream
  uint64_t requestBodyBytes_ = 0;
  size_t unconsumed_ = 0;  // DATA bytes whose window is not yet given back
  bool requestDone_ = false;
  bool refused_ = false;  // answered before the body ended: later DATA is dropped
  bool started_ = false;

  ByteBuffer responseBody_;  // upstream bytes not yet sent in DATA frames
  std::string trailers_;     // the upstream's chunked trailer section, raw
  bool responseSubmitted_ = false;
  bool responseDone_ = false;
  bool deferred_ = false;  // nghttp2 waits for responseBody_
  bool finished_ = false;  // closed() ran
  int status_ = 0;
  std::chrono::steady_clock::time_point begun_;
  std::chrono::system_clock::time_point arrived_;
  uint64_t bytesSent_ = 0;
};

}  // namespace consentry::proxy::http2
