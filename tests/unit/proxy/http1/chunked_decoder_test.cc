#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "proxy/http1/parser.h"

namespace consentry::http1 {
namespace {

struct Outcome {
  Status status = Status::Incomplete;
  ErrorCode error = ErrorCode::None;
  std::string body;
  std::string trailers;
  size_t consumed = 0;
};

// Feeds `in` as two reads split at `split`, dropping consumed bytes like a real connection does.
Outcome decodeInTwo(std::string_view in, size_t split, size_t maxTrailer = 1024) {
  ChunkedDecoder dec(maxTrailer);
  Outcome out;
  std::string buffered;
  for (std::string_view piece : {in.substr(0, split), in.substr(split)}) {
    buffered.append(piece);
    while (true) {
      auto step = dec.decode(buffered);
      out.body.append(step.data);
      buffered.erase(0, step.consumed);
      out.consumed += step.consumed;
      if (step.status != Status::Incomplete) {
        out.status = step.status;
        out.error = step.error;
        out.trailers = std::string(dec.trailers());
        if (out.status == Status::Complete) {
          EXPECT_EQ(dec.bodyBytes(), out.body.size());
        }
        return out;
      }
      if (step.consumed == 0) break;
    }
  }
  return out;
}

Outcome decodeWhole(std::string_view in) {
  return decodeInTwo(in, in.size());
}

TEST(ChunkedDecoder, DecodesChunksExtensionsAndTrailers) {
  std::string in =
      "5\r\nhello\r\n6;name=value;flag\r\n world\r\n"
      "A ; q=\"a \\\"quoted\\\" ;x\"\r\n0123456789\r\n0\r\nX-Trailer: yes\r\nChecksum: 1\r\n\r\n"
      "NEXT";
  Outcome o = decodeWhole(in);
  ASSERT_EQ(o.status, Status::Complete) << errorName(o.error);
  EXPECT_EQ(o.body, "hello world0123456789");
  EXPECT_EQ(o.trailers, "X-Trailer: yes\r\nChecksum: 1\r\n");
  EXPECT_EQ(in.substr(o.consumed), "NEXT");
}

TEST(ChunkedDecoder, SplitAtEveryBytePositionGivesTheSameResult) {
  std::string in = "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n3;e=1\r\nxyz\r\n0;last\r\nT: v\r\n\r\n";
  Outcome whole = decodeWhole(in);
  ASSERT_EQ(whole.status, Status::Complete);
  for (size_t split = 0; split <= in.size(); ++split) {
    Outcome o = decodeInTwo(in, split);
    EXPECT_EQ(o.status, Status::Complete) << split;
    EXPECT_EQ(o.body, whole.body) << split;
    EXPECT_EQ(o.trailers, whole.trailers) << split;
    EXPECT_EQ(o.consumed, in.size()) << split;
  }
}

TEST(ChunkedDecoder, ByteByByte) {
  std::string in = "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n";
  ChunkedDecoder dec;
  std::string body;
  Status last = Status::Incomplete;
  for (char c : in) {
    auto step = dec.decode(std::string_view(&c, 1));
    EXPECT_LE(step.consumed, 1u);
    body.append(step.data);
    last = step.status;
  }
  EXPECT_EQ(last, Status::Complete);
  EXPECT_EQ(body, "Wikipedia in\r\n\r\nchunks.");
}

TEST(ChunkedDecoder, Errors) {
  struct Case {
    std::string in;
    ErrorCode error;
  };
  for (const Case& c : {
           Case{"\r\n", ErrorCode::BadChunkSize},
           Case{"g\r\n", ErrorCode::BadChunkSize},
           Case{"0x5\r\nhello\r\n0\r\n\r\n", ErrorCode::BadChunkSize},
           Case{"-1\r\n", ErrorCode::BadChunkSize},
           Case{"+5\r\nhello\r\n", ErrorCode::BadChunkSize},
           Case{" 5\r\nhello\r\n", ErrorCode::BadChunkSize},
           Case{"5 \r\nhello\r\n", ErrorCode::BadChunkSize},
           Case{"5;\r\nhello\r\n", ErrorCode::BadChunkSize},
           Case{"5;a=\r\nhello\r\n", ErrorCode::BadChunkSize},
           Case{"5;a=\"open\r\nhello\r\n", ErrorCode::BadChunkSize},
           Case{"5;a b\r\nhello\r\n", ErrorCode::BadChunkSize},
           Case{std::string("5;a=\0\r\n", 7), ErrorCode::BadChunkSize},
           Case{"5," + std::string("5\r\n"), ErrorCode::BadChunkSize},
           Case{"8000000000000000\r\n", ErrorCode::ChunkSizeOverflow},
           Case{"ffffffffffffffffff\r\n", ErrorCode::ChunkSizeOverflow},
           Case{"10000000000000000\r\n", ErrorCode::ChunkSizeOverflow},
           Case{"5\nhello\r\n", ErrorCode::BareCrOrLf},
           Case{"5\r\r\nhello\r\n", ErrorCode::BareCrOrLf},
           Case{"5\r\nhelloX\r\n", ErrorCode::BadChunkTerminator},
           Case{"5\r\nhello\n0\r\n\r\n", ErrorCode::BadChunkTerminator},
           Case{"5\r\nhello\rX", ErrorCode::BadChunkTerminator},
           Case{"5\r\nhello\r\r\n", ErrorCode::BadChunkTerminator},
           Case{"0\r\nBad Name: x\r\n\r\n", ErrorCode::BadTrailer},
           Case{"0\r\n folded\r\n\r\n", ErrorCode::BadTrailer},
           Case{"0\r\nX : y\r\n\r\n", ErrorCode::BadTrailer},
           Case{"0\r\nNoColon\r\n\r\n", ErrorCode::BadTrailer},
           Case{std::string("0\r\nX: a\0b\r\n\r\n", 13), ErrorCode::BadTrailer},
           Case{"0\r\nX: y\n\r\n", ErrorCode::BareCrOrLf},
           Case{"0\r\n\n", ErrorCode::BareCrOrLf},
           Case{"0\r\nT: " + std::string(2000, 'v') + "\r\n\r\n", ErrorCode::BadTrailer},
           Case{"1;" + std::string(5000, 'e') + "\r\n", ErrorCode::BadChunkSize},
       }) {
    for (size_t split : {c.in.size(), c.in.size() / 2, size_t{1}}) {
      Outcome o = decodeInTwo(c.in, split);
      EXPECT_EQ(o.status, Status::Error) << c.in << " split " << split;
      EXPECT_EQ(errorName(o.error), errorName(c.error)) << c.in << " split " << split;
    }
  }
}

TEST(ChunkedDecoder, LargestSizeIsAccepted) {
  ChunkedDecoder dec;
  auto step = dec.decode("7fffffffffffffff\r\nabc");
  EXPECT_EQ(step.status, Status::Incomplete);
  EXPECT_EQ(step.data, "abc");
  // Leading zeros do not count towards overflow.
  dec.reset();
  std::string in = "0000000000000000000005\r\nhello\r\n0\r\n\r\n";
  EXPECT_EQ(decodeWhole(in).body, "hello");
}

TEST(ChunkedDecoder, ErrorsAreStickyAndResetClears) {
  ChunkedDecoder dec;
  EXPECT_EQ(dec.decode("zz\r\n").error, ErrorCode::BadChunkSize);
  auto again = dec.decode("5\r\nhello\r\n");
  EXPECT_EQ(again.status, Status::Error);
  EXPECT_EQ(again.consumed, 0u);
  dec.reset();
  auto ok = dec.decode("5\r\nhello\r\n");
  EXPECT_EQ(ok.data, "hello");
  EXPECT_EQ(dec.bodyBytes(), 5u);
}

TEST(ChunkedDecoder, CompleteIsStableAndNeedsMoreInputIsZeroConsumed) {
  ChunkedDecoder dec;
  EXPECT_EQ(dec.decode("").consumed, 0u);
  auto s = dec.decode("0\r\n\r\n");
  EXPECT_EQ(s.status, Status::Complete);
  EXPECT_EQ(s.consumed, 5u);
  s = dec.decode("GET");
  EXPECT_EQ(s.status, Status::Complete);
  EXPECT_EQ(s.consumed, 0u);
}

}  // namespace
}  // namespace consentry::http1
