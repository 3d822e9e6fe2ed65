#pragma once
// Sensor: the loaded program, the event processor and an alert sink, joined by a consumer
// thread that drains the ring buffer until stopped.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sensor/alert_sink.h"
#include "sensor/event_processor.h"
#include "sensor/sensor_program.h"

namespace castellan::sensor {

struct SensorStats {
  KernelCounters kernel;
  ProcessorStats user;
};

class Sensor {
 public:
  Sensor(SensorProgramPtr&& program, std::unique_ptr<EventProcessor>&& processor, AlertSink& sink);
  ~Sensor();

  // Starts the consumer thread.
  void start();
  // Stops the consumer after draining what is waiting; the programs stay attached until
  // the Sensor is destroyed.
  void stop();
  // Drains once on the calling thread (for tests that run no consumer).
  Status drain(int timeout_ms);

  SensorStats stats() const;
  const std::vector<std::string>& attached() const { return program_->attached(); }
  // For map writes while running (node mode's Pod scope); map updates are thread-safe.
  SensorProgram& program() { return *program_; }
  std::string last_error() const;

 private:
  void run();

  SensorProgramPtr program_;
  std::unique_ptr<EventProcessor> processor_;
  AlertSink& sink_;
  SensorProgram::RecordFn on_record_;
  std::vector<Alert> pending_;
  std::atomic<bool> running_{false};
  std::thread consumer_;
};

}  // namespace castellan::sensor
