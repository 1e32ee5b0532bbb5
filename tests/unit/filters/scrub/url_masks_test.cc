#include "filters/scrub/url_masks.h"

#include <gtest/gtest.h>

#include <random>

#include "filters/scrub/percent.h"
#include "tests/unit/filters/scrub/url_pieces.h"

namespace consentry::filters::scrub {
namespace {

// The masks' next<Mark> for kMarks[m].
template <class Masks>
size_t nextMark(const Masks& masks, size_t begin, size_t end, size_t m) {
  switch (m) {
    case 0:
      return masks.template next<UrlMark::Slash>(begin, end);
    case 1:
      return masks.template next<UrlMark::Question>(begin, end);
    case 2:
      return masks.template next<UrlMark::Hash>(begin, end);
    case 3:
      return masks.template next<UrlMark::HashOrQuestion>(begin, end);
    case 4:
      return masks.template next<UrlMark::PairEnd>(begin, end);
    default:
      return masks.template next<UrlMark::Equals>(begin, end);
  }
}

// Four random ranges of `url` (component edges anywhere): every mark, both decoding modes and
// the detectors left must be what a scan of the same bytes answers.
template <size_t Words>
void expectScanAnswers(const std::string& url, std::mt19937& rng) {
  // The bytes of the marks Slash, Question, Hash, HashOrQuestion, PairEnd and Equals.
  static constexpr std::string_view kMarkBytes[] = {"/", "?", "#", "#?", "&;", "="};
  UrlMasks<Words> masks;
  masks.build(url);
  ASSERT_EQ(masks.hasPercent(), url.find('%') != std::string::npos) << url;
  for (int probe = 0; probe < 4; ++probe) {
    const size_t begin = rng() % (url.size() + 1);
    const size_t end = begin + rng() % (url.size() - begin + 1);
    const std::string_view part = std::string_view(url).substr(begin, end - begin);
    for (bool plus : {false, true}) {
      ASSERT_EQ(masks.needsDecoding(begin, end, plus), needsDecoding(part, plus))
          << url << " [" << begin << ", " << end << ") plus " << plus;
    }
    ASSERT_TRUE(masks.possible(begin, end, DetectorSet::all()) ==
                possibleDetectors(part, DetectorSet::all()))
        << url << " [" << begin << ", " << end << ")";
    for (size_t m = 0; m < std::size(kMarkBytes); ++m) {
      const size_t at = part.find_first_of(kMarkBytes[m]);
      ASSERT_EQ(nextMark(masks, begin, end, m), at == std::string_view::npos ? end : begin + at)
          << url << " [" << begin << ", " << end << ") mark " << m;
    }
  }
}

// Random URLs of up to 250 bytes (every word of the largest masks, each block and word edge),
// with the masks of each size they fit in: one word (after a longer URL in the same masks, so
// stale bits would show), two and four.
TEST(UrlMasks, AgreeWithScansOnEveryRange) {
  std::mt19937 rng(29);
  size_t oneWord = 0;
  for (int round = 0; round < 20000; ++round) {
    const std::string url = testing::randomUrl(rng, round % 2 == 0 ? 64 : 210);
    ASSERT_LE(url.size(), UrlMasks<4>::kMaxSize);
    if (url.size() <= UrlMasks<1>::kMaxSize) {
      ++oneWord;
      expectScanAnswers<1>(url, rng);
    }
    if (url.size() <= UrlMasks<2>::kMaxSize) expectScanAnswers<2>(url, rng);
    expectScanAnswers<4>(url, rng);
  }
  EXPECT_GT(oneWord, 8000u);
}

}  // namespace
}  // namespace consentry::filters::scrub
