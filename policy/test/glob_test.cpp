#include "policy/glob.h"

#include <gtest/gtest.h>

namespace castellan::policy {
namespace {

// Verifies that a pattern without wildcards matches only the exact text.
TEST(GlobTest, LiteralMatchesExactly) {
  const Glob g("kube-system");
  EXPECT_TRUE(g.matches("kube-system"));
  EXPECT_FALSE(g.matches("kube-system2"));
  EXPECT_FALSE(g.matches("kube"));
  EXPECT_FALSE(g.matches(""));
}

// Verifies that a trailing star matches any suffix, including an empty one and slashes.
TEST(GlobTest, TrailingStarMatchesAnySuffix) {
  const Glob g("prod-*");
  EXPECT_TRUE(g.matches("prod-"));
  EXPECT_TRUE(g.matches("prod-eu"));
  EXPECT_TRUE(g.matches("prod-eu/west"));
  EXPECT_FALSE(g.matches("prod"));
  EXPECT_FALSE(g.matches("staging-prod-eu"));
}

// Verifies that a lone star matches everything, the empty string included.
TEST(GlobTest, StarAloneMatchesEverything) {
  const Glob g("*");
  EXPECT_TRUE(g.matches(""));
  EXPECT_TRUE(g.matches("anything/at/all"));
}

// Verifies that a question mark matches exactly one character.
TEST(GlobTest, QuestionMarkMatchesOneCharacter) {
  const Glob g("team-?");
  EXPECT_TRUE(g.matches("team-a"));
  EXPECT_FALSE(g.matches("team-"));
  EXPECT_FALSE(g.matches("team-ab"));
}

// Verifies that stars in the middle and at the start backtrack correctly.
TEST(GlobTest, InnerAndLeadingStars) {
  const Glob g("*.example.com/*/app");
  EXPECT_TRUE(g.matches("registry.example.com/team/app"));
  EXPECT_TRUE(g.matches("a.b.example.com/x/y/app"));
  EXPECT_FALSE(g.matches("example.com/team/app"));
  EXPECT_FALSE(g.matches("registry.example.com/team/app2"));
  const Glob h("a*b*c");
  EXPECT_TRUE(h.matches("abc"));
  EXPECT_TRUE(h.matches("aXbYbZc"));
  EXPECT_FALSE(h.matches("aXbYcZ"));
}

// Verifies that consecutive stars and a trailing star after text still match an empty run.
TEST(GlobTest, ConsecutiveStars) {
  const Glob g("a**");
  EXPECT_TRUE(g.matches("a"));
  EXPECT_TRUE(g.matches("abc"));
  EXPECT_FALSE(g.matches("ba"));
}

}  // namespace
}  // namespace castellan::policy
