#include "config/node_reader.h"

#include <gtest/gtest.h>

namespace consentry::config::detail {
namespace {

using namespace std::chrono_literals;

class NodeReader : public testing::Test {
 protected:
  Diagnostics d_{"n.yaml", errors_};
  std::vector<ConfigError> errors_;

  std::string all() const {
    std::string out;
    for (const ConfigError& e : errors_) out += e.format() + "\n";
    return out;
  }
};

TEST_F(NodeReader, UnreadKeysAreReportedOnceWithTheirPosition) {
  YAML::Node doc = YAML::Load("a: 1\nb: 2\nc: 3\n");
  {
    MapReader m(d_, doc, "section");
    int a = 0;
    m.integer("a", a, 0, 9);
    EXPECT_EQ(a, 1);
    m.finish();
    m.finish();
  }  // the destructor must not report again
  ASSERT_EQ(errors_.size(), 2u) << all();
  EXPECT_EQ(errors_[0].format(), "n.yaml:2:1: unknown key 'b' in section");
  EXPECT_EQ(errors_[1].format(), "n.yaml:3:1: unknown key 'c' in section");
}

TEST_F(NodeReader, DuplicateKeysAreErrors) {
  YAML::Node doc = YAML::Load("{x: 1, y: 2, x: 3}");
  MapReader m(d_, doc, "");
  int x = 0;
  int y = 0;
  m.integer("x", x, 0, 9);
  m.integer("y", y, 0, 9);
  m.finish();
  ASSERT_EQ(errors_.size(), 1u) << all();
  EXPECT_EQ(errors_[0].format(), "n.yaml:1:14: duplicate key 'x'");
  EXPECT_EQ(x, 1);  // the first one is used
}

TEST_F(NodeReader, NullAndAbsentSectionsAreEmpty) {
  YAML::Node doc = YAML::Load("s:\n");
  MapReader root(d_, doc, "");
  MapReader s(d_, root.get("s"), "s");
  MapReader absent(d_, root.get("nope"), "nope");
  Duration t = 5s;
  s.duration("t", t);
  absent.duration("t", t);
  EXPECT_EQ(t, 5s);
  EXPECT_FALSE(s.isMap());
  EXPECT_FALSE(root.has("nope"));
  EXPECT_TRUE(root.has("s"));
  root.finish();
  EXPECT_TRUE(errors_.empty()) << all();
}

TEST_F(NodeReader, ScalarConversions) {
  YAML::Node doc = YAML::Load(
      "{b1: yes, b2: off, b3: 2, i1: '42', i2: 4x, i3: 10, d: 250ms, s: 16KiB, l: [a, b], e: two}");
  MapReader m(d_, doc, "m");
  bool b1 = false;
  bool b2 = true;
  bool b3 = false;
  m.boolean("b1", b1);
  m.boolean("b2", b2);
  m.boolean("b3", b3);
  EXPECT_TRUE(b1);
  EXPECT_FALSE(b2);
  int i1 = 0;
  int i2 = 7;
  int i3 = 7;
  m.integer("i1", i1, 0, 100);
  m.integer("i2", i2, 0, 100);
  m.integer("i3", i3, 0, 9);
  EXPECT_EQ(i1, 42);
  EXPECT_EQ(i2, 7);  // unchanged on error
  EXPECT_EQ(i3, 7);
  Duration d{};
  uint64_t s = 0;
  m.duration("d", d);
  m.size("s", s);
  EXPECT_EQ(d, 250ms);
  EXPECT_EQ(s, 16u * 1024);
  std::vector<std::string> l;
  m.stringList("l", l);
  EXPECT_EQ(l, (std::vector<std::string>{"a", "b"}));
  enum class E { One, Two };
  E e = E::One;
  m.enumeration("e", e, {{"one", E::One}, {"two", E::Two}});
  EXPECT_EQ(e, E::Two);
  m.finish();
  ASSERT_EQ(errors_.size(), 3u) << all();
  EXPECT_EQ(errors_[0].message, "m.b3: expected true or false");
  EXPECT_EQ(errors_[1].message, "m.i2: expected an integer from 0 to 100");
  EXPECT_EQ(errors_[2].message, "m.i3: expected an integer from 0 to 9");
}

TEST_F(NodeReader, ListOfWrongItemsKeepsTheOldValue) {
  YAML::Node doc = YAML::Load("l: [a, [b], c]\nn: 5\n");
  MapReader m(d_, doc, "");
  std::vector<std::string> l = {"keep"};
  m.stringList("l", l);
  EXPECT_EQ(l, std::vector<std::string>{"keep"});
  std::vector<std::string> n = {"keep"};
  m.stringList("n", n);
  EXPECT_EQ(n, std::vector<std::string>{"keep"});
  m.finish();
  ASSERT_EQ(errors_.size(), 2u) << all();
  EXPECT_EQ(errors_[0].format(), "n.yaml:1:8: l[1]: expected a string");
  EXPECT_EQ(errors_[1].format(), "n.yaml:2:4: n: expected a list");
}

TEST_F(NodeReader, NotAMapping) {
  YAML::Node doc = YAML::Load("[1, 2]");
  MapReader m(d_, doc, "limits");
  EXPECT_FALSE(m.isMap());
  m.finish();
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].format(), "n.yaml:1:1: limits: expected a mapping");
}

TEST_F(NodeReader, EmptyDocumentPositionIsTheStart) {
  Diagnostics::add(errors_, "e.yaml", YAML::Mark::null_mark(), "x");
  EXPECT_EQ(errors_[0].format(), "e.yaml:1:1: x");
}

}  // namespace
}  // namespace consentry::config::detail
