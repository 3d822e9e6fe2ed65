#include "controller/responses/notifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>

#include "e2e/http_receiver.h"
#include "e2e/loopback_port.h"

namespace castellan::controller {
namespace {

using namespace std::chrono_literals;
using e2e::HttpReceiver;
using e2e::ReceiverResponse;

// A liveness bound, not a timing assertion: only a hang gets near it.
constexpr auto kPatience = 60s;

class Completions {
 public:
  Notifier::Completion callback() {
    return [this](NotifyResult result) {
      std::lock_guard lock(mu_);
      results_.push_back(std::move(result));
      cv_.notify_all();
    };
  }
  bool wait_for(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return results_.size() >= n; });
  }
  std::vector<NotifyResult> results() {
    std::lock_guard lock(mu_);
    return results_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<NotifyResult> results_;
};

NotifierOptions fast_options() {
  NotifierOptions options;
  options.backoff = {10ms, 40ms, 2.0, 0.0};
  options.attempt_timeout = 5s;
  options.workers = 1;  // most tests hold the one worker to see the queue
  return options;
}

// A header source that holds the worker delivering to Secret "block" until released, so a
// test sees what happens around a delivery in flight.
class BlockingHeaderSource {
 public:
  Notifier::HeaderSource source() {
    return [this](const std::string& secret) -> Result<HttpHeaders> {
      if (secret == "block") {
        entered_.set_value();
        released_.wait();
      }
      return HttpHeaders{};
    };
  }
  void wait_entered() { entered_.get_future().wait(); }
  void release() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

NotifyRequest request_to(const std::string& url, const std::string& headers_secret = {}) {
  NotifyRequest request;
  request.policy = "runtime-threats";
  request.url = url;
  request.headers_secret = headers_secret;
  api::RuntimeViolationEvent alert;
  alert.policy = "runtime-threats";
  alert.rule = "shell-in-container";
  alert.pod_namespace = "prod";
  alert.pod = "web-1";
  alert.node = "node-a";
  request.body = notify_body(alert, 1, {"DeletePod"});
  request.record.time = "2026-01-01T00:00:00Z";
  request.record.action = "Notify";
  request.record.rule = "shell-in-container";
  request.record.namespace_ = "prod";
  request.record.pod = "web-1";
  request.record.node = "node-a";
  return request;
}

// Writes the receiver's certificate where NotifierOptions::extra_ca_file can read it.
std::string write_ca_file(const HttpReceiver& receiver, const std::string& name) {
  std::string path =
      testing::TempDir() + "/notifier_test_" + std::to_string(::getpid()) + "_" + name + ".crt";
  std::ofstream(path) << receiver.certificate_pem();
  return path;
}

NotifierPtr make_notifier(Completions& completions, NotifierOptions options = fast_options(),
                          Notifier::HeaderSource headers = {}) {
  auto notifier = Notifier::create(std::move(options), std::move(headers), completions.callback());
  EXPECT_TRUE(notifier.ok()) << notifier.error().message;
  return notifier.ok() ? std::move(notifier.value()) : nullptr;
}

// Verifies that a 200 on the first POST succeeds at once, with the JSON body, content type,
// user agent and request target the receiver expects, and the caller's record kept.
TEST(NotifierTest, SucceedsFirstTime) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  auto notifier = make_notifier(completions);
  ASSERT_NE(notifier, nullptr);
  auto request = request_to(receiver.url("/hook?channel=sec"));
  ASSERT_TRUE(notifier->submit(request));
  ASSERT_TRUE(completions.wait_for(1));

