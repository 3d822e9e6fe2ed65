#include "e2e/interrupt_cleanup.h"

#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace castellan::e2e {
namespace {

constexpr int kMaxProcesses = 64;
constexpr int kMaxDirectories = 16;

enum SlotState : int { kFree = 0, kWriting = 1, kReady = 2 };

struct DirectorySlot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};

std::atomic<pid_t> processes[kMaxProcesses];
DirectorySlot directories[kMaxDirectories];
struct sigaction previous_int, previous_term;

// Runs in signal context: only async-signal-safe calls.
void on_signal(int signal_number) {
  for (auto& slot : processes) {
    pid_t pid = slot.load();
    if (pid > 0) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
  }
  for (auto& slot : processes) {
    pid_t pid = slot.load();
    if (pid > 0) waitpid(pid, nullptr, 0);
  }
  for (auto& slot : directories) {
    if (slot.state.load() != kReady) continue;
    pid_t rm = fork();
    if (rm == 0) {
      execl("/bin/rm", "rm", "-rf", "--", slot.path, static_cast<char*>(nullptr));
      _exit(127);
    }
    if (rm > 0) waitpid(rm, nullptr, 0);
  }
  sigaction(signal_number, signal_number == SIGINT ? &previous_int : &previous_term, nullptr);
  raise(signal_number);
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGINT);
    sigaddset(&action.sa_mask, SIGTERM);
    for (int sig : {SIGINT, SIGTERM}) {
      struct sigaction& previous = sig == SIGINT ? previous_int : previous_term;
      sigaction(sig, nullptr, &previous);
      // An ignored signal stays ignored: whoever started us asked for that.
      if (previous.sa_handler != SIG_IGN) sigaction(sig, &action, nullptr);
    }
  });
}

}  // namespace

bool InterruptCleanup::add_process(pid_t pid) {
  install_handlers();
  for (auto& slot : processes) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pid)) return true;
  }
  return false;
}

void InterruptCleanup::remove_process(pid_t pid) {
  for (auto& slot : processes) {
    pid_t expected = pid;
    slot.compare_exchange_strong(expected, 0);
  }
}

bool InterruptCleanup::add_directory(const std::string& path) {
  if (path.size() >= PATH_MAX) return false;
  install_handlers();
  for (auto& slot : directories) {
    int expected = kFree;
    if (!slot.state.compare_exchange_strong(expected, kWriting)) continue;
    std::memcpy(slot.path, path.c_str(), path.size() + 1);
    slot.state.store(kReady);
    return true;
  }
  return false;
}

void InterruptCleanup::remove_directory(const std::string& path) {
  for (auto& slot : directories) {
    int expected = kReady;
    if (!slot.state.compare_exchange_strong(expected, kWriting)) continue;
    if (path == slot.path) {
      slot.state.store(kFree);
    } else {
      slot.state.store(kReady);
    }
  }
}

}  // namespace castellan::e2e
