#include "kube/leader_election.h"

#include <random>

#include "common/log.h"

namespace castellan::kube {
namespace {

constexpr double kJitterFactor = 1.2;

double fallback_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

int whole_seconds(Duration d) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

}  // namespace

LeaderElector::LeaderElector(ApiClientPtr api, LeaderElectionConfig config, ClockPtr clock,
                             Backoff::Random random)
    : api_(std::move(api)), config_(std::move(config)), clock_(std::move(clock)),
      random_(random ? std::move(random) : Backoff::Random(fallback_random)) {}

LeaderElector::~LeaderElector() { stop(); }

Status LeaderElector::validate(const LeaderElectionConfig& c) {
  if (c.lease_name.empty()) return Error::make("leader election needs a Lease name", "Invalid");
  if (c.lease_namespace.empty()) {
    return Error::make("leader election needs a Lease namespace", "Invalid");
  }
  if (c.identity.empty()) return Error::make("leader election needs an identity", "Invalid");
  if (c.retry_period <= Duration::zero()) {
    return Error::make("leader election retry period must be positive", "Invalid");
  }
  if (c.lease_duration <= c.renew_deadline) {
    return Error::make("leader election lease duration must be greater than the renew deadline",
                       "Invalid");
  }
  if (c.renew_deadline <= std::chrono::duration_cast<Duration>(c.retry_period * kJitterFactor)) {
    return Error::make(
        "leader election renew deadline must be greater than 1.2 times the retry period",
        "Invalid");
  }
  if (whole_seconds(c.lease_duration) < 1) {
    return Error::make("leader election lease duration must be at least one second", "Invalid");
  }
  return Status::Ok();
}

Status LeaderElector::start() {
  if (auto valid = validate(config_); !valid) return valid;
  if (thread_.joinable()) return Status::Ok();
  stop_ = false;
  thread_ = std::thread([this] { run(); });
  return Status::Ok();
}

void LeaderElector::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool LeaderElector::is_leader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leading_;
}

std::string LeaderElector::leader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return observed_ ? observed_->holder_identity : std::string{};
}

LeaderElectionStats LeaderElector::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

bool LeaderElector::sleep(Duration delay) {
  std::unique_lock<std::mutex> lock(mu_);
  TimePoint deadline = clock_->now() + delay;
  while (!stop_ && clock_->now() < deadline) clock_->wait_until(lock, cv_, deadline);
  return !stop_;
}

void LeaderElector::run() {
  const std::string lease = config_.lease_namespace + "/" + config_.lease_name;
  while (!stop_) {
    // Campaign.
    while (!try_acquire_or_renew()) {
      Duration jitter = std::chrono::duration_cast<Duration>(config_.retry_period *
                                                             (kJitterFactor * random_()));
      if (!sleep(config_.retry_period + jitter)) return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      leading_ = true;
    }
    log::info("Acquired Lease", {{"lease", lease}, {"identity", config_.identity}});
    if (config_.on_started_leading) config_.on_started_leading();

    // Lead: renew until stopped or until renewals fail for the whole renew deadline.
    TimePoint last_renew = clock_->now();
    bool lost = false;
    while (sleep(config_.retry_period)) {
      if (try_acquire_or_renew()) {
        last_renew = clock_->now();
        continue;
      }
      if (clock_->now() - last_renew >= config_.renew_deadline) {
        lost = true;
        break;
      }
    }
    if (!lost && config_.release_on_cancel) release();
    {
      std::lock_guard<std::mutex> lock(mu_);
      leading_ = false;
    }
    if (lost) {
      log::warn("Lost Lease: failed to renew it within the renew deadline",
                {{"lease", lease}, {"identity", config_.identity}});
    } else {
      log::info("Stopped leading Lease", {{"lease", lease}, {"identity", config_.identity}});
    }
    if (config_.on_stopped_leading) config_.on_stopped_leading();
  }
}