  auto result = completions.results().at(0);
  EXPECT_TRUE(result.record.succeeded) << result.record.message;
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(result.last_status, 200);
  EXPECT_EQ(result.policy, "runtime-threats");
  EXPECT_EQ(result.record.action, "Notify");
  EXPECT_EQ(result.record.pod, "web-1");
  EXPECT_EQ(result.record.message,
            "POSTed to http://127.0.0.1:" + std::to_string(receiver.port()) + ": 200");
  auto seen = receiver.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/hook?channel=sec");
  EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
  EXPECT_EQ(seen[0].header("User-Agent"), "castellan-manager");
  EXPECT_EQ(seen[0].header("Host"), "127.0.0.1:" + std::to_string(receiver.port()));
  EXPECT_EQ(seen[0].body, request.body);
  auto stats = notifier->stats();
  EXPECT_EQ(stats.submitted, 1u);
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.retries, 0u);
}

// Verifies that 500, 500, 200 succeeds after 3 attempts, each POST carrying the same body.
TEST(NotifierTest, RetriesServerErrorsWithTheSameBody) {
  HttpReceiver receiver({500, 500});
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  auto notifier = make_notifier(completions);
  ASSERT_NE(notifier, nullptr);
  auto request = request_to(receiver.url("/x"));
  ASSERT_TRUE(notifier->submit(request));
  ASSERT_TRUE(completions.wait_for(1));

  auto result = completions.results().at(0);
  EXPECT_TRUE(result.record.succeeded) << result.record.message;
  EXPECT_EQ(result.attempts, 3);
  EXPECT_EQ(result.last_status, 200);
  EXPECT_NE(result.record.message.find(": 200 after 3 attempts"), std::string::npos)
      << result.record.message;
  auto seen = receiver.requests();
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& r : seen) EXPECT_EQ(r.body, request.body);
  EXPECT_EQ(notifier->stats().retries, 2u);
  EXPECT_EQ(notifier->stats().delivered, 1u);
}

// Verifies that a receiver that always answers 503 gets exactly max attempts, then a failure
// that says so.
TEST(NotifierTest, GivesUpAfterMaxAttempts) {
  HttpReceiver receiver({}, ReceiverResponse(503));
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  auto notifier = make_notifier(completions);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"))));
  ASSERT_TRUE(completions.wait_for(1));

  auto result = completions.results().at(0);
  EXPECT_FALSE(result.record.succeeded);
  EXPECT_EQ(result.attempts, 4);
  EXPECT_EQ(result.last_status, 503);
  EXPECT_NE(result.record.message.find("gave up"), std::string::npos);
  EXPECT_NE(result.record.message.find("after 4 attempts: last answer 503"), std::string::npos)
      << result.record.message;
  EXPECT_EQ(receiver.request_count(), 4u);
  EXPECT_EQ(notifier->stats().failed, 1u);
  EXPECT_EQ(notifier->stats().retries, 3u);
}

// Verifies that a 400 fails after one POST: a client error will not get better by repeating.
TEST(NotifierTest, ClientErrorIsNotRetried) {
  HttpReceiver receiver({400});
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  auto notifier = make_notifier(completions);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"))));
  ASSERT_TRUE(completions.wait_for(1));

  auto result = completions.results().at(0);
  EXPECT_FALSE(result.record.succeeded);
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(result.last_status, 400);
  EXPECT_NE(result.record.message.find("400"), std::string::npos);
  notifier->stop();
  EXPECT_EQ(receiver.request_count(), 1u);
  EXPECT_EQ(notifier->stats().retries, 0u);
}

// Verifies that 429 and 408 are retried, and that a Retry-After longer than the backoff cap is
// capped (an hour's wait would outlast the test).
TEST(NotifierTest, RetriesTooManyRequestsWithCappedRetryAfter) {
  ReceiverResponse slow_down(429);
  slow_down.headers = {{"Retry-After", "3600"}};
  HttpReceiver receiver({slow_down, 408});
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  auto notifier = make_notifier(completions);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"))));
  ASSERT_TRUE(completions.wait_for(1));

  auto result = completions.results().at(0);
  EXPECT_TRUE(result.record.succeeded) << result.record.message;
  EXPECT_EQ(result.attempts, 3);
  EXPECT_EQ(receiver.request_count(), 3u);
}

