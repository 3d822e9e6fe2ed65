#include "e2e/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "e2e/process_spawner.h"

namespace castellan::e2e {
namespace {

struct Pipe {
  int read = -1;
  int write = -1;
};

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Writes without risking a process-wide SIGPIPE if the child closed its stdin early.
ssize_t write_without_sigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  ssize_t n = write(fd, data, size);
  if (n < 0 && errno == EPIPE) {
    const timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  return n;
}

}  // namespace

Result<CommandResult> run_command(const std::vector<std::string>& argv,
                                  const CommandOptions& options) {
  Pipe in, out, err;
  for (Pipe* p : {&in, &out, &err}) {
    if (p == &err && options.inherit_stderr) break;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      for (Pipe* q : {&in, &out, &err}) close_fd(q->read), close_fd(q->write);
      return Error::make(std::string("pipe2 failed: ") + std::strerror(errno));
    }
    p->read = fds[0];
    p->write = fds[1];
  }
  SpawnRequest request{argv, options.env, in.read, out.write,
                       options.inherit_stderr ? STDERR_FILENO : err.write, true};
  auto pid = spawn_process(request);
  close_fd(in.read);
  close_fd(out.write);
  close_fd(err.write);
  if (!pid.ok()) {
    close_fd(in.write);
    close_fd(out.read);
    close_fd(err.read);
    return pid.error();
  }
  for (int fd : {in.write, out.read, err.read}) {
    if (fd >= 0) fcntl(fd, F_SETFL, O_NONBLOCK);
  }
  if (options.input.empty()) close_fd(in.write);

  CommandResult result;
  size_t written = 0;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool timed_out = false;
  while (out.read >= 0 || err.read >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}, {in.write, POLLOUT, 0}};
    if (poll(fds, 3, static_cast<int>(left.count())) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    char buffer[16384];
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close_fd(i == 0 ? out.read : err.read);
      }
    }
    if (in.write >= 0 && fds[2].revents != 0) {
      ssize_t n = write_without_sigpipe(in.write, options.input.data() + written,
                                        options.input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) close_fd(in.write);
      if (written == options.input.size()) close_fd(in.write);
    }
  }
  close_fd(in.write);
  close_fd(out.read);
  close_fd(err.read);
  if (timed_out) {
    kill(-*pid, SIGKILL);
    kill(*pid, SIGKILL);
  }
  result.exit_code = wait_for_exit(*pid);
  if (timed_out) {
    result.err += "\n" + argv[0] + " timed out after " + std::to_string(options.timeout.count()) +
                  " s and was killed";
  }
  return result;
}

}  // namespace castellan::e2e
