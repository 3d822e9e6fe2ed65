#include "e2e/process_spawner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

extern char** environ;

namespace castellan::e2e {
namespace {

std::vector<std::string> merged_environment(const std::vector<std::string>& overrides) {
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> result;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    bool overridden = false;
    for (const auto& o : overrides) overridden = overridden || name_of(o) == name_of(entry);
    if (!overridden) result.push_back(std::move(entry));
  }
  result.insert(result.end(), overrides.begin(), overrides.end());
  return result;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

Result<pid_t> fork_exec(const SpawnRequest& request) {
  if (request.argv.empty()) return Error::make("spawn_process: empty argv", "Invalid");
  std::vector<std::string> argv_strings = request.argv;
  std::vector<std::string> env_strings = merged_environment(request.env);
  std::vector<char*> argv = pointers_to(argv_strings);
  std::vector<char*> envp = pointers_to(env_strings);

  int exec_error_pipe[2];
  if (pipe2(exec_error_pipe, O_CLOEXEC) != 0) {
    return Error::make(std::string("pipe2 failed: ") + std::strerror(errno));
  }
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    int saved = errno;
    close(exec_error_pipe[0]);
    close(exec_error_pipe[1]);
    if (devnull >= 0) close(devnull);
    return Error::make(std::string("fork failed: ") + std::strerror(saved));
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here on.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (request.new_process_group) setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(request.stdin_fd >= 0 ? request.stdin_fd : devnull, STDIN_FILENO);
    dup2(request.stdout_fd >= 0 ? request.stdout_fd : devnull, STDOUT_FILENO);
    dup2(request.stderr_fd >= 0 ? request.stderr_fd : devnull, STDERR_FILENO);
    execvpe(argv[0], argv.data(), envp.data());
    int exec_errno = errno;
    ssize_t ignored = write(exec_error_pipe[1], &exec_errno, sizeof exec_errno);
    (void)ignored;
    _exit(127);
  }
  close(exec_error_pipe[1]);
  if (devnull >= 0) close(devnull);
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(exec_error_pipe[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close(exec_error_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    wait_for_exit(pid);
    return Error::make("cannot run " + request.argv[0] + ": " + std::strerror(exec_errno),
                       "NotFound");
  }
  return pid;
}

// The one thread that forks every child; it lives until the process exits.
class SpawnThread {
 public:
  static SpawnThread& instance() {
    static SpawnThread* thread = new SpawnThread();  // never destroyed: children must outlive it
    return *thread;
  }

  Result<pid_t> run(const SpawnRequest& request) {
    std::packaged_task<Result<pid_t>()> task([&request] { return fork_exec(request); });
    auto result = task.get_future();
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
    return result.get();
  }

 private:
  SpawnThread() { std::thread([this] { loop(); }).detach(); }

  void loop() {
    for (;;) {
      std::packaged_task<Result<pid_t>()> task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return !tasks_.empty(); });
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::packaged_task<Result<pid_t>()>> tasks_;
};

}  // namespace

Result<pid_t> spawn_process(const SpawnRequest& request) {
  return SpawnThread::instance().run(request);
}

int wait_for_exit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace castellan::e2e