// Verifies that an answer slower than the attempt timeout counts as a failed attempt and is
// retried.
TEST(NotifierTest, SlowAnswerTimesOutAndIsRetried) {
  ReceiverResponse slow(200);
  slow.delay = 3s;
  HttpReceiver receiver({slow});
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  auto options = fast_options();
  options.attempt_timeout = 200ms;
  auto notifier = make_notifier(completions, options);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"))));
  ASSERT_TRUE(completions.wait_for(1));

  auto result = completions.results().at(0);
  EXPECT_TRUE(result.record.succeeded) << result.record.message;
  EXPECT_EQ(result.attempts, 2);
  EXPECT_EQ(receiver.request_count(), 2u);
}

// Verifies that headers from the header source arrive at the receiver, that the source is
// asked for the request's Secret, and that no header value appears in the message.
TEST(NotifierTest, HeadersFromTheSecretArrive) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  std::string asked;
  auto source = [&asked](const std::string& secret) -> Result<HttpHeaders> {
    asked = secret;
    return HttpHeaders{{"Authorization", "Bearer s3cret"}, {"X-Team", "blue"}};
  };
  auto notifier = make_notifier(completions, fast_options(), source);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"), "hook-headers")));
  ASSERT_TRUE(completions.wait_for(1));

  auto result = completions.results().at(0);
  EXPECT_TRUE(result.record.succeeded) << result.record.message;
  EXPECT_EQ(result.record.message.find("s3cret"), std::string::npos);
  EXPECT_EQ(asked, "hook-headers");
  auto seen = receiver.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Authorization"), "Bearer s3cret");
  EXPECT_EQ(seen[0].header("X-Team"), "blue");
  EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
}

// Verifies that a header source error fails the delivery with its message and sends nothing,
// and that a source handing back a header the notifier owns is refused the same way.
TEST(NotifierTest, HeaderSourceErrorFailsWithoutPosting) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  auto source = [](const std::string& secret) -> Result<HttpHeaders> {
    if (secret == "smuggler") return HttpHeaders{{"Content-Length", "0"}};
    return Error::make("Secret \"" + secret + "\" not found", "NotFound", 404);
  };
  auto notifier = make_notifier(completions, fast_options(), source);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"), "missing")));
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"), "smuggler")));
  ASSERT_TRUE(completions.wait_for(2));

  auto results = completions.results();
  EXPECT_FALSE(results[0].record.succeeded);
  EXPECT_EQ(results[0].attempts, 0);
  EXPECT_NE(results[0].record.message.find("Secret \"missing\" not found"), std::string::npos)
      << results[0].record.message;
  EXPECT_FALSE(results[1].record.succeeded);
  EXPECT_NE(results[1].record.message.find("Content-Length"), std::string::npos);
  notifier->stop();
  EXPECT_EQ(receiver.request_count(), 0u);
  EXPECT_EQ(notifier->stats().failed, 2u);
}

// Verifies that a refused connection is retried up to max attempts, then fails naming it.
TEST(NotifierTest, ConnectionRefusedIsRetriedThenFails) {
  auto port = e2e::free_loopback_port();
  ASSERT_TRUE(port.ok()) << port.error().message;
  Completions completions;
  auto options = fast_options();
  options.max_attempts = 3;
  auto notifier = make_notifier(completions, options);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to("http://127.0.0.1:" + std::to_string(*port) + "/x")));
  ASSERT_TRUE(completions.wait_for(1));

  auto result = completions.results().at(0);
  EXPECT_FALSE(result.record.succeeded);
  EXPECT_EQ(result.attempts, 3);
  EXPECT_EQ(result.last_status, 0);
  EXPECT_NE(result.record.message.find("gave up"), std::string::npos);
  EXPECT_NE(result.record.message.find("cannot connect"), std::string::npos)
      << result.record.message;
  EXPECT_EQ(notifier->stats().retries, 2u);
}

