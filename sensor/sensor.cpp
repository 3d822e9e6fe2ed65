#include "sensor/sensor.h"

#include "common/log.h"

namespace castellan::sensor {

Sensor::Sensor(SensorProgramPtr&& program, std::unique_ptr<EventProcessor>&& processor,
               AlertSink& sink)
    : program_(std::move(program)), processor_(std::move(processor)), sink_(sink) {
  on_record_ = [this](std::span<const std::byte> record) {
    pending_.clear();
    processor_->process(record, pending_);
    for (const auto& alert : pending_) sink_.emit(alert);
  };
}

Sensor::~Sensor() { stop(); }

void Sensor::start() {
  if (running_.exchange(true)) return;
  consumer_ = std::thread([this] { run(); });
}

void Sensor::stop() {
  if (!running_.exchange(false)) return;
  if (consumer_.joinable()) consumer_.join();
}

Status Sensor::drain(int timeout_ms) {
  auto n = program_->poll(timeout_ms, on_record_);
  if (!n.ok()) return n.error();
  sink_.flush();
  return Status::Ok();
}

void Sensor::run() {
  // Short polls: the kernel side wakes the consumer only once data piles up.
  while (running_.load()) {
    auto n = program_->poll(10, on_record_);
    if (!n.ok()) {
      log::error("Failed to poll the ring buffer", {{"error", n.error().message}});
      break;
    }
    if (*n > 0) sink_.flush();
  }
  while (true) {
    auto n = program_->poll(0, on_record_);
    if (!n.ok() || *n == 0) break;
  }
  sink_.flush();
}

SensorStats Sensor::stats() const { return SensorStats{program_->counters(), processor_->stats()}; }

std::string Sensor::last_error() const { return processor_->last_error(); }

}  // namespace castellan::sensor
