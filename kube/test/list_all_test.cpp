#include "kube/list_all.h"

#include <gtest/gtest.h>

#include <vector>

namespace castellan::kube {
namespace {

// An ApiClient whose list serves pages of a fixed item set; other calls are not used here.
class PagingClient : public ApiClient {
 public:
  explicit PagingClient(int items) : items_(items) {}

  Result<nlohmann::json> list(const GroupVersionResource&, const std::string&,
                              const ListOptions& options) override {
    requests.push_back(options);
    if (expire_at_page_ >= 0 && !options.continueToken.empty() &&
        std::stoi(options.continueToken) / std::max<int64_t>(1, options.limit) == expire_at_page_)
      return Error::make("continue token expired", "Expired", 410);
    int start = options.continueToken.empty() ? 0 : std::stoi(options.continueToken);
    int end = options.limit > 0 ? std::min<int>(items_, start + options.limit) : items_;
    nlohmann::json page = {{"kind", "ConfigMapList"},
                           {"apiVersion", "v1"},
                           {"metadata", {{"resourceVersion", "rv" + std::to_string(start)}}}};
    page["items"] = nlohmann::json::array();
    for (int i = start; i < end; ++i)
      page["items"].push_back({{"metadata", {{"name", "cm-" + std::to_string(i)}}}});
    if (end < items_) page["metadata"]["continue"] = std::to_string(end);
    return page;
  }
  Result<nlohmann::json> get(const GroupVersionResource&, const std::string&, const std::string&,
                             const std::string&) override {
    return Error::make("unused");
  }
  Result<nlohmann::json> create(const GroupVersionResource&, const std::string&,
                                const nlohmann::json&) override {
    return Error::make("unused");
  }
  Result<nlohmann::json> update(const GroupVersionResource&, const std::string&,
                                const nlohmann::json&, const std::string&) override {
    return Error::make("unused");
  }
  Result<nlohmann::json> patch(const GroupVersionResource&, const std::string&, const std::string&,
                               PatchType, const std::string&, const PatchOptions&) override {
    return Error::make("unused");
  }
  Status remove(const GroupVersionResource&, const std::string&, const std::string&,
                const DeleteOptions&) override {
    return Error::make("unused");
  }
  Status watch(const GroupVersionResource&, const std::string&, const WatchOptions&,
               const std::function<bool(const WatchEvent&)>&, const std::atomic<bool>&) override {
    return Error::make("unused");
  }

  void expire_at_page(int page) { expire_at_page_ = page; }
  std::vector<ListOptions> requests;

 private:
  int items_;
  int expire_at_page_ = -1;
};

const GroupVersionResource kConfigMaps{"", "v1", "configmaps", true};

// Verifies that every page is requested with the limit and the previous continue token, and all
// items come back in one list without a continue token.
TEST(ListAllTest, FollowsContinueTokens) {
  PagingClient client(1050);
  ListOptions options;
  options.limit = 500;
  options.labelSelector = "app=x";
  auto list = list_all(client, kConfigMaps, "ns", options);
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(client.requests.size(), 3u);
  EXPECT_EQ(client.requests[0].continueToken, "");
  EXPECT_EQ(client.requests[1].continueToken, "500");
  EXPECT_EQ(client.requests[2].continueToken, "1000");
  for (const auto& r : client.requests) {
    EXPECT_EQ(r.limit, 500);
    EXPECT_EQ(r.labelSelector, "app=x");
  }
  EXPECT_EQ((*list)["items"].size(), 1050u);
  EXPECT_EQ((*list)["items"][1049]["metadata"]["name"], "cm-1049");
  EXPECT_FALSE((*list)["metadata"].contains("continue"));
  EXPECT_EQ((*list)["metadata"]["resourceVersion"], "rv1000");
  EXPECT_EQ((*list)["kind"], "ConfigMapList");
}

// Verifies that a continue token that expires mid-way leads to one unpaged list of everything.
TEST(ListAllTest, ExpiredContinueTokenRelistsUnpaged) {
  PagingClient client(30);
  client.expire_at_page(2);
  ListOptions options;
  options.limit = 10;
  auto list = list_all(client, kConfigMaps, "ns", options);
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ((*list)["items"].size(), 30u);
  EXPECT_EQ(client.requests.back().limit, 0);
}

// Verifies that list_pages stops when the handler says so.
TEST(ListAllTest, PagesStopEarly) {
  PagingClient client(100);
  ListOptions options;
  options.limit = 10;
  int pages = 0;
  auto rv =
      list_pages(client, kConfigMaps, "", options, [&](nlohmann::json&) { return ++pages < 2; });
  ASSERT_TRUE(rv.ok());
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(client.requests.size(), 2u);
}

}  // namespace
}  // namespace castellan::kube