// Verifies that an invalid URL fails without an attempt and with the parser's reason.
TEST(NotifierTest, InvalidUrlFailsAtOnce) {
  Completions completions;
  auto notifier = make_notifier(completions);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to("https://user:pw@hooks.example.com/x")));
  ASSERT_TRUE(completions.wait_for(1));
  auto result = completions.results().at(0);
  EXPECT_FALSE(result.record.succeeded);
  EXPECT_EQ(result.attempts, 0);
  EXPECT_NE(result.record.message.find("headersSecret"), std::string::npos);
}

// Verifies that submit refuses once the queue holds its capacity, counts it, and that every
// accepted request still completes once.
TEST(NotifierTest, QueueFullRefusesSubmit) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  BlockingHeaderSource blocking;
  auto source = blocking.source();
  auto options = fast_options();
  options.queue_capacity = 2;
  auto notifier = make_notifier(completions, options, source);
  ASSERT_NE(notifier, nullptr);
  // The first request holds the worker inside the header source, so the queue stays full.
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"), "block")));
  blocking.wait_entered();
  EXPECT_TRUE(notifier->submit(request_to(receiver.url("/x"))));
  EXPECT_TRUE(notifier->submit(request_to(receiver.url("/x"))));
  EXPECT_FALSE(notifier->submit(request_to(receiver.url("/x"))));
  EXPECT_EQ(notifier->stats().queue_full, 1u);
  EXPECT_EQ(notifier->stats().submitted, 3u);
  blocking.release();
  ASSERT_TRUE(completions.wait_for(3));
  for (const auto& result : completions.results())
    EXPECT_TRUE(result.record.succeeded) << result.record.message;
  notifier->stop();
  EXPECT_EQ(completions.results().size(), 3u);
  EXPECT_EQ(receiver.request_count(), 3u);
}

// Verifies that with several workers a delivery that hangs does not hold up the others.
TEST(NotifierTest, OneHangingDeliveryDoesNotHoldUpTheOthers) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  BlockingHeaderSource blocking;
  auto source = blocking.source();
  auto options = fast_options();
  options.workers = 2;
  auto notifier = make_notifier(completions, options, source);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/slow"), "block")));
  blocking.wait_entered();
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/fast"))));
  ASSERT_TRUE(completions.wait_for(1));
  EXPECT_EQ(receiver.requests().at(0).target, "/fast");
  blocking.release();
  ASSERT_TRUE(completions.wait_for(2));
  notifier->stop();
  EXPECT_EQ(receiver.request_count(), 2u);
}

// Verifies that stop() during a long backoff returns promptly, completing the request in
// backoff and the queued one as not delivered because the manager stopped, and that submit
// refuses afterwards.
TEST(NotifierTest, StopInterruptsBackoffAndCompletesPending) {
  HttpReceiver receiver({}, ReceiverResponse(503));
  ASSERT_TRUE(receiver.start().ok());
  Completions completions;
  auto options = fast_options();
  options.backoff = {std::chrono::hours(1), std::chrono::hours(1), 2.0, 0.0};
  auto notifier = make_notifier(completions, options);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"))));
  ASSERT_TRUE(receiver.wait_for(1, kPatience));
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/y"))));

  auto stopped = std::async(std::launch::async, [&] { notifier->stop(); });
  if (stopped.wait_for(kPatience) != std::future_status::ready) {
    ADD_FAILURE() << "stop() did not return during a backoff wait";
    std::_Exit(1);  // the hung stop() would also hang the notifier's destructor
  }
  auto results = completions.results();
  ASSERT_EQ(results.size(), 2u);
  for (const auto& result : results) {
    EXPECT_FALSE(result.record.succeeded);
    EXPECT_NE(result.record.message.find("the manager stopped"), std::string::npos)
        << result.record.message;
  }
  EXPECT_EQ(results[0].attempts, 1);
  EXPECT_EQ(results[0].last_status, 503);
  EXPECT_EQ(results[1].attempts, 0);
  EXPECT_EQ(receiver.request_count(), 1u);
  EXPECT_FALSE(notifier->submit(request_to(receiver.url("/x"))));
  EXPECT_EQ(notifier->stats().failed, 2u);
}

