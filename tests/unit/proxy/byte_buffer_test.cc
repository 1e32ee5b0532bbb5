#include "proxy/byte_buffer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace consentry::proxy {
namespace {

// Each test starts from an empty cache on its thread.
class ByteBufferCache : public ::testing::Test {
 protected:
  void SetUp() override { ByteBuffer::dropCachedBlocks(); }
  void TearDown() override { ByteBuffer::dropCachedBlocks(); }
};

TEST_F(ByteBufferCache, ReleasedBlocksAreCachedAndReused) {
  std::vector<ByteBuffer> buffers(3);
  for (auto& b : buffers) b.append("request");
  EXPECT_EQ(ByteBuffer::cachedBlocks(), 0u);
  for (auto& b : buffers) {
    b.clear();
    b.release();
  }
  EXPECT_EQ(ByteBuffer::cachedBlocks(), 3u);
  ByteBuffer again;
  again.append("next");
  EXPECT_EQ(ByteBuffer::cachedBlocks(), 2u);
  EXPECT_EQ(again.view(), "next");
}

TEST_F(ByteBufferCache, DropFreesEveryCachedBlock) {
  {
    std::vector<ByteBuffer> buffers(5);
    for (auto& b : buffers) b.append("x");
    for (auto& b : buffers) b.clear();
  }  // destroyed empty: their blocks go to the cache
  EXPECT_EQ(ByteBuffer::cachedBlocks(), 5u);
  EXPECT_EQ(ByteBuffer::dropCachedBlocks(), 5u);
  EXPECT_EQ(ByteBuffer::cachedBlocks(), 0u);
  EXPECT_EQ(ByteBuffer::dropCachedBlocks(), 0u);
  // Buffers work as before afterwards, from freshly allocated blocks.
  ByteBuffer b;
  const std::string big(40000, 'a');  // grows past the base block
  b.append(big);
  EXPECT_EQ(b.view(), big);
}

TEST_F(ByteBufferCache, BufferHoldingDataKeepsItsBlock) {
  ByteBuffer b;
  b.append("unconsumed");
  b.release();  // not empty: keeps its storage
  EXPECT_EQ(ByteBuffer::cachedBlocks(), 0u);
  EXPECT_EQ(b.view(), "unconsumed");
}

}  // namespace
}  // namespace consentry::proxy
