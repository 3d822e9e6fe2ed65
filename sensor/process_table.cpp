#include "sensor/process_table.h"

#include <unistd.h>

#include <fstream>
#include <iterator>

namespace castellan::sensor {

ProcessEntry ProcessTable::lookup(uint32_t pid) {
  if (auto* entry = entries_.get(pid)) return *entry;
  ProcessEntry entry;
  std::string dir = proc_root_ + "/" + std::to_string(pid);
  char exe[4096];
  ssize_t n = readlink((dir + "/exe").c_str(), exe, sizeof(exe) - 1);
  if (n > 0) entry.exe.assign(exe, static_cast<size_t>(n));
  std::ifstream cmdline(dir + "/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  size_t start = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\0') {
      entry.args.push_back(raw.substr(start, i - start));
      start = i + 1;
    }
  }
  if (!entry.exe.empty() || !entry.args.empty()) entries_.put(pid, entry);
  return entry;
}

}  // namespace castellan::sensor