// Verifies that https works against a server whose CA is the extra CA file, by IP and by DNS
// name (subject alternative names checked, SNI sent).
TEST(NotifierTest, HttpsWithTheExtraCa) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.start_tls().ok());
  Completions completions;
  auto options = fast_options();
  options.extra_ca_file = write_ca_file(receiver, "trusted");
  auto notifier = make_notifier(completions, options);
  std::remove(options.extra_ca_file.c_str());  // read once, when the notifier is created
  ASSERT_NE(notifier, nullptr);
  ASSERT_EQ(receiver.url("/x").rfind("https://127.0.0.1:", 0), 0u);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"))));
  ASSERT_TRUE(
      notifier->submit(request_to("https://localhost:" + std::to_string(receiver.port()) + "/y")));
  ASSERT_TRUE(completions.wait_for(2));

  for (const auto& result : completions.results()) {
    EXPECT_TRUE(result.record.succeeded) << result.record.message;
    EXPECT_EQ(result.attempts, 1);
  }
  auto seen = receiver.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].target, "/y");
  EXPECT_EQ(seen[1].header("Host"), "localhost:" + std::to_string(receiver.port()));
}

// Verifies that an https server the trust store does not vouch for gets no POST.
TEST(NotifierTest, HttpsUntrustedServerIsRefused) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.start_tls().ok());
  Completions completions;
  auto options = fast_options();
  options.max_attempts = 2;
  auto notifier = make_notifier(completions, options);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"))));
  ASSERT_TRUE(completions.wait_for(1));

  auto result = completions.results().at(0);
  EXPECT_FALSE(result.record.succeeded);
  EXPECT_EQ(result.attempts, 2);
  EXPECT_NE(result.record.message.find("TLS handshake"), std::string::npos)
      << result.record.message;
  EXPECT_EQ(receiver.request_count(), 0u);
}

// Verifies that a trusted certificate issued for another name gets no POST (hostname check).
TEST(NotifierTest, HttpsCertificateForAnotherNameIsRefused) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.start_tls({"DNS:elsewhere.example"}).ok());
  Completions completions;
  auto options = fast_options();
  options.max_attempts = 1;
  options.extra_ca_file = write_ca_file(receiver, "elsewhere");
  auto notifier = make_notifier(completions, options);
  std::remove(options.extra_ca_file.c_str());
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->submit(request_to(receiver.url("/x"))));
  ASSERT_TRUE(completions.wait_for(1));

  auto result = completions.results().at(0);
  EXPECT_FALSE(result.record.succeeded);
  EXPECT_NE(result.record.message.find("TLS handshake"), std::string::npos)
      << result.record.message;
  EXPECT_EQ(receiver.request_count(), 0u);
}

// Verifies that a completion callback may call stop() (the manager shutting down from it)
// without deadlocking, and that later submits are refused.
TEST(NotifierTest, StopFromACompletionCallback) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.start().ok());
  std::atomic<Notifier*> self{nullptr};
  std::promise<void> called;
  auto notifier = Notifier::create(fast_options(), {}, [&](NotifyResult) {
    self.load()->stop();
    called.set_value();
  });
  ASSERT_TRUE(notifier.ok()) << notifier.error().message;
  self = notifier->get();
  ASSERT_TRUE((*notifier)->submit(request_to(receiver.url("/x"))));
  ASSERT_EQ(called.get_future().wait_for(kPatience), std::future_status::ready);
  EXPECT_FALSE((*notifier)->submit(request_to(receiver.url("/x"))));
  (*notifier)->stop();
}

// Verifies that a CA file that cannot be read is refused when the notifier is created.
TEST(NotifierTest, UnreadableCaFileIsRefused) {
  Completions completions;
  NotifierOptions options;
  options.extra_ca_file = "/nonexistent/ca.crt";
  auto notifier = Notifier::create(options, {}, completions.callback());
  ASSERT_FALSE(notifier.ok());
  EXPECT_NE(notifier.error().message.find("/nonexistent/ca.crt"), std::string::npos);
}

}  // namespace
}  // namespace castellan::controller