void LeaderElector::observe(const LeaseRecord& record) {
  std::string report;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!observed_ || *observed_ != record) {
      observed_ = record;
      observed_time_ = clock_->now();
    }
    if (!record.holder_identity.empty() && record.holder_identity != reported_leader_) {
      reported_leader_ = record.holder_identity;
      report = record.holder_identity;
    }
  }
  if (!report.empty() && config_.on_new_leader) config_.on_new_leader(report);
}

bool LeaderElector::try_acquire_or_renew() {
  WallTime now = clock_->wall_now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.attempts;
  }
  auto fail = [this](const std::string& what, const Error& error) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.failures;
    log::debug(what, {{"lease", config_.lease_namespace + "/" + config_.lease_name},
                      {"error", error.message}});
    return false;
  };
  LeaseRecord mine{config_.identity, whole_seconds(config_.lease_duration), now, now, 0};

  auto current = api_->get(kLeases, config_.lease_namespace, config_.lease_name);
  if (!current.ok()) {
    if (current.error().reason != "NotFound") return fail("Failed to get Lease", current.error());
    nlohmann::json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                            {"kind", "Lease"},
                            {"metadata", {{"name", config_.lease_name},
                                          {"namespace", config_.lease_namespace}}}};
    write_lease_record(lease, mine);
    auto created = api_->create(kLeases, config_.lease_namespace, lease);
    if (!created.ok()) return fail("Failed to create Lease", created.error());
    auto stored = lease_record_from_json(created.value());
    observe(stored.ok() ? stored.value() : mine);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.acquisitions;
    return true;
  }
  auto record = lease_record_from_json(current.value());
  if (!record.ok()) {
    log::warn("Found a malformed Lease; taking it over once it expires",
              {{"lease", config_.lease_name}, {"error", record.error().message}});
    record = LeaseRecord{"(malformed)", whole_seconds(config_.lease_duration), {}, {}, 0};
  }
  const LeaseRecord old = record.value();
  observe(old);

  bool held_by_other = !old.holder_identity.empty() && old.holder_identity != config_.identity;
  if (held_by_other) {
    Duration duration = old.lease_duration_seconds > 0
                            ? Duration(std::chrono::seconds(old.lease_duration_seconds))
                            : config_.lease_duration;
    std::lock_guard<std::mutex> lock(mu_);
    if (observed_time_ + duration > clock_->now()) return false;
  }
  if (old.holder_identity == config_.identity) {
    mine.acquire_time = old.acquire_time;
    mine.lease_transitions = old.lease_transitions;
  } else {
    mine.lease_transitions = old.lease_transitions + 1;
  }
  nlohmann::json lease = std::move(current).value();
  write_lease_record(lease, mine);
  auto updated = api_->update(kLeases, config_.lease_namespace, lease);
  if (!updated.ok()) return fail("Failed to update Lease", updated.error());
  auto stored = lease_record_from_json(updated.value());
  observe(stored.ok() ? stored.value() : mine);
  std::lock_guard<std::mutex> lock(mu_);
  if (old.holder_identity == config_.identity) {
    ++stats_.renewals;
  } else {
    ++stats_.acquisitions;
  }
  return true;
}

void LeaderElector::release() {
  auto current = api_->get(kLeases, config_.lease_namespace, config_.lease_name);
  if (!current.ok()) {
    log::warn("Failed to release Lease", {{"lease", config_.lease_name},
                                          {"error", current.error().message}});
    return;
  }
  auto record = lease_record_from_json(current.value());
  if (!record.ok() || record->holder_identity != config_.identity) return;
  WallTime now = clock_->wall_now();
  LeaseRecord released{"", 1, now, now, record->lease_transitions};
  nlohmann::json lease = std::move(current).value();
  write_lease_record(lease, released);
  auto updated = api_->update(kLeases, config_.lease_namespace, lease);
  if (!updated.ok()) {
    log::warn("Failed to release Lease", {{"lease", config_.lease_name},
                                          {"error", updated.error().message}});
    return;
  }
  log::info("Released Lease", {{"lease", config_.lease_namespace + "/" + config_.lease_name},
                                {"identity", config_.identity}});
}

}  // namespace castellan::kube
